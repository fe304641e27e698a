//! Demo data a person can play with: 5 Paris pizzerias, a realistic catalogue with recipes,
//! uneven stock (some pizzas scarce or sold out), and one staff account per role per pizzeria.
//! For local use only: passwords are in README.md.

use crate::db::{last_insert_id, schema, write_tx, AsDieselError, DbConn};
use crate::domain::ids::{IngredientId, PizzeriaId};
use crate::domain::stock::MovementReason;
use crate::models::catalog::{
    NewIngredient, NewMenuItem, NewProduct, NewRecipeLine, NewRecipeStep,
};
use crate::models::now;
use crate::models::pizzeria::{NewOpeningHours, NewPizzeria};
use crate::models::stock::{self as stock_rows, Context, NewLevel};
use crate::models::user::{NewMembership, NewUser};
use crate::services::users::{hash_password, StaffRole, UserError};
use diesel::prelude::*;
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
}

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

struct DemoPizzeria {
    slug: &'static str,
    name: &'static str,
    street: &'static str,
    postal_code: &'static str,
    phone: &'static str,
    /// Evening closing time per weekday (Monday first), in minutes; 0 = closed that day.
    closes: [u16; 7],
}

const PIZZERIAS: [DemoPizzeria; 5] = [
    DemoPizzeria {
        slug: "bastille",
        name: "OC Pizza Bastille",
        street: "12 rue de la Roquette",
        postal_code: "75011",
        phone: "01 43 55 12 12",
        closes: [0, 1380, 1380, 1380, 1410, 1410, 1350],
    },
    DemoPizzeria {
        slug: "montmartre",
        name: "OC Pizza Montmartre",
        street: "34 rue des Abbesses",
        postal_code: "75018",
        phone: "01 42 58 34 34",
        closes: [1380, 1380, 1380, 1380, 1410, 1410, 0],
    },
    DemoPizzeria {
        slug: "marais",
        name: "OC Pizza Marais",
        street: "8 rue des Rosiers",
        postal_code: "75004",
        phone: "01 48 87 08 08",
        closes: [0, 1380, 1380, 1380, 1410, 1410, 1380],
    },
    DemoPizzeria {
        slug: "batignolles",
        name: "OC Pizza Batignolles",
        street: "51 rue des Batignolles",
        postal_code: "75017",
        phone: "01 45 22 51 51",
        closes: [1350, 1350, 1350, 1380, 1410, 1410, 1350],
    },
    DemoPizzeria {
        slug: "butte-aux-cailles",
        name: "OC Pizza Butte-aux-Cailles",
        street: "17 rue de la Butte-aux-Cailles",
        postal_code: "75013",
        phone: "01 45 89 17 17",
        closes: [0, 1380, 1380, 1380, 1410, 1410, 1380],
    },
];

/// (name, unit, usual stock per pizzeria, low threshold)
const INGREDIENTS: [(&str, &str, i64, i64); 38] = [
    ("Pâte à pizza", "g", 25_000, 5_000),
    ("Sauce tomate San Marzano", "g", 12_000, 2_000),
    ("Crème fraîche épaisse", "g", 4_000, 800),
    ("Mozzarella fior di latte", "g", 15_000, 3_000),
    ("Mozzarella di bufala", "g", 3_000, 600),
    ("Gorgonzola", "g", 1_500, 300),
    ("Parmigiano Reggiano", "g", 2_000, 400),
    ("Fromage de chèvre", "g", 2_000, 400),
    ("Emmental râpé", "g", 3_000, 500),
    ("Jambon blanc", "g", 3_000, 600),
    ("Jambon cru de Parme", "g", 1_500, 300),
    ("Salami piquant", "g", 2_000, 400),
    ("Lardons fumés", "g", 2_000, 400),
    ("Champignons de Paris", "g", 3_000, 600),
    ("Poivrons grillés", "g", 2_000, 400),
    ("Oignons rouges", "g", 2_000, 400),
    ("Olives noires", "g", 1_500, 300),
    ("Câpres", "g", 500, 100),
    ("Filets d'anchois", "piece", 120, 24),
    ("Artichauts marinés", "g", 1_500, 300),
    ("Roquette", "g", 1_000, 200),
    ("Basilic frais", "g", 300, 60),
    ("Origan séché", "g", 300, 50),
    ("Huile d'olive extra vierge", "ml", 3_000, 500),
    ("Miel de lavande", "ml", 800, 150),
    ("Œuf", "piece", 60, 12),
    ("Thon", "g", 2_000, 400),
    ("Ananas", "g", 1_500, 300),
    ("Tomates cerises", "g", 2_000, 400),
    ("Coca-Cola 33 cl", "piece", 48, 12),
    ("Eau pétillante San Pellegrino 50 cl", "piece", 48, 12),
    ("Limonade artisanale 33 cl", "piece", 36, 6),
    ("Bière Peroni 33 cl", "piece", 36, 6),
    ("Jus d'orange pressé 25 cl", "piece", 24, 6),
    ("Tiramisu maison", "piece", 20, 4),
    ("Panna cotta aux fruits rouges", "piece", 20, 4),
    ("Mousse au chocolat noir", "piece", 20, 4),
    ("Glace vanille de Madagascar", "piece", 20, 4),
];

