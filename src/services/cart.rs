//! Cart operations on the visitor's session, checked against the pizzeria's menu and stock.

use crate::db::{write_tx, AsDieselError, DbConn};
use crate::domain::cart::{Cart, CartError, CartLine};
use crate::domain::ids::{PizzeriaId, ProductId};
use crate::models::pizzeria::Pizzeria;
use crate::models::{catalog, menu, session};
use crate::services::orders::Shortage;
use diesel::result::Error as DieselError;

#[derive(Debug, thiserror::Error)]
pub enum CartOpError {
    #[error("Ce produit n'existe pas ou n'est pas proposé par cette pizzeria.")]
    NotOffered,
    #[error("Votre panier contient déjà des produits de {0}.")]
    OtherPizzeria(String),
    #[error("{}", .0.message())]
    Short(Shortage),
    #[error("{}", capitalise(&.0.to_string()))]
    Cart(#[from] CartError),
    #[error("Votre session a expiré : rechargez la page.")]
    NoSession,
    #[error(transparent)]
    Db(#[from] DieselError),
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str() + ".")
        .unwrap_or_default()
}

impl AsDieselError for CartOpError {
    fn as_diesel(&self) -> Option<&DieselError> {
        match self {
            CartOpError::Db(e) => Some(e),
            _ => None,
        }
    }
}

/// What a cart change asks for.
#[derive(Debug, Clone, Copy)]
pub enum Change {
    /// Add to a line; `replace` empties a cart of another pizzeria first.
    Add {
        pizzeria: PizzeriaId,
        product: ProductId,
        qty: u32,
        replace: bool,
    },
    Set {
        product: ProductId,
        qty: u32,
    },
    Clear,
}

/// Applies one change to the session's cart and returns the new cart (None when empty).
pub fn apply(
    conn: &mut DbConn,
    session_id: &str,
    change: Change,
) -> Result<Option<Cart>, CartOpError> {
    write_tx(conn, |tx| {
        let mut data = session::find(tx, session_id)?
            .ok_or(CartOpError::NoSession)?
            .data();
        let cart = match change {
            Change::Clear => None,
            Change::Add {
                pizzeria,
                product,
                qty,
                replace,
            } => {
                let mut cart = match data.cart.take() {
                    Some(c) if c.pizzeria == pizzeria || c.is_empty() || replace => {
                        if c.pizzeria == pizzeria {
                            c
                        } else {
                            Cart::new(pizzeria)
                        }
                    }
                    Some(c) => {
                        let name = Pizzeria::find_active(tx, c.pizzeria)?
                            .map(|p| p.name)
                            .unwrap_or_default();
                        return Err(CartOpError::OtherPizzeria(name));
                    }
                    None => Cart::new(pizzeria),
                };
                cart.add(product, qty)?;
                check_stock(tx, pizzeria, product, cart.qty_of(product))?;
                Some(cart)
            }
            Change::Set { product, qty } => {
                let mut cart = data.cart.take().ok_or(CartError::NotInCart)?;
                cart.set(product, qty)?;
                if qty > 0 {
                    check_stock(tx, cart.pizzeria, product, qty)?;
                }
                (!cart.is_empty()).then_some(cart)
            }
        };
        data.cart = cart.clone();
        session::save_data(tx, session_id, &data)?;
        Ok(cart)
    })
}

/// The product must be offered here and the stock must make `wanted` of it.
fn check_stock(
    tx: &mut DbConn,
    pizzeria: PizzeriaId,
    product: ProductId,
    wanted: u32,
) -> Result<(), CartOpError> {
    let offered = catalog::orderable(tx, pizzeria, &[product.0])?;
    let Some(item) = offered.first() else {
        return Err(CartOpError::NotOffered);
    };
    let left = menu::counts(tx, pizzeria)?
        .get(&product)
        .copied()
        .unwrap_or(0);
    if left < i64::from(wanted) {
        return Err(CartOpError::Short(Shortage {
            product,
            name: item.name.clone(),
            wanted,
            left,
        }));
    }
    Ok(())
}

/// A cart line as shown: today's name and price, and whether it can still be ordered.
#[derive(Debug, Clone)]
pub struct PricedLine {
    pub line: CartLine,
    pub name: String,
    pub unit_cents: i64,
    pub offered: bool,
}

pub fn priced(conn: &mut DbConn, cart: &Cart) -> Result<Vec<PricedLine>, DieselError> {
    let ids: Vec<i64> = cart.lines.iter().map(|l| l.product.0).collect();
    let offered = catalog::orderable(conn, cart.pizzeria, &ids)?;
    let names: std::collections::HashMap<i64, String> =
        catalog::names(conn, &ids)?.into_iter().collect();
    Ok(cart
        .lines
        .iter()
        .map(|l| {
            let o = offered.iter().find(|o| o.id == l.product.0);
            PricedLine {
                line: *l,
                name: names
                    .get(&l.product.0)
                    .cloned()
                    .unwrap_or_else(|| "Produit retiré".into()),
                unit_cents: o.map_or(0, |o| o.price_cents),
                offered: o.is_some(),
            }
        })
        .collect())
}
