//! The customer's journey: cart, checkout, tracking, modify and cancel.

use crate::customer::Customer;
use crate::each_backend;
use crate::fixtures;
use crate::harness::TestApp;
use crate::live::SseReader;
use diesel::prelude::*;
use ocpizza::db::schema::{email_outbox, order_events, order_lines};
use ocpizza::domain::ids::{OrderId, PizzeriaId, ProductId};
use ocpizza::domain::order::{Actor, OrderStatus};
use ocpizza::models::order as order_rows;
use ocpizza::models::stock as stock_rows;
use ocpizza::services::orders;
use std::time::Duration;

pub struct Shop {
    pub app: TestApp,
    pub bastille: PizzeriaId,
    pub montmartre: PizzeriaId,
    pub marais: PizzeriaId,
    pub margherita: ProductId,
    pub regina: ProductId,
    pub bufalina: ProductId,
}

/// The demo, open all day.
pub async fn shop(db: std::sync::Arc<crate::harness::TestDb>) -> Shop {
    let app = TestApp::with_demo(db).await;
    let ids = app
        .with_conn(|c| {
            fixtures::open_all_day(c);
            (
                fixtures::pizzeria(c, "bastille"),
                fixtures::pizzeria(c, "montmartre"),
                fixtures::pizzeria(c, "marais"),
                fixtures::product(c, "Margherita"),
                fixtures::product(c, "Regina"),
                fixtures::product(c, "Bufalina"),
            )
        })
        .await;
    Shop {
        app,
        bastille: ids.0,
        montmartre: ids.1,
        marais: ids.2,
        margherita: ids.3,
        regina: ids.4,
        bufalina: ids.5,
    }
}

pub async fn order_by_token(app: &TestApp, token: &str) -> order_rows::OrderRow {
    let t = token.to_string();
    let t = ocpizza::domain::token::OrderToken::parse(&t).expect("a tracking token");
    app.with_conn(move |c| order_rows::by_token(c, &t).unwrap().expect("order exists"))
        .await
}

const WAIT: Duration = Duration::from_secs(10);