type Line = (&'static str, i64);

/// (name, description, price in cents, recipe beyond the dough, topping step)
const PIZZAS: [(&str, &str, i64, &[Line], &str); 12] = [
    ("Margherita", "Sauce tomate San Marzano, mozzarella fior di latte, basilic frais, huile d'olive.", 1050,
        &[("Sauce tomate San Marzano", 80), ("Mozzarella fior di latte", 120), ("Basilic frais", 3), ("Huile d'olive extra vierge", 10)],
        "Répartir la mozzarella en morceaux ; après cuisson, ajouter le basilic et un filet d'huile."),
    ("Regina", "Sauce tomate, mozzarella, jambon blanc, champignons de Paris, origan.", 1250,
        &[("Sauce tomate San Marzano", 80), ("Mozzarella fior di latte", 100), ("Jambon blanc", 60), ("Champignons de Paris", 50), ("Origan séché", 1)],
        "Garnir de mozzarella, jambon en lanières et champignons émincés ; parsemer d'origan."),
    ("Quatre fromages", "Crème fraîche, mozzarella, gorgonzola, chèvre, parmesan.", 1390,
        &[("Crème fraîche épaisse", 60), ("Mozzarella fior di latte", 80), ("Gorgonzola", 40), ("Fromage de chèvre", 40), ("Parmigiano Reggiano", 20)],
        "Répartir les quatre fromages en alternance pour que chaque part ait de tout."),
    ("Diavola", "Sauce tomate, mozzarella, salami piquant, poivrons grillés, huile pimentée.", 1290,
        &[("Sauce tomate San Marzano", 80), ("Mozzarella fior di latte", 100), ("Salami piquant", 50), ("Poivrons grillés", 40), ("Huile d'olive extra vierge", 10)],
        "Garnir de mozzarella, salami en rondelles et poivrons ; huile pimentée au sortir du four."),
    ("Napolitaine", "Sauce tomate, mozzarella, anchois, câpres, olives noires, origan.", 1190,
        &[("Sauce tomate San Marzano", 80), ("Mozzarella fior di latte", 90), ("Filets d'anchois", 6), ("Câpres", 10), ("Olives noires", 20), ("Origan séché", 1)],
        "Disposer les 6 filets d'anchois en étoile, puis câpres et olives."),
    ("Chèvre-miel", "Crème fraîche, mozzarella, chèvre, miel de lavande, roquette.", 1350,
        &[("Crème fraîche épaisse", 60), ("Mozzarella fior di latte", 80), ("Fromage de chèvre", 90), ("Miel de lavande", 15), ("Roquette", 15)],
        "Rondelles de chèvre sur la mozzarella ; après cuisson, filet de miel et roquette."),
    ("Végétarienne", "Sauce tomate, mozzarella, poivrons, champignons, oignons rouges, artichauts, olives.", 1290,
        &[("Sauce tomate San Marzano", 80), ("Mozzarella fior di latte", 100), ("Poivrons grillés", 40), ("Champignons de Paris", 40), ("Oignons rouges", 30), ("Artichauts marinés", 40), ("Olives noires", 15)],
        "Répartir les légumes uniformément, oignons en fines rondelles."),
    ("Parma", "Sauce tomate, mozzarella di bufala, jambon cru de Parme, roquette, parmesan.", 1590,
        &[("Sauce tomate San Marzano", 80), ("Mozzarella di bufala", 100), ("Jambon cru de Parme", 80), ("Roquette", 20), ("Parmigiano Reggiano", 15)],
        "Cuire avec la bufala seule ; à la sortie, jambon cru, roquette et copeaux de parmesan."),
    ("Hawaïenne", "Sauce tomate, mozzarella, jambon blanc, ananas.", 1250,
        &[("Sauce tomate San Marzano", 80), ("Mozzarella fior di latte", 100), ("Jambon blanc", 60), ("Ananas", 70)],
        "Garnir de mozzarella, jambon et morceaux d'ananas bien égouttés."),
    ("Tonno", "Sauce tomate, mozzarella, thon, oignons rouges, câpres, olives noires.", 1290,
        &[("Sauce tomate San Marzano", 80), ("Mozzarella fior di latte", 90), ("Thon", 80), ("Oignons rouges", 30), ("Câpres", 8), ("Olives noires", 15)],
        "Émietter le thon sur la mozzarella, puis oignons, câpres et olives."),
    ("Carbonara", "Crème fraîche, mozzarella, lardons fumés, œuf, parmesan.", 1350,
        &[("Crème fraîche épaisse", 70), ("Mozzarella fior di latte", 90), ("Lardons fumés", 70), ("Œuf", 1), ("Parmigiano Reggiano", 15)],
        "Garnir de lardons ; casser l'œuf au centre à mi-cuisson ; parmesan à la sortie."),
    ("Bufalina", "Sauce tomate, mozzarella di bufala, tomates cerises, basilic, huile d'olive.", 1490,
        &[("Sauce tomate San Marzano", 80), ("Mozzarella di bufala", 120), ("Tomates cerises", 60), ("Basilic frais", 3), ("Huile d'olive extra vierge", 10)],
        "Tomates cerises coupées en deux ; bufala déchirée à la main à mi-cuisson."),
];

/// (name, description, price, kind) — each is one piece of itself.
const OTHERS: [(&str, &str, i64, &str); 9] = [
    ("Coca-Cola 33 cl", "Canette bien fraîche.", 300, "drink"),
    (
        "Eau pétillante San Pellegrino 50 cl",
        "Bouteille.",
        350,
        "drink",
    ),
    (
        "Limonade artisanale 33 cl",
        "Limonade au citron de Menton.",
        400,
        "drink",
    ),
    (
        "Bière Peroni 33 cl",
        "Bière blonde italienne (alcool : vente interdite aux mineurs).",
        450,
        "drink",
    ),
    (
        "Jus d'orange pressé 25 cl",
        "Pressé le matin même.",
        400,
        "drink",
    ),
    (
        "Tiramisu maison",
        "Mascarpone, café, cacao : la recette de la maison.",
        550,
        "dessert",
    ),
    (
        "Panna cotta aux fruits rouges",
        "Crème vanillée, coulis de fruits rouges.",
        500,
        "dessert",
    ),
    (
        "Mousse au chocolat noir",
        "Chocolat noir 70 %.",
        500,
        "dessert",
    ),
    (
        "Glace vanille de Madagascar",
        "Pot individuel 120 ml.",
        450,
        "dessert",
    ),
];

/// Stock per pizzeria that makes the demo interesting: (pizzeria slug, ingredient, on_hand).
const SCARCE: [(&str, &str, i64); 9] = [
    ("bastille", "Tiramisu maison", 3),
    ("bastille", "Filets d'anchois", 20),
    ("montmartre", "Mozzarella di bufala", 240),
    ("montmartre", "Coca-Cola 33 cl", 0),
    ("marais", "Fromage de chèvre", 0),
    ("marais", "Jambon cru de Parme", 160),
    ("batignolles", "Œuf", 2),
    ("butte-aux-cailles", "Filets d'anchois", 0),
    ("butte-aux-cailles", "Mousse au chocolat noir", 1),
];

const DOUGH_G: i64 = 250;

fn has_any(conn: &mut DbConn) -> Result<Option<&'static str>, DieselError> {
    use schema::*;
    let checks: [(&'static str, Option<i64>); 4] = [
        (
            "pizzerias",
            pizzerias::table
                .select(pizzerias::id)
                .first(conn)
                .optional()?,
        ),
        (
            "users",
            users::table.select(users::id).first(conn).optional()?,
        ),
        (
            "products",
            products::table
                .select(products::id)
                .first(conn)
                .optional()?,
        ),
        (
            "orders",
            orders::table.select(orders::id).first(conn).optional()?,
        ),
    ];
    Ok(checks
        .into_iter()
        .find(|(_, row)| row.is_some())
        .map(|(t, _)| t))
}

/// Whether the database holds nothing yet (no pizzeria, user, product or order).
pub fn is_empty(conn: &mut DbConn) -> Result<bool, DieselError> {
    has_any(conn).map(|t| t.is_none())
}

/// Loads the demo data in one transaction; refuses a database that already has data.
pub fn seed(conn: &mut DbConn) -> Result<(), DemoError> {
    // Hash outside the transaction: Argon2 is slow on purpose.
    let roles = [
        StaffRole::Counter,
        StaffRole::Pizzaiolo,
        StaffRole::Driver,
        StaffRole::Manager,
    ];
    let mut hashes: HashMap<&str, String> = HashMap::new();
    for r in roles.iter().map(|r| r.as_str()).chain(["admin"]) {
        hashes.insert(r, hash_password(&demo_password(r))?);
    }
    write_tx(conn, |c| {
        if let Some(table) = has_any(c)? {
            return Err(DemoError::NotEmpty(table));
        }
        let ingredients = insert_ingredients(c)?;
        let products = insert_products(c, &ingredients)?;
        for demo in &PIZZERIAS {
            let (slug, name) = (demo.slug, demo.name);
            let p = insert_pizzeria(c, demo)?;
            for &product in &products {
                insert(
                    c,
                    schema::menu_items::table,
                    &NewMenuItem {
                        pizzeria_id: p.0,
                        product_id: product,
                        enabled: true,
                    },
                )?;
            }
            stock_pizzeria(c, p, slug, &ingredients)?;
            for role in roles {
                let email = format!("{}.{slug}@demo.ocpizza.fr", role.as_str());
                let full_name =
                    format!("{} {}", role.label(), name.trim_start_matches("OC Pizza "));
                let user = insert_user(c, &email, &full_name, &hashes[role.as_str()], false)?;
                let m = NewMembership {
                    user_id: user,
                    pizzeria_id: p.0,
                    role: role.as_str(),
                    created_at: now(),
                };
                insert(c, schema::staff_memberships::table, &m)?;
            }
        }
        insert_user(
            c,
            "admin@demo.ocpizza.fr",
            "Direction OC Pizza",
            &hashes["admin"],
            true,
        )?;
        Ok(())
    })
}

fn insert<T, V>(conn: &mut DbConn, table: T, values: V) -> Result<i64, DieselError>
where
    T: diesel::Table,
    V: diesel::Insertable<T>,
    diesel::query_builder::InsertStatement<T, V::Values>:
        diesel::query_dsl::methods::ExecuteDsl<DbConn>,
{
    diesel::insert_into(table).values(values).execute(conn)?;
    last_insert_id(conn)
}

fn insert_ingredients(c: &mut DbConn) -> Result<HashMap<&'static str, i64>, DieselError> {
    let mut ids = HashMap::new();
    for (name, unit, _, _) in INGREDIENTS {
        let id = insert(
            c,
            schema::ingredients::table,
            &NewIngredient {
                name,
                unit,
                created_at: now(),
            },
        )?;
        ids.insert(name, id);
    }
    Ok(ids)
}

