//! Demo data a person can play with: 5 Paris pizzerias, a realistic catalogue with recipes,
//! uneven stock (some pizzas scarce or sold out), and one staff account per role per pizzeria.
//! For local use only: passwords are in README.md.

mod data;
mod floor;
mod history;
mod photos;

pub use floor::seed_orders;
pub use photos::add_photos;

use crate::db::{write_tx, AsDieselError, DbConn};
use crate::domain::catalog::ProductKind;
use crate::domain::ids::{IngredientId, PizzeriaId, ProductId, UserId};
use crate::domain::money::Money;
use crate::domain::staff::StaffRole;
use crate::domain::stock::MovementReason;
use crate::models::catalog::{
    self, NewIngredient, NewMenuItem, NewProduct, NewRecipeLine, NewRecipeStep,
};
use crate::models::pizzeria::{self, NewOpeningHours, NewPizzeria};
use crate::models::staff::{self, NewMembership};
use crate::models::stock::{self as stock_rows, Context, NewLevel};
use crate::models::user::{self, NewUser};
use crate::models::{census, now};
use crate::services::users::{hash_password, UserError};
use data::{
    DemoPizzeria, Line, ALLERGENS, DOUGH_G, INGREDIENTS, OTHERS, PIZZAS, PIZZERIAS, SCARCE,
};
use diesel::result::Error as DieselError;
use std::collections::HashMap;

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(
        "the database already holds data ({0}): demo data is only loaded into an empty database"
    )]
    NotEmpty(&'static str),
    #[error(transparent)]
    Password(#[from] UserError),
    #[error(transparent)]
    Db(#[from] DieselError),
    #[error("the demo orders could not be placed: {0}")]
    Orders(String),
    #[error("the demo photos could not be made: {0}")]
    Photos(String),
}

/// A small, fixed pseudo-random sequence: the same demo every time.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n.max(1)
    }
}

/// The demo pizzeria whose floor has orders.
pub const FIRST_SLUG: &str = "bastille";

impl AsDieselError for DemoError {
    fn as_diesel(&self) -> Option<&DieselError> {
        match self {
            DemoError::Db(e) => Some(e),
            _ => None,
        }
    }
}

/// Password of every demo account of a role: `demo-<role>-2026`.
pub fn demo_password(role: &str) -> String {
    format!("demo-{role}-2026")
}

/// Whether the database holds nothing yet (no pizzeria, user, product or order).
pub fn is_empty(conn: &mut DbConn) -> Result<bool, DieselError> {
    census::first_filled_table(conn).map(|t| t.is_none())
}

/// Loads the demo data in one transaction; refuses a database that already has data.
pub fn seed(conn: &mut DbConn) -> Result<(), DemoError> {
    // Hash outside the transaction: Argon2 is slow on purpose.
    let mut hashes: HashMap<&str, String> = HashMap::new();
    for r in StaffRole::ALL.iter().map(|r| r.as_str()).chain(["admin"]) {
        hashes.insert(r, hash_password(&demo_password(r))?);
    }
    write_tx(conn, |c| {
        if let Some(table) = census::first_filled_table(c)? {
            return Err(DemoError::NotEmpty(table));
        }
        let ingredients = insert_ingredients(c)?;
        let products = insert_products(c, &ingredients)?;
        for demo in &PIZZERIAS {
            let p = insert_pizzeria(c, demo)?;
            for &product_id in &products {
                let item = NewMenuItem {
                    pizzeria_id: p,
                    product_id,
                    enabled: true,
                };
                catalog::insert_menu_item(c, &item)?;
            }
            stock_pizzeria(c, p, demo.slug, &ingredients)?;
            insert_team(c, p, demo, &hashes)?;
        }
        let admin = "admin@demo.ocpizza.fr";
        insert_user(c, admin, "Direction OC Pizza", &hashes["admin"], true)?;
        Ok(())
    })
}

/// One account per role: `<role>.<slug>@demo.ocpizza.fr`.
fn insert_team(
    c: &mut DbConn,
    p: PizzeriaId,
    demo: &DemoPizzeria,
    hashes: &HashMap<&str, String>,
) -> Result<(), DieselError> {
    for &role in StaffRole::ALL {
        let email = format!("{}.{}@demo.ocpizza.fr", role.as_str(), demo.slug);
        let quarter = demo.name.trim_start_matches("OC Pizza ");
        let full_name = format!("{} {quarter}", role.label());
        let user_id = insert_user(c, &email, &full_name, &hashes[role.as_str()], false)?;
        let m = NewMembership {
            user_id,
            pizzeria_id: p,
            role,
            created_at: now(),
        };
        staff::insert_membership(c, &m)?;
    }
    Ok(())
}

fn insert_ingredients(c: &mut DbConn) -> Result<HashMap<&'static str, IngredientId>, DieselError> {
    let mut ids = HashMap::new();
    for (name, unit, _, _) in INGREDIENTS {
        let allergens = ALLERGENS
            .iter()
            .find(|(n, _)| *n == name)
            .map_or("", |(_, a)| *a);
        let row = NewIngredient {
            name,
            unit,
            created_at: now(),
            allergens,
        };
        ids.insert(name, catalog::insert_ingredient(c, &row)?);
    }
    Ok(ids)
}

