//! Cart operations on the visitor's session, checked against the pizzeria's menu and stock.

use crate::db::{write_tx, AsDieselError, DbConn};
use crate::domain::cart::{Cart, CartError, Shortage};
use crate::domain::checkout::OrderWindow;
use crate::domain::ids::{IngredientId, PizzeriaId, ProductId};
use crate::domain::money::Money;
use crate::domain::recap::{Recap, RecapLine};
use crate::domain::stock::most_of;
use crate::domain::token::SessionId;
use crate::models::pizzeria::Pizzeria;
use crate::models::stock as stock_rows;
use crate::models::{catalog, session};
use diesel::result::Error as DieselError;
use diesel::QueryResult;
use std::collections::HashMap;

#[derive(Debug, thiserror::Error)]
pub enum CartOpError {
    #[error("Ce produit n'existe pas ou n'est pas proposé par cette pizzeria.")]
    NotOffered,
    #[error("Votre panier contient déjà des produits de {0}.")]
    OtherPizzeria(String),
    #[error("{}", .0.message_for_cart())]
    Short(Shortage),
    #[error("{0}")]
    Cart(#[from] CartError),
    #[error("Votre session a expiré : rechargez la page.")]
    NoSession,
    /// The pizzeria takes no order now (closed for the day, or no longer online).
    #[error("{0}")]
    Closed(String),
    #[error(transparent)]
    Db(#[from] DieselError),
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
pub fn change(
    conn: &mut DbConn,
    session_id: &SessionId,
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
            } => Some(add(
                tx,
                data.cart.take(),
                (pizzeria, product, qty),
                replace,
            )?),
            Change::Set { product, qty } => {
                let mut cart = data.cart.take().ok_or(CartError::NotInCart)?;
                let before = cart.qty_of(product);
                cart.set(product, qty)?;
                // Fewer is always possible, even when someone else's order took the stock.
                if qty > before {
                    check_stock(tx, &cart, product)?;
                }
                (!cart.is_empty()).then_some(cart)
            }
        };
        data.cart = cart.clone();
        session::save_data(tx, session_id, &data)?;
        Ok(cart)
    })
}

/// Adds to the cart of this pizzeria; a cart of another one must be replaced knowingly.
fn add(
    tx: &mut DbConn,
    current: Option<Cart>,
    (pizzeria, product, qty): (PizzeriaId, ProductId, u32),
    replace: bool,
) -> Result<Cart, CartOpError> {
    let mut cart = match current {
        Some(c) if c.pizzeria == pizzeria => c,
        Some(c) if !c.is_empty() && !replace => {
            let name = Pizzeria::find(tx, c.pizzeria)?
                .map(|p| p.name)
                .unwrap_or_default();
            return Err(CartOpError::OtherPizzeria(name));
        }
        _ => Cart::new(pizzeria),
    };
    if let Some(why) = refusal_now(tx, pizzeria)? {
        return Err(CartOpError::Closed(why));
    }
    cart.add(product, qty)?;
    check_stock(tx, &cart, product)?;
    Ok(cart)
}

/// Why the pizzeria takes no order right now, if it does not: deactivated, or closed for the
/// day (a later slot of today can still be ordered).
fn refusal_now(tx: &mut DbConn, pizzeria: PizzeriaId) -> QueryResult<Option<String>> {
    let Some(p) = Pizzeria::find(tx, pizzeria)? else {
        return Ok(Some("Cette pizzeria n'existe pas.".into()));
    };
    if !p.active {
        return Ok(Some(format!(
            "{} ne prend plus de commandes en ligne.",
            p.name
        )));
    }
    let slots = crate::models::pizzeria::slots_of(tx, pizzeria)?;
    Ok(OrderWindow::at(&slots, chrono::Utc::now()).refusal(&p.name))
}