fn insert_products(
    c: &mut DbConn,
    ingredients: &HashMap<&str, i64>,
) -> Result<Vec<i64>, DieselError> {
    let mut ids = Vec::new();
    for (pos, (name, description, price, lines, topping)) in PIZZAS.iter().enumerate() {
        let id = insert_product(c, "pizza", name, description, *price, pos as i32)?;
        let dough: Line = ("Pâte à pizza", DOUGH_G);
        for (ingredient, quantity) in std::iter::once(&dough).chain(lines.iter()) {
            let line = NewRecipeLine {
                product_id: id,
                ingredient_id: ingredients[ingredient],
                quantity: *quantity,
            };
            insert(c, schema::recipe_lines::table, &line)?;
        }
        let base = if lines.iter().any(|(i, _)| i.starts_with("Crème")) {
            "la crème fraîche"
        } else {
            "la sauce tomate"
        };
        let steps = [
            format!("Étaler un pâton de {DOUGH_G} g à la main en disque de 30 cm, bords épais."),
            format!("Napper de {base} à la louche en spirale, à 2 cm du bord."),
            topping.to_string(),
            "Cuire 90 secondes au four à bois à 450 °C en tournant la pizza à mi-cuisson."
                .to_string(),
            "Vérifier le dessous (léopardé, pas brûlé), couper en 6 parts et mettre en boîte."
                .to_string(),
        ];
        for (i, instruction) in steps.iter().enumerate() {
            let step = NewRecipeStep {
                product_id: id,
                position: i as i32 + 1,
                instruction,
            };
            insert(c, schema::recipe_steps::table, &step)?;
        }
        ids.push(id);
    }
    for (pos, (name, description, price, kind)) in OTHERS.iter().enumerate() {
        let id = insert_product(c, kind, name, description, *price, pos as i32)?;
        let line = NewRecipeLine {
            product_id: id,
            ingredient_id: ingredients[name],
            quantity: 1,
        };
        insert(c, schema::recipe_lines::table, &line)?;
        ids.push(id);
    }
    Ok(ids)
}