fn insert_products(
    c: &mut DbConn,
    ingredients: &HashMap<&str, IngredientId>,
) -> Result<Vec<ProductId>, DieselError> {
    let mut ids = Vec::new();
    for (pos, (name, description, price, lines, topping)) in PIZZAS.iter().enumerate() {
        let id = insert_product(c, ProductKind::Pizza, (*name, *description), *price, pos)?;
        let dough: Line = ("Pâte à pizza", DOUGH_G);
        for (ingredient, quantity) in std::iter::once(&dough).chain(lines.iter()) {
            insert_line(c, id, ingredients[ingredient], *quantity)?;
        }
        insert_steps(c, id, lines, topping)?;
        ids.push(id);
    }
    for (pos, (name, description, price, kind)) in OTHERS.iter().enumerate() {
        let id = insert_product(c, *kind, (*name, *description), *price, pos)?;
        insert_line(c, id, ingredients[name], 1)?;
        ids.push(id);
    }
    Ok(ids)
}

fn insert_line(
    c: &mut DbConn,
    product_id: ProductId,
    ingredient_id: IngredientId,
    quantity: i64,
) -> Result<(), DieselError> {
    let line = NewRecipeLine {
        product_id,
        ingredient_id,
        quantity,
    };
    catalog::insert_recipe_line(c, &line)
}

/// The five steps of a pizza's recipe card, the third being its own topping.
fn insert_steps(
    c: &mut DbConn,
    product_id: ProductId,
    lines: &[Line],
    topping: &str,
) -> Result<(), DieselError> {
    let base = if lines.iter().any(|(i, _)| i.starts_with("Crème")) {
        "la crème fraîche"
    } else {
        "la sauce tomate"
    };
    let steps = [
        format!("Étaler un pâton de {DOUGH_G} g à la main en disque de 30 cm, bords épais."),
        format!("Napper de {base} à la louche en spirale, à 2 cm du bord."),
        topping.to_string(),
        "Cuire 90 secondes au four à bois à 450 °C en tournant la pizza à mi-cuisson.".to_string(),
        "Vérifier le dessous (léopardé, pas brûlé), couper en 6 parts et mettre en boîte."
            .to_string(),
    ];
    for (i, instruction) in steps.iter().enumerate() {
        let step = NewRecipeStep {
            product_id,
            position: i as i32 + 1,
            instruction,
        };
        catalog::insert_recipe_step(c, &step)?;
    }
    Ok(())
}

fn insert_product(
    c: &mut DbConn,
    kind: ProductKind,
    (name, description): (&str, &str),
    price: i64,
    position: usize,
) -> Result<ProductId, DieselError> {
    let t = now();
    let row = NewProduct {
        kind,
        name,
        description,
        price: Money::from_cents(price),
        position: position as i32,
        active: true,
        created_at: t,
        updated_at: t,
    };
    catalog::insert_product(c, &row)
}

fn insert_pizzeria(c: &mut DbConn, demo: &DemoPizzeria) -> Result<PizzeriaId, DieselError> {
    let row = NewPizzeria {
        slug: demo.slug,
        name: demo.name,
        street: demo.street,
        postal_code: demo.postal_code,
        city: "Paris",
        phone: demo.phone,
        active: true,
        created_at: now(),
    };
    let id = pizzeria::insert(c, &row)?;
    for (weekday, close) in demo.closes.iter().enumerate().filter(|(_, c)| **c > 0) {
        for (opens_at, closes_at) in [(690, 870), (1110, i32::from(*close))] {
            let slot = NewOpeningHours {
                pizzeria_id: id,
                weekday: weekday as i32,
                opens_at,
                closes_at,
            };
            pizzeria::insert_opening_hours(c, &slot)?;
        }
    }
    Ok(id)
}

/// Every ingredient gets a stock row and a supplier-delivery ledger row explaining it.
fn stock_pizzeria(
    c: &mut DbConn,
    p: PizzeriaId,
    slug: &str,
    ingredients: &HashMap<&str, IngredientId>,
) -> Result<(), DieselError> {
    for (index, (name, _, usual, low)) in INGREDIENTS.iter().enumerate() {
        let scarce = SCARCE
            .iter()
            .find(|(s, n, _)| *s == slug && n == name)
            .map(|(_, _, q)| *q);
        // Vary the usual levels a little from one pizzeria to the next.
        let on_hand = scarce.unwrap_or(usual + usual * ((p.0 + index as i64) % 3) / 10);
        let ingredient = ingredients[name];
        let level = NewLevel {
            pizzeria_id: p,
            ingredient_id: ingredient,
            on_hand: 0,
            reserved: 0,
            low_threshold: *low,
            updated_at: now(),
        };
        stock_rows::insert_level(c, &level)?;
        if on_hand > 0 {
            stock_rows::try_shift_on_hand(c, p, ingredient, on_hand)?;
            let ctx = Context {
                note: Some("Stock initial (données de démonstration)"),
                ..Context::default()
            };
            let reason = MovementReason::SupplierDelivery;
            stock_rows::record(c, p, ingredient, reason, (on_hand, 0), ctx)?;
        }
    }
    Ok(())
}

fn insert_user(
    c: &mut DbConn,
    email: &str,
    full_name: &str,
    password_hash: &str,
    is_admin: bool,
) -> Result<UserId, DieselError> {
    let row = NewUser {
        email,
        password_hash,
        full_name,
        phone: None,
        is_admin,
        active: true,
        created_at: now(),
        email_verified_at: Some(now()),
    };
    user::insert(c, &row)
}

/// Every pizzeria open all day, every day: for tests and benchmarks that order "as soon as
/// possible" whatever the hour they run at.
pub fn open_all_day(conn: &mut DbConn) -> Result<(), DieselError> {
    write_tx(conn, |c| {
        pizzeria::delete_all_opening_hours(c)?;
        for pizzeria_id in pizzeria::all_ids(c)? {
            for weekday in 0..7 {
                let slot = NewOpeningHours {
                    pizzeria_id,
                    weekday,
                    opens_at: 0,
                    closes_at: 24 * 60,
                };
                pizzeria::insert_opening_hours(c, &slot)?;
            }
        }
        Ok(())
    })
}
