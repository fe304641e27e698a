//! A pizzeria's menu: products, French prices, and availability computed from stock.

use crate::each_backend;
use crate::fixtures;
use crate::harness::TestApp;
use diesel::connection::{Connection, InstrumentationEvent};
use diesel::prelude::*;
use ocpizza::models::menu;
use ocpizza::models::stock::Context;
use ocpizza::services::stock::{self, Need};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// The availability label of one product card of a menu page.
pub fn availability_of(html: &str, product: i64) -> String {
    let start = html
        .find(&format!(r#"id="product-{product}""#))
        .expect("product on the menu");
    let card = &html[start..start + html[start..].find("</li>").unwrap()];
    let badge = &card[card.find("class=\"availability").unwrap()..];
    let text = &badge[badge.find('>').unwrap() + 1..badge.find("</span>").unwrap()];
    text.to_string()
}

each_backend! {
    async fn the_menu_lists_pizzas_drinks_and_desserts_with_french_prices(db) {
        let app = TestApp::with_demo(db).await;
        let bastille = app.with_conn(|c| fixtures::pizzeria(c, "bastille")).await;
        let (status, html) = app.get(&format!("/pizzerias/{bastille}")).await;
        assert_eq!(status, 200);
        for heading in ["Pizzas", "Boissons", "Desserts"] {
            assert!(html.contains(&format!(">{heading}</h2>")), "{heading}");
        }
        assert!(html.contains("Regina"));
        assert!(html.contains("12,50\u{a0}€"), "Regina's price in French format");
        assert!(html.contains("Tiramisu maison"));
        assert!(html.contains(r#"name="viewport""#));
        assert!(html.contains(&format!(r#"sse-connect="/pizzerias/{bastille}/events?v="#)));
    }

    async fn scarce_products_say_how_many_are_left_and_empty_ones_are_sold_out(db) {
        let app = TestApp::with_demo(db).await;
        let (montmartre, marais, bufalina, parma, coca, chevre_miel, margherita) = app
            .with_conn(|c| (
                fixtures::pizzeria(c, "montmartre"),
                fixtures::pizzeria(c, "marais"),
                fixtures::product(c, "Bufalina"),
                fixtures::product(c, "Parma"),
                fixtures::product(c, "Coca-Cola 33 cl"),
                fixtures::product(c, "Chèvre-miel"),
                fixtures::product(c, "Margherita"),
            ))
            .await;
        let (_, html) = app.get(&format!("/pizzerias/{montmartre}")).await;
        // 240 g of bufala: 2 Bufalina (120 g) or 2 Parma (100 g).
        assert_eq!(availability_of(&html, bufalina.0), "Plus que 2");
        assert_eq!(availability_of(&html, parma.0), "Plus que 2");
        assert_eq!(availability_of(&html, coca.0), "Épuisée");
        assert_eq!(availability_of(&html, margherita.0), "Disponible");
        let (_, html) = app.get(&format!("/pizzerias/{marais}")).await;
        assert_eq!(availability_of(&html, chevre_miel.0), "Épuisée");
        assert_eq!(availability_of(&html, bufalina.0), "Disponible");
    }

    async fn reserved_stock_is_no_longer_offered(db) {
        let app = TestApp::with_demo(db).await;
        let (p, bufala, bufalina) = app
            .with_conn(|c| (
                fixtures::pizzeria(c, "montmartre"),
                fixtures::ingredient(c, "Mozzarella di bufala"),
                fixtures::product(c, "Bufalina"),
            ))
            .await;
        app.with_conn(move |c| stock::reserve(c, p, &[Need { ingredient: bufala, qty: 120 }], Context::default()))
            .await
            .unwrap();
        let (_, html) = app.get(&format!("/pizzerias/{p}")).await;
        assert_eq!(availability_of(&html, bufalina.0), "Plus que 1");
    }

    async fn a_product_switched_off_at_one_pizzeria_leaves_only_that_menu(db) {
        use ocpizza::db::schema::menu_items;
        let app = TestApp::with_demo(db).await;
        let (bastille, marais, regina) = app
            .with_conn(|c| (fixtures::pizzeria(c, "bastille"), fixtures::pizzeria(c, "marais"), fixtures::product(c, "Regina")))
            .await;
        app.with_conn(move |c| {
            diesel::update(menu_items::table.filter(menu_items::pizzeria_id.eq(bastille.0)).filter(menu_items::product_id.eq(regina.0)))
                .set(menu_items::enabled.eq(false))
                .execute(c)
        })
        .await
        .unwrap();
        let (_, html) = app.get(&format!("/pizzerias/{bastille}")).await;
        assert!(!html.contains(&format!(r#"id="product-{regina}""#)));
        let (_, html) = app.get(&format!("/pizzerias/{marais}")).await;
        assert!(html.contains(&format!(r#"id="product-{regina}""#)));
    }

    async fn the_menu_takes_two_queries_whatever_the_number_of_products(db) {
        use ocpizza::db::schema::{menu_items, products, recipe_lines};
        let app = TestApp::with_demo(db).await;
        let p = app.with_conn(|c| fixtures::pizzeria(c, "bastille")).await;
        let count_queries = move |c: &mut ocpizza::db::DbConn| {
            let queries = Arc::new(AtomicUsize::new(0));
            let seen = queries.clone();
            c.set_instrumentation(move |e: InstrumentationEvent<'_>| {
                if matches!(e, InstrumentationEvent::StartQuery { .. }) {
                    seen.fetch_add(1, Ordering::SeqCst);
                }
            });
            let n = menu::products(c, p).unwrap().len();
            menu::counts(c, p).unwrap();
            c.set_instrumentation(|_: InstrumentationEvent<'_>| {});
            (n, queries.load(Ordering::SeqCst))
        };
        let (before, queries_before) = app.with_conn(count_queries).await;
        app.with_conn(move |c| {
            let dough = fixtures::ingredient(c, "Pâte à pizza");
            let now = ocpizza::models::now();
            for i in 0..30 {
                diesel::insert_into(products::table)
                    .values((products::kind.eq("pizza"), products::name.eq(format!("Pizza du jour {i}")),
                        products::description.eq("Test"), products::price_cents.eq(1000), products::position.eq(100 + i),
                        products::active.eq(true), products::created_at.eq(now), products::updated_at.eq(now)))
                    .execute(c).unwrap();
                let id = ocpizza::db::last_insert_id(c).unwrap();
                diesel::insert_into(recipe_lines::table)
                    .values((recipe_lines::product_id.eq(id), recipe_lines::ingredient_id.eq(dough.0), recipe_lines::quantity.eq(250)))
                    .execute(c).unwrap();
                diesel::insert_into(menu_items::table)
                    .values((menu_items::pizzeria_id.eq(p.0), menu_items::product_id.eq(id), menu_items::enabled.eq(true)))
                    .execute(c).unwrap();
            }
        })
        .await;
        let (after, queries_after) = app.with_conn(count_queries).await;
        assert_eq!(after, before + 30);
        assert_eq!(queries_before, 2);
        assert_eq!(queries_after, 2);
    }
}