each_backend! {
    async fn the_cart_keeps_its_lines_and_total_across_reloads(db) {
        let s = shop(db).await;
        let mut c = Customer::new(&s.app).await;
        let added = c.add(s.bastille.0, s.margherita.0, 1).await;
        assert_eq!(added.status, 200);
        assert!(added.body.contains("1 article · 10,50\u{a0}€"), "{}", added.body);
        let added = c.add(s.bastille.0, s.regina.0, 2).await;
        assert!(added.body.contains("3 articles · 35,50\u{a0}€"), "{}", added.body);
        let cart = c.get("/cart").await;
        assert!(cart.body.contains("Margherita") && cart.body.contains("Regina"));
        assert!(cart.body.contains("Total : <strong>35,50\u{a0}€</strong>"));
        let changed = c.htmx_post(&format!("/cart/lines/{}", s.regina), &[("quantity", "1")]).await;
        assert_eq!(changed.status, 200);
        assert!(changed.body.contains("23,00\u{a0}€"), "{}", changed.body);
        let removed = c.htmx_post(&format!("/cart/lines/{}", s.margherita), &[("quantity", "0")]).await;
        assert!(!removed.body.contains("Margherita"));
        assert!(c.get("/cart").await.body.contains("12,50\u{a0}€"));
    }

    async fn switching_pizzeria_asks_before_emptying_the_cart(db) {
        let s = shop(db).await;
        let mut c = Customer::new(&s.app).await;
        c.add(s.bastille.0, s.margherita.0, 1).await;
        let asked = c.add(s.marais.0, s.regina.0, 1).await;
        assert_eq!(asked.status, 409);
        assert!(asked.body.contains("Votre panier contient des produits de OC Pizza Bastille"), "{}", asked.body);
        assert!(c.get("/cart").await.body.contains("OC Pizza Bastille"), "cart unchanged");
        let (m, r) = (s.marais.0.to_string(), s.regina.0.to_string());
        let replaced = c.htmx_post("/cart/lines", &[("pizzeria_id", &m), ("product_id", &r), ("quantity", "1"), ("replace", "1")]).await;
        assert_eq!(replaced.status, 200);
        let cart = c.get("/cart").await.body;
        assert!(cart.contains("OC Pizza Marais") && cart.contains("Regina") && !cart.contains("Margherita"));
    }

    async fn placing_an_order_writes_order_lines_reservation_event_and_email_together(db) {
        let s = shop(db).await;
        let mut c = Customer::new(&s.app).await;
        c.add(s.bastille.0, s.margherita.0, 1).await;
        c.add(s.bastille.0, s.regina.0, 2).await;
        let placed = c.checkout().await;
        assert_eq!(placed.status, 303, "{}", placed.body);
        let token = Customer::token_of(&placed);
        assert!(token.len() >= 43);
        let o = order_by_token(&s.app, &token).await;
        assert_eq!((o.status.as_str(), o.payment_status.as_str(), o.total.cents()), ("RECEIVED", "UNPAID", 3550));
        assert_eq!(o.customer_phone, "06 12 34 56 78");
        assert_eq!(o.delivery_instructions.as_deref(), Some("Code 4521B, 3e étage"));
        let id = o.id;
        let (lines, events, emails, held) = s.app.with_conn(move |c| (
            order_lines::table.filter(order_lines::order_id.eq(id.0)).select((order_lines::product_name, order_lines::unit_price_cents, order_lines::quantity)).order(order_lines::id).load::<(String, i64, i32)>(c).unwrap(),
            order_events::table.filter(order_events::order_id.eq(id.0)).select(order_events::to_status).load::<String>(c).unwrap(),
            email_outbox::table.filter(email_outbox::order_id.eq(id.0)).select((email_outbox::template, email_outbox::recipient)).load::<(String, String)>(c).unwrap(),
            order_rows::reserved_for(c, id).unwrap(),
        )).await;
        assert_eq!(lines, vec![("Margherita".into(), 1050, 1), ("Regina".into(), 1250, 2)]);
        assert_eq!(events, vec!["RECEIVED".to_string()]);
        assert_eq!(emails, vec![("order_confirmed".into(), "lea@example.fr".into())]);
        assert!(!held.is_empty(), "ingredients reserved for the order");
        // The cart became the order.
        assert!(c.get("/cart").await.body.contains("Votre panier est vide"));
        let page = c.get(&format!("/orders/{token}")).await;
        assert!(page.body.contains("Statut : <strong>Reçue</strong>") && page.body.contains("35,50\u{a0}€") && page.body.contains("Modifier la commande"));
    }

    async fn a_resubmitted_or_double_clicked_checkout_creates_one_order(db) {
        let s = shop(db).await;
        let mut c = Customer::new(&s.app).await;
        c.add(s.bastille.0, s.margherita.0, 1).await;
        let key = c.open_checkout().await;
        let (first, second) = {
            let mut twin = Customer { http: c.http.clone(), base: c.base.clone(), csrf: c.csrf.clone() };
            tokio::join!(c.checkout_with(&key, &[]), twin.checkout_with(&key, &[]))
        };
        assert_eq!((first.status, second.status), (303, 303));
        assert_eq!(first.location, second.location);
        let again = c.checkout_with(&key, &[]).await;
        assert_eq!(again.location, first.location, "a later resubmission lands on the same order");
        let (orders, _, emails, _) = s.app.with_conn(fixtures::count_rows).await;
        assert_eq!((orders, emails), (1, 1));
    }

    async fn two_tabs_checking_out_one_cart_make_one_order(db) {
        let s = shop(db).await;
        let mut tab_a = Customer::new(&s.app).await;
        tab_a.add(s.bastille.0, s.margherita.0, 1).await;
        let mut tab_b = Customer { http: tab_a.http.clone(), base: tab_a.base.clone(), csrf: tab_a.csrf.clone() };
        let (key_a, key_b) = (tab_a.open_checkout().await, tab_b.open_checkout().await);
        assert_ne!(key_a, key_b);
        let (a, b) = tokio::join!(tab_a.checkout_with(&key_a, &[]), tab_b.checkout_with(&key_b, &[]));
        let mut statuses = [a.status, b.status];
        statuses.sort();
        assert_eq!(statuses, [303, 409], "{:?} {} / {:?} {}", a.location, a.body, b.location, b.body);
        let refused = if a.status == 409 { &a } else { &b };
        assert!(refused.body.contains("panier a changé") || refused.body.contains("Votre panier est vide"), "{}", refused.body);
        let (orders, _, _, _) = s.app.with_conn(fixtures::count_rows).await;
        assert_eq!(orders, 1);
    }

    async fn a_tab_submitting_after_another_tab_ordered_is_told_the_cart_is_gone(db) {
        let s = shop(db).await;
        let mut tab_a = Customer::new(&s.app).await;
        tab_a.add(s.bastille.0, s.margherita.0, 1).await;
        let mut tab_b = Customer { http: tab_a.http.clone(), base: tab_a.base.clone(), csrf: tab_a.csrf.clone() };
        let (key_a, key_b) = (tab_a.open_checkout().await, tab_b.open_checkout().await);
        assert_eq!(tab_a.checkout_with(&key_a, &[]).await.status, 303);
        let late = tab_b.checkout_with(&key_b, &[]).await;
        assert_eq!(late.status, 409, "{}", late.body);
        assert!(late.body.contains("Votre panier est vide") && late.body.contains("autre onglet"), "{}", late.body);
        let (orders, _, _, _) = s.app.with_conn(fixtures::count_rows).await;
        assert_eq!(orders, 1);
    }

    async fn an_ingredient_running_out_meanwhile_writes_nothing_and_says_what_is_left(db) {
        let s = shop(db).await;
        let mut c = Customer::new(&s.app).await;
        assert_eq!(c.add(s.montmartre.0, s.bufalina.0, 2).await.status, 200);
        let key = c.open_checkout().await;
        // Another customer takes 120 g of the last 240 g of bufala.
        let (p, bufala) = (s.montmartre, s.app.with_conn(|c| fixtures::ingredient(c, "Mozzarella di bufala")).await);
        s.app.with_conn(move |c| ocpizza::services::stock::reserve(c, p, &[ocpizza::services::stock::Need { ingredient: bufala, qty: 120 }], Default::default())).await.unwrap();
        let before = s.app.with_conn(fixtures::count_rows).await;
        let refused = c.checkout_with(&key, &[]).await;
        assert_eq!(refused.status, 409);
        assert!(refused.body.contains("« Bufalina » : il n&#x27;en reste qu&#x27;un exemplaire (vous en demandez 2)."), "{}", refused.body);
        assert_eq!(s.app.with_conn(fixtures::count_rows).await, before, "nothing written");
        assert!(c.get("/cart").await.body.contains("Bufalina"), "the cart stays");
        let level = s.app.with_conn(move |c| stock_rows::level(c, p, bufala).unwrap().unwrap()).await;
        assert_eq!(level.reserved, 120);
    }

    async fn fifty_concurrent_checkouts_sell_exactly_the_stock(db) {
        let s = shop(db).await;
        let (p, bufala) = (s.montmartre, s.app.with_conn(|c| fixtures::ingredient(c, "Mozzarella di bufala")).await);
        s.app.with_conn(move |c| fixtures::set_stock(c, p, bufala, 1_200)).await; // 10 Bufalina
        let mut customers = Vec::new();
        for _ in 0..50 {
            let mut c = Customer::new(&s.app).await;
            assert_eq!(c.add(p.0, s.bufalina.0, 1).await.status, 200);
            let key = c.open_checkout().await;
            customers.push((c, key));
        }
        let results = futures_util::future::join_all(customers.iter_mut().map(|(c, key)| {
            let key = key.clone();
            async move { c.checkout_with(&key, &[]).await }
        }))
        .await;
        let won = results.iter().filter(|r| r.status == 303).count();
        let refused: Vec<_> = results.iter().filter(|r| r.status == 409).collect();
        assert_eq!(won, 10, "exactly as many orders as the stock allows");
        assert_eq!(refused.len(), 40);
        for r in refused {
            assert!(r.body.contains("« Bufalina » n&#x27;est plus disponible : retirez ce produit de votre panier."), "{}", r.body);
        }
        let (level, ledger) = s.app.with_conn(move |c| (stock_rows::level(c, p, bufala).unwrap().unwrap(), stock_rows::ledger_sum(c, p, bufala).unwrap())).await;
        assert_eq!(level.on_hand, 1_200);
        assert_eq!(level.reserved, 1_200);
        assert_eq!(ledger, level);
        let orders: i64 = s.app.with_conn(|c| ocpizza::db::schema::orders::table.count().get_result(c).unwrap()).await;
        assert_eq!(orders, 10);
    }

    async fn the_tracking_page_follows_a_status_change_made_by_another_process(db) {
        let s = shop(db).await;
        let other = s.app.another_instance().await;
        let mut c = Customer::new(&s.app).await;
        c.add(s.bastille.0, s.margherita.0, 1).await;
        let token = Customer::token_of(&c.checkout().await);
        let mut sse = SseReader::open(&s.app, &format!("/orders/{token}/events")).await;
        let first = sse.wait_for("status", WAIT).await.expect("initial status");
        assert!(first.data.contains("Statut : <strong>Reçue</strong>") && first.data.contains("Annuler la commande"));
        let (p, id) = (s.bastille, order_by_token(&s.app, &token).await.id);
        other.with_conn(move |c| orders::change_status(c, p, id, OrderStatus::InPreparation, Actor::Staff, None, None)).await.unwrap();
        let update = sse.wait_for("status", WAIT).await.expect("live update");
        assert!(update.data.contains("Statut : <strong>En préparation</strong>"), "{update:?}");
        assert!(!update.data.contains("Annuler la commande"), "the buttons are gone");
    }

    async fn the_customer_modifies_a_received_order_and_the_reservation_follows(db) {
        let s = shop(db).await;
        let mut c = Customer::new(&s.app).await;
        c.add(s.bastille.0, s.margherita.0, 1).await;
        let token = Customer::token_of(&c.checkout().await);
        let form = c.get(&format!("/orders/{token}/edit")).await;
        assert_eq!(form.status, 200);
        let (m, r) = (format!("qty[{}]", s.margherita), format!("qty[{}]", s.regina));
        let done = c.post(&format!("/orders/{token}/edit"), &[(&m, "2"), (&r, "1")]).await;
        assert_eq!(done.status, 303, "{}", done.body);
        let o = order_by_token(&s.app, &token).await;
        assert_eq!(o.total.cents(), 2 * 1050 + 1250);
        let id = o.id;
        let (lines, held, events) = s.app.with_conn(move |c| (
            order_rows::lines(c, id).unwrap().into_iter().map(|l| (l.product_name, l.quantity)).collect::<Vec<_>>(),
            order_rows::reserved_for(c, id).unwrap(),
            order_rows::events(c, id).unwrap().len(),
        )).await;
        assert_eq!(lines, vec![("Margherita".to_string(), 2), ("Regina".to_string(), 1)]);
        let dough = s.app.with_conn(|c| fixtures::ingredient(c, "Pâte à pizza")).await;
        assert!(held.contains(&(dough, 3 * 250)), "{held:?}");
        assert_eq!(events, 2);
        let page = c.get(&format!("/orders/{token}")).await.body;
        assert!(page.contains("— Commande modifiée</li>"), "{page}");
        assert!(!page.contains("Commande modifiée par le client"), "the timeline says it once");
    }

    async fn a_product_taken_off_the_menu_can_be_kept_but_not_increased(db) {
        use ocpizza::db::schema::menu_items;
        let s = shop(db).await;
        let mut c = Customer::new(&s.app).await;
        c.add(s.bastille.0, s.margherita.0, 1).await;
        c.add(s.bastille.0, s.regina.0, 1).await;
        let token = Customer::token_of(&c.checkout().await);
        let (p, r) = (s.bastille, s.regina);
        s.app.with_conn(move |c| diesel::update(menu_items::table.filter(menu_items::pizzeria_id.eq(p.0)).filter(menu_items::product_id.eq(r.0))).set(menu_items::enabled.eq(false)).execute(c).unwrap()).await;
        let (m, r) = (format!("qty[{}]", s.margherita), format!("qty[{}]", s.regina));
        let more = c.post(&format!("/orders/{token}/edit"), &[(&m, "1"), (&r, "2")]).await;
        assert_eq!(more.status, 409, "{}", more.body);
        assert!(more.body.contains("« Regina » n&#x27;est plus proposé par cette pizzeria"), "{}", more.body);
        assert_eq!(order_by_token(&s.app, &token).await.total.cents(), 1050 + 1250, "nothing changed");
        let kept = c.post(&format!("/orders/{token}/edit"), &[(&m, "2"), (&r, "1")]).await;
        assert_eq!(kept.status, 303, "{}", kept.body);
        assert_eq!(order_by_token(&s.app, &token).await.total.cents(), 2 * 1050 + 1250);
    }

    async fn a_modification_beyond_the_stock_is_refused_and_changes_nothing(db) {
        let s = shop(db).await;
        let mut c = Customer::new(&s.app).await;
        c.add(s.montmartre.0, s.bufalina.0, 1).await;
        let token = Customer::token_of(&c.checkout().await);
        let b = format!("qty[{}]", s.bufalina);
        let refused = c.post(&format!("/orders/{token}/edit"), &[(&b, "3")]).await;
        assert_eq!(refused.status, 409);
        assert!(refused.body.contains("« Bufalina » : il n&#x27;en reste que 2 exemplaires (vous en demandez 3)."), "{}", refused.body);
        let o = order_by_token(&s.app, &token).await;
        assert_eq!(o.total.cents(), 1490);
    }

    async fn the_customer_cancels_a_received_order_and_the_stock_comes_back(db) {
        let s = shop(db).await;
        let (p, bufala) = (s.montmartre, s.app.with_conn(|c| fixtures::ingredient(c, "Mozzarella di bufala")).await);
        let mut c = Customer::new(&s.app).await;
        c.add(p.0, s.bufalina.0, 2).await;
        let token = Customer::token_of(&c.checkout().await);
        assert_eq!(s.app.with_conn(move |c| stock_rows::level(c, p, bufala).unwrap().unwrap().reserved).await, 240);
        // Asked first: nothing is cancelled until the customer says yes.
        let asked = c.post(&format!("/orders/{token}/cancel"), &[]).await;
        assert_eq!(asked.status, 200);
        assert!(asked.body.contains("<h1>Annuler la commande #001 ?</h1>"), "{}", asked.body);
        assert_eq!(s.app.with_conn(move |c| stock_rows::level(c, p, bufala).unwrap().unwrap().reserved).await, 240);
        let done = c.post(&format!("/orders/{token}/cancel"), &[("confirm", "oui")]).await;
        assert_eq!(done.status, 303);
        let o = order_by_token(&s.app, &token).await;
        assert_eq!(o.status, OrderStatus::Cancelled);
        let (level, ledger, emails) = s.app.with_conn(move |c| (
            stock_rows::level(c, p, bufala).unwrap().unwrap(),
            stock_rows::ledger_sum(c, p, bufala).unwrap(),
            email_outbox::table.filter(email_outbox::order_id.eq(o.id)).select(email_outbox::template).order(email_outbox::id).load::<String>(c).unwrap(),
        )).await;
        assert_eq!(level.reserved, 0);
        assert_eq!(ledger, level);
        assert_eq!(emails, vec!["order_confirmed".to_string(), "order_cancelled".to_string()]);
        let page = c.get(&format!("/orders/{token}")).await.body;
        assert!(page.contains("Annulée") && !page.contains("Modifier la commande"));
        // A second tab still showing the order cannot cancel it again.
        let again = c.post(&format!("/orders/{token}/cancel"), &[("confirm", "oui")]).await;
        assert_eq!(again.status, 409);
        assert!(again.body.contains("Cette commande est annulée"), "{}", again.body);
        let level = s.app.with_conn(move |c| stock_rows::level(c, p, bufala).unwrap().unwrap()).await;
        assert_eq!(level.reserved, 0, "released once");
    }

    async fn once_the_kitchen_has_started_a_stale_form_is_refused(db) {
        let s = shop(db).await;
        let mut c = Customer::new(&s.app).await;
        c.add(s.bastille.0, s.margherita.0, 1).await;
        let token = Customer::token_of(&c.checkout().await);
        let page = c.get(&format!("/orders/{token}")).await;
        assert!(page.body.contains("Annuler la commande"));
        let (p, id): (PizzeriaId, OrderId) = (s.bastille, order_by_token(&s.app, &token).await.id);
        s.app.with_conn(move |c| orders::change_status(c, p, id, OrderStatus::InPreparation, Actor::Staff, None, None)).await.unwrap();
        // The form loaded before is posted now.
        let m = format!("qty[{}]", s.margherita);
        for (path, fields) in [(format!("/orders/{token}/cancel"), vec![("confirm", "oui")]), (format!("/orders/{token}/edit"), vec![(m.as_str(), "3")])] {
            let refused = c.post(&path, &fields).await;
            assert_eq!(refused.status, 409, "{path}");
            assert!(refused.body.contains("La préparation a commencé"), "{}", refused.body);
        }
        let o = order_by_token(&s.app, &token).await;
        assert_eq!((o.status.as_str(), o.total.cents()), ("IN_PREPARATION", 1050));
        let page = c.get(&format!("/orders/{token}")).await.body;
        assert!(page.contains("Statut : <strong>En préparation</strong>") && !page.contains("Annuler la commande") && !page.contains("Modifier la commande"));
    }

    async fn an_unknown_or_malformed_tracking_token_is_not_found(db) {
        let s = shop(db).await;
        let mut c = Customer::new(&s.app).await;
        for token in ["nope", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "%27%20OR%201%3D1", "a%2F..%2F..%2Fetc"] {
            let page = c.get(&format!("/orders/{token}")).await;
            assert_eq!(page.status, 404, "{token}");
            assert!(page.body.contains("Cette commande est introuvable"), "{token}");
        }
    }
}