/// The product must be offered here, and the stock must make its line next to the rest of the
/// cart (products share ingredients: two pizzas with buffalo mozzarella).
fn check_stock(tx: &mut DbConn, cart: &Cart, product: ProductId) -> Result<(), CartOpError> {
    let offered = catalog::orderable(tx, cart.pizzeria, &[product])?;
    let Some(item) = offered.first() else {
        return Err(CartOpError::NotOffered);
    };
    let stock = CartStock::read(tx, cart)?;
    let wanted = cart.qty_of(product);
    let left = stock.left_for(cart, product);
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

/// The recipes of a cart's products and what the pizzeria has of their ingredients.
struct CartStock {
    recipes: HashMap<ProductId, Vec<(IngredientId, i64)>>,
    available: HashMap<IngredientId, i64>,
}

impl CartStock {
    fn read(conn: &mut DbConn, cart: &Cart) -> QueryResult<CartStock> {
        let ids: Vec<ProductId> = cart.lines.iter().map(|l| l.product).collect();
        let mut recipes: HashMap<ProductId, Vec<(IngredientId, i64)>> = HashMap::new();
        for (product, ingredient, per_unit) in catalog::recipes(conn, &ids)? {
            recipes
                .entry(product)
                .or_default()
                .push((ingredient, per_unit));
        }
        let mut ingredients: Vec<IngredientId> =
            recipes.values().flatten().map(|(i, _)| *i).collect();
        ingredients.sort();
        ingredients.dedup();
        let available = stock_rows::available(conn, cart.pizzeria, &ingredients)?;
        Ok(CartStock { recipes, available })
    }

    /// How many of `product` the stock can make next to the cart's other lines.
    fn left_for(&self, cart: &Cart, product: ProductId) -> i64 {
        let mut taken: HashMap<IngredientId, i64> = HashMap::new();
        for line in cart.lines.iter().filter(|l| l.product != product) {
            for (ingredient, per_unit) in self.recipes.get(&line.product).into_iter().flatten() {
                *taken.entry(*ingredient).or_default() += per_unit * i64::from(line.qty);
            }
        }
        let recipe = self.recipes.get(&product).map_or(&[][..], Vec::as_slice);
        most_of(recipe, &self.available, &taken)
    }
}

/// The lines of a cart the stock can no longer make next to the others (someone else's order
/// took what they need), with how many are left.
pub fn shortages(conn: &mut DbConn, cart: &Cart) -> QueryResult<Vec<Shortage>> {
    let stock = CartStock::read(conn, cart)?;
    let ids: Vec<ProductId> = cart.lines.iter().map(|l| l.product).collect();
    let names: HashMap<ProductId, String> = catalog::names(conn, &ids)?.into_iter().collect();
    Ok(cart
        .lines
        .iter()
        .filter_map(|l| {
            let left = stock.left_for(cart, l.product);
            (left < i64::from(l.qty)).then(|| Shortage {
                product: l.product,
                name: names.get(&l.product).cloned().unwrap_or_default(),
                wanted: l.qty,
                left,
            })
        })
        .collect())
}

/// A cart with today's names and prices. Products no longer offered keep their name (one more
/// query, only then).
pub fn recap(conn: &mut DbConn, cart: &Cart) -> QueryResult<Recap> {
    let ids: Vec<ProductId> = cart.lines.iter().map(|l| l.product).collect();
    let offered: HashMap<ProductId, (String, Money)> =
        catalog::orderable(conn, cart.pizzeria, &ids)?
            .into_iter()
            .map(|o| (o.id, (o.name, o.price)))
            .collect();
    let gone: Vec<ProductId> = ids
        .iter()
        .filter(|id| !offered.contains_key(id))
        .copied()
        .collect();
    let mut names: HashMap<ProductId, String> = HashMap::new();
    if !gone.is_empty() {
        names.extend(catalog::names(conn, &gone)?);
    }
    let lines = cart
        .lines
        .iter()
        .map(|l| {
            let (name, unit_price) = match offered.get(&l.product) {
                Some((name, price)) => (name.clone(), *price),
                None => (
                    names
                        .remove(&l.product)
                        .unwrap_or_else(|| "Produit retiré".into()),
                    Money::ZERO,
                ),
            };
            RecapLine {
                product: l.product,
                name,
                unit_price,
                qty: l.qty,
                offered: offered.contains_key(&l.product),
            }
        })
        .collect();
    Ok(Recap {
        pizzeria: cart.pizzeria,
        lines,
    })
}

/// A cart as its pages show it: its pizzeria (even one that no longer takes orders) and the
/// recap.
#[derive(Debug, Clone)]
pub struct CartView {
    pub pizzeria_name: String,
    pub pizzeria_phone: String,
    /// Whether the pizzeria still takes orders.
    pub pizzeria_active: bool,
    pub recap: Recap,
}

pub fn view(conn: &mut DbConn, cart: &Cart) -> QueryResult<CartView> {
    let pizzeria = Pizzeria::find(conn, cart.pizzeria)?;
    Ok(CartView {
        pizzeria_name: pizzeria
            .as_ref()
            .map(|p| p.name.clone())
            .unwrap_or_default(),
        pizzeria_phone: pizzeria
            .as_ref()
            .map(|p| p.phone.clone())
            .unwrap_or_default(),
        pizzeria_active: pizzeria.is_some_and(|p| p.active),
        recap: recap(conn, cart)?,
    })
}
