//! Orders carry a short number per pizzeria and day (#042) that people say aloud; the global id
//! is never shown, so a number says nothing of the group's sales.

use crate::customer::Customer;
use crate::each_backend;
use crate::ordering::{order_by_token, shop};
use diesel::prelude::*;
use diesel_migrations::MigrationHarness;
use ocpizza::db::DbConn;

each_backend! {
    async fn orders_are_numbered_per_pizzeria_and_day(db) {
        let s = shop(db).await;
        let mut tokens = Vec::new();
        for (pizzeria, product) in [(s.bastille, s.margherita), (s.bastille, s.regina), (s.marais, s.margherita)] {
            let mut c = Customer::new(&s.app).await;
            c.add(pizzeria.0, product.0, 1).await;
            tokens.push((c.checkout().await, c));
        }
        let mut numbers = Vec::new();
        for (placed, _) in &tokens {
            numbers.push(order_by_token(&s.app, &Customer::token_of(placed)).await.number);
        }
        assert_eq!(numbers, vec![Some(1), Some(2), Some(1)]);
        let (placed, c) = &mut tokens[2];
        let page = c.get(&format!("/orders/{}", Customer::token_of(placed))).await;
        assert!(page.body.contains("<h1>Commande #001</h1>"), "{}", page.body);
        assert_eq!(page.headers["x-robots-tag"], "noindex, nofollow");
        assert!(page.body.contains(r#"<meta name="robots" content="noindex, nofollow">"#));
    }

    // A database created before the numbers existed is upgraded: its orders get numbers per
    // pizzeria and day, in the order they came, and new orders go on from there.
    async fn an_existing_database_gets_its_orders_numbered_by_the_migration(db) {
        let pool = db.pool();
        let mut conn = pool.get().unwrap();
        migrate_before(&mut conn, "20261202");
        // The rows of that time, written as its schema was (today's code writes columns that
        // did not exist then).
        for (id, slug) in [(1, "bastille"), (2, "marais")] {
            diesel::sql_query(format!(
                "INSERT INTO pizzerias (id, slug, name, street, postal_code, city, phone, active, created_at) \
                 VALUES ({id}, '{slug}', 'OC Pizza {slug}', '1 rue X', '75011', 'Paris', '01 00 00 00 00', true, '2026-11-01 10:00:00')"
            ))
            .execute(&mut *conn)
            .unwrap();
        }
        for (pizzeria, at) in [(1, "2026-11-30 09:00:00"), (2, "2026-11-30 10:00:00"), (1, "2026-11-30 11:00:00"), (1, "2026-12-01 12:00:00")] {
            let token = "t".repeat(40) + &format!("{pizzeria}{}", &at[9..13]).replace([' ', ':'], "");
            diesel::sql_query(format!(
                "INSERT INTO orders (pizzeria_id, token, channel, fulfilment, status, payment_status, payment_method, \
                 customer_name, customer_phone, customer_email, total_cents, created_at, updated_at) \
                 VALUES ({pizzeria}, '{token}', 'web', 'pickup', 'DELIVERED', 'PAID', 'at_pickup', 'Léa', '06 12 34 56 78', 'lea@example.fr', 1050, '{at}', '{at}')"
            ))
            .execute(&mut *conn)
            .unwrap();
        }
        ocpizza::db::run_migrations(&mut conn).unwrap();
        use ocpizza::db::schema::orders;
        let numbered: Vec<(i64, Option<i32>)> = orders::table.order(orders::id).select((orders::pizzeria_id, orders::number)).load(&mut *conn).unwrap();
        assert_eq!(numbered, vec![(1, Some(1)), (2, Some(1)), (1, Some(2)), (1, Some(1))]);
        let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let next = ocpizza::models::order_number::next(&mut conn, ocpizza::domain::ids::PizzeriaId(1), day).unwrap();
        assert_eq!(next, 3, "new orders of that day go on from the last number");
    }

    async fn orders_placed_at_once_get_distinct_numbers(db) {
        let s = shop(db).await;
        let mut customers = Vec::new();
        for _ in 0..20 {
            let mut c = Customer::new(&s.app).await;
            c.add(s.bastille.0, s.margherita.0, 1).await;
            let form = c.open_checkout().await;
            customers.push((c, form));
        }
        let placed = futures_util::future::join_all(customers.iter_mut().map(|(c, form)| {
            let form = form.clone();
            async move { c.checkout_with(&form, &[]).await }
        }))
        .await;
        let mut numbers = Vec::new();
        for p in &placed {
            assert_eq!(p.status, 303, "{}", p.body);
            numbers.push(order_by_token(&s.app, &Customer::token_of(p)).await.number.unwrap());
        }
        numbers.sort();
        assert_eq!(numbers, (1..=20).collect::<Vec<i32>>());
    }
}

/// Applies the migrations older than `version` (a date prefix), as a database deployed then has.
fn migrate_before(conn: &mut DbConn, version: &str) {
    macro_rules! step {
        ($c:expr, $source:expr) => {
            loop {
                let pending = $c.pending_migrations($source).unwrap();
                match pending.first() {
                    Some(m) if m.name().version().to_string().as_str() < version => {
                        $c.run_next_migration($source).unwrap();
                    }
                    _ => break,
                }
            }
        };
    }
    match conn {
        #[cfg(feature = "mysql")]
        DbConn::Mysql(c) => step!(c, ocpizza::db::migrate::MYSQL_MIGRATIONS),
        DbConn::Sqlite(c) => step!(c, ocpizza::db::migrate::SQLITE_MIGRATIONS),
    }
}