fn insert_product(
    c: &mut DbConn,
    kind: &str,
    name: &str,
    description: &str,
    price: i64,
    position: i32,
) -> Result<i64, DieselError> {
    let t = now();
    let row = NewProduct {
        kind,
        name,
        description,
        price_cents: price,
        position,
        active: true,
        created_at: t,
        updated_at: t,
    };
    insert(c, schema::products::table, &row)
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
    let id = insert(c, schema::pizzerias::table, &row)?;
    for (weekday, close) in demo.closes.iter().enumerate().filter(|(_, c)| **c > 0) {
        for (opens_at, closes_at) in [(690, 870), (1110, i32::from(*close))] {
            let slot = NewOpeningHours {
                pizzeria_id: id,
                weekday: weekday as i32,
                opens_at,
                closes_at,
            };
            insert(c, schema::opening_hours::table, &slot)?;
        }
    }
    Ok(PizzeriaId(id))
}

/// Every ingredient gets a stock row and a supplier-delivery ledger row explaining it.
fn stock_pizzeria(
    c: &mut DbConn,
    p: PizzeriaId,
    slug: &str,
    ingredients: &HashMap<&str, i64>,
) -> Result<(), DieselError> {
    for (index, (name, _, usual, low)) in INGREDIENTS.iter().enumerate() {
        let scarce = SCARCE
            .iter()
            .find(|(s, n, _)| *s == slug && n == name)
            .map(|(_, _, q)| *q);
        // Vary the usual levels a little from one pizzeria to the next.
        let on_hand = scarce.unwrap_or(usual + usual * ((p.0 + index as i64) % 3) / 10);
        let ingredient = IngredientId(ingredients[name]);
        let level = NewLevel {
            pizzeria_id: p.0,
            ingredient_id: ingredient.0,
            on_hand: 0,
            reserved: 0,
            low_threshold: *low,
            updated_at: now(),
        };
        stock_rows::insert_level(c, &level)?;
        if on_hand > 0 {
            stock_rows::try_shift_on_hand(c, p, ingredient, on_hand)?;
            let note = Some("Stock initial (données de démonstration)");
            stock_rows::record(
                c,
                p,
                ingredient,
                MovementReason::SupplierDelivery,
                (on_hand, 0),
                Context {
                    note,
                    ..Context::default()
                },
            )?;
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
) -> Result<i64, DieselError> {
    let row = NewUser {
        email,
        password_hash,
        full_name,
        phone: None,
        is_admin,
        active: true,
        created_at: now(),
    };
    insert(c, schema::users::table, &row)
}

/// Every pizzeria open all day, every day: for tests and benchmarks that order "as soon as
/// possible" whatever the hour they run at.
pub fn open_all_day(conn: &mut DbConn) -> Result<(), DieselError> {
    use schema::{opening_hours, pizzerias};
    write_tx(conn, |c| {
        diesel::delete(opening_hours::table).execute(c)?;
        let ids: Vec<i64> = pizzerias::table.select(pizzerias::id).load(c)?;
        for pizzeria_id in ids {
            for weekday in 0..7 {
                diesel::insert_into(opening_hours::table)
                    .values(&NewOpeningHours {
                        pizzeria_id,
                        weekday,
                        opens_at: 0,
                        closes_at: 24 * 60,
                    })
                    .execute(c)?;
            }
        }
        Ok(())
    })
}
