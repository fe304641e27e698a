//! Lookups into the demo data by name, so tests read like the demo.

use diesel::prelude::*;
use ocpizza::db::schema::{ingredients, pizzerias, products};
use ocpizza::db::DbConn;
use ocpizza::domain::ids::{IngredientId, PizzeriaId, ProductId};

pub fn pizzeria(conn: &mut DbConn, slug: &str) -> PizzeriaId {
    PizzeriaId(
        pizzerias::table
            .filter(pizzerias::slug.eq(slug))
            .select(pizzerias::id)
            .first(conn)
            .unwrap(),
    )
}

pub fn ingredient(conn: &mut DbConn, name: &str) -> IngredientId {
    IngredientId(
        ingredients::table
            .filter(ingredients::name.eq(name))
            .select(ingredients::id)
            .first(conn)
            .unwrap(),
    )
}

pub fn product(conn: &mut DbConn, name: &str) -> ProductId {
    ProductId(
        products::table
            .filter(products::name.eq(name))
            .select(products::id)
            .first(conn)
            .unwrap(),
    )
}

/// Every demo pizzeria open all day, every day: tests can order "as soon as possible" at any
/// hour they run.
pub fn open_all_day(conn: &mut DbConn) {
    ocpizza::services::demo::open_all_day(conn).unwrap();
}

/// Sets an ingredient's stock at a pizzeria through the stock service (an inventory count).
pub fn set_stock(conn: &mut DbConn, p: PizzeriaId, ingredient: IngredientId, qty: i64) {
    ocpizza::services::stock::count(conn, p, ingredient, qty, Default::default()).unwrap();
}

/// Orders, order events, e-mails and ledger rows. The low-stock alerts to managers are left out:
/// a worker of their own queues them whenever stock crosses a threshold (the demo starts with
/// some ingredients low), whatever the request under test.
pub fn count_rows(conn: &mut DbConn) -> (i64, i64, i64, i64) {
    use ocpizza::db::schema::{email_outbox, order_events, orders, stock_movements};
    (
        orders::table.count().get_result(conn).unwrap(),
        order_events::table.count().get_result(conn).unwrap(),
        email_outbox::table
            .filter(email_outbox::template.ne(ocpizza::services::stock::alerts::TEMPLATE))
            .count()
            .get_result(conn)
            .unwrap(),
        stock_movements::table.count().get_result(conn).unwrap(),
    )
}
