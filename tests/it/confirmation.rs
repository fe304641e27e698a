//! What a customer confirmed is what is ordered: a checkout form carries the version of the
//! cart it showed, and a cart changed since is not ordered.

use crate::customer::{field_in, Customer};
use crate::each_backend;
use crate::fixtures;
use crate::ordering::{order_by_token, shop};
use diesel::prelude::*;

each_backend! {
    async fn a_cart_changed_in_another_tab_after_the_form_was_shown_is_not_ordered(db) {
        let s = shop(db).await;
        let mut tab_a = Customer::new(&s.app).await;
        tab_a.add(s.bastille.0, s.margherita.0, 1).await;
        let shown = tab_a.open_checkout().await;
        // Another tab of the same browser adds a Regina after the form was displayed.
        let mut tab_b = Customer { http: tab_a.http.clone(), base: tab_a.base.clone(), csrf: tab_a.csrf.clone() };
        assert_eq!(tab_b.add(s.bastille.0, s.regina.0, 1).await.status, 200);
        let before = s.app.with_conn(fixtures::count_rows).await;

        let refused = tab_a.checkout_with(&shown, &[]).await;

        assert_eq!(refused.status, 409, "{}", refused.body);
        assert!(refused.body.contains("Votre panier a changé entre-temps"), "{}", refused.body);
        let recap = section(&refused.body, r#"<section class="recap""#);
        assert!(recap.contains("1 × Margherita") && recap.contains("1 × Regina"), "{recap}");
        assert!(recap.contains("1 × Regina — 12,50\u{a0}€ <mark>ajouté depuis</mark>"), "what changed is marked: {recap}");
        assert!(refused.body.contains("Valider la commande · 23,00\u{a0}€"), "the new total on the button");
        assert_eq!(s.app.with_conn(fixtures::count_rows).await, before, "nothing written");
        let version = field_in(&refused.body, "cart_version").expect("a new version in the form");
        assert_ne!(version, shown.version);

        // The form shown again orders what it now shows.
        let lines = field_in(&refused.body, "cart_shown").expect("the new lines in the form");
        let again = crate::customer::CheckoutForm { version, shown: lines, ..shown };
        let placed = tab_a.checkout_with(&again, &[]).await;
        assert_eq!(placed.status, 303, "{}", placed.body);
        let order = order_by_token(&s.app, &Customer::token_of(&placed)).await;
        assert_eq!(order.total.cents(), 1050 + 1250);
    }

    async fn a_refused_field_and_a_cart_changed_meanwhile_are_both_said(db) {
        let s = shop(db).await;
        let mut tab_a = Customer::new(&s.app).await;
        tab_a.add(s.bastille.0, s.margherita.0, 1).await;
        let shown = tab_a.open_checkout().await;
        let mut tab_b = Customer { http: tab_a.http.clone(), base: tab_a.base.clone(), csrf: tab_a.csrf.clone() };
        tab_b.add(s.bastille.0, s.regina.0, 1).await;
        let refused = tab_a.checkout_with(&shown, &[("phone", "12")]).await;
        assert_eq!(refused.status, 422);
        assert!(refused.body.contains("Numéro de téléphone invalide"), "{}", refused.body);
        assert!(refused.body.contains("Votre panier a changé entre-temps"), "{}", refused.body);
        assert!(section(&refused.body, r#"<section class="recap""#).contains("1 × Regina"));
    }

    async fn a_form_with_a_made_up_cart_version_is_refused_and_writes_nothing(db) {
        let s = shop(db).await;
        let mut c = Customer::new(&s.app).await;
        c.add(s.bastille.0, s.margherita.0, 1).await;
        let shown = c.open_checkout().await;
        let before = s.app.with_conn(fixtures::count_rows).await;
        let made_up = "f".repeat(24);
        for (version, status, said) in [
            ("", 422, "Ce formulaire a expiré"),
            ("not-a-version", 422, "Ce formulaire a expiré"),
            (made_up.as_str(), 409, "Votre panier a changé entre-temps"),
        ] {
            let form = crate::customer::CheckoutForm { version: version.to_string(), ..shown.clone() };
            let refused = c.checkout_with(&form, &[]).await;
            assert_eq!(refused.status, status, "{version:?}: {}", refused.body);
            assert!(refused.body.contains(said), "{version:?}: {}", refused.body);
            assert_eq!(s.app.with_conn(fixtures::count_rows).await, before, "{version:?}: nothing written");
        }
        assert_eq!(c.checkout_with(&shown, &[]).await.status, 303, "the form as shown still orders");
    }
}

each_backend! {
    async fn a_price_edited_after_the_form_was_shown_is_not_charged(db) {
        use ocpizza::db::schema::products;
        let s = shop(db).await;
        let mut c = Customer::new(&s.app).await;
        c.add(s.bastille.0, s.margherita.0, 1).await;
        let shown = c.open_checkout().await;
        let m = s.margherita;
        s.app.with_conn(move |c| diesel::update(products::table.find(m.0)).set(products::price_cents.eq(1150)).execute(c).unwrap()).await;
        let before = s.app.with_conn(fixtures::count_rows).await;
        let refused = c.checkout_with(&shown, &[]).await;
        assert_eq!(refused.status, 409);
        assert!(refused.body.contains("Votre panier a changé entre-temps"), "{}", refused.body);
        let recap = section(&refused.body, r#"<section class="recap""#);
        assert!(recap.contains("<mark>prix : 10,50\u{a0}€ → 11,50\u{a0}€</mark>"), "{recap}");
        assert!(refused.body.contains("Valider la commande · 11,50\u{a0}€"));
        assert_eq!(s.app.with_conn(fixtures::count_rows).await, before, "nothing written");
    }

    async fn a_product_switched_off_after_the_form_was_shown_is_not_ordered(db) {
        use ocpizza::db::schema::menu_items;
        let s = shop(db).await;
        let mut c = Customer::new(&s.app).await;
        c.add(s.bastille.0, s.margherita.0, 1).await;
        c.add(s.bastille.0, s.regina.0, 1).await;
        let shown = c.open_checkout().await;
        let (p, m) = (s.bastille, s.margherita);
        s.app.with_conn(move |c| diesel::update(menu_items::table.filter(menu_items::pizzeria_id.eq(p.0)).filter(menu_items::product_id.eq(m.0))).set(menu_items::enabled.eq(false)).execute(c).unwrap()).await;
        let before = s.app.with_conn(fixtures::count_rows).await;
        let refused = c.checkout_with(&shown, &[]).await;
        assert_eq!(refused.status, 409);
        assert!(refused.body.contains("« Margherita » n&#x27;est plus proposé par cette pizzeria"), "{}", refused.body);
        assert!(section(&refused.body, r#"<section class="recap""#).contains("<mark>n&#x27;est plus proposé</mark>"));
        assert!(!refused.body.contains("Valider la commande"), "no button to order what cannot be ordered");
        assert_eq!(s.app.with_conn(fixtures::count_rows).await, before, "nothing written");
    }

    async fn a_pizzeria_deactivated_meanwhile_takes_no_order_and_the_cart_stays(db) {
        use ocpizza::db::schema::pizzerias;
        let s = shop(db).await;
        let mut earlier = Customer::new(&s.app).await;
        earlier.add(s.bastille.0, s.regina.0, 1).await;
        let tracked = Customer::token_of(&earlier.checkout().await);
        let mut c = Customer::new(&s.app).await;
        c.add(s.bastille.0, s.margherita.0, 1).await;
        let shown = c.open_checkout().await;
        let p = s.bastille;
        s.app.with_conn(move |c| diesel::update(pizzerias::table.find(p.0)).set(pizzerias::active.eq(false)).execute(c).unwrap()).await;
        let before = s.app.with_conn(fixtures::count_rows).await;
        let refused = c.checkout_with(&shown, &[]).await;
        assert_eq!(refused.status, 409);
        assert!(refused.body.contains("OC Pizza Bastille ne prend plus de commandes en ligne"), "{}", refused.body);
        assert!(refused.body.contains(&format!(r#"<a href="/pizzerias/{}">OC Pizza Marais</a>"#, s.marais)), "the pizzerias still open are offered");
        assert_eq!(s.app.with_conn(fixtures::count_rows).await, before, "nothing written");
        let cart = c.get("/cart").await.body;
        assert!(cart.contains("Margherita") && cart.contains("OC Pizza Bastille") && cart.contains("01 43 55 12 12"), "{cart}");
        let page = earlier.get(&format!("/orders/{tracked}")).await.body;
        assert!(page.contains("OC Pizza Bastille") && page.contains("01 43 55 12 12"), "its orders still name it: {page}");
    }

    async fn emptying_the_cart_asks_first_with_and_without_htmx(db) {
        let s = shop(db).await;
        let mut c = Customer::new(&s.app).await;
        c.add(s.bastille.0, s.margherita.0, 2).await;
        for asked in [c.post("/cart/clear", &[]).await, c.htmx_post("/cart/clear", &[]).await] {
            assert_eq!(asked.status, 200);
            assert!(asked.body.contains("Vider le panier ?") && asked.body.contains("2 articles de OC Pizza Bastille"), "{}", asked.body);
            assert!(c.get("/cart").await.body.contains("Margherita"), "nothing emptied yet");
        }
        let done = c.htmx_post("/cart/clear", &[("confirm", "oui")]).await;
        assert_eq!(done.status, 200);
        assert!(done.body.contains("Votre panier est vide"), "{}", done.body);
    }

    async fn cancelling_asks_first_and_the_question_can_be_opened_as_a_page(db) {
        let s = shop(db).await;
        let mut c = Customer::new(&s.app).await;
        c.add(s.bastille.0, s.margherita.0, 1).await;
        let token = Customer::token_of(&c.checkout().await);
        let tracking = c.get(&format!("/orders/{token}")).await;
        assert!(tracking.body.contains(&format!(r#"href="/orders/{token}/cancel">Annuler la commande</a>"#)), "{}", tracking.body);
        let question = c.get(&format!("/orders/{token}/cancel")).await;
        assert_eq!(question.status, 200);
        assert!(question.body.contains("Oui, annuler la commande") && question.body.contains("Non, garder ma commande"));
        assert_eq!(order_by_token(&s.app, &token).await.status, ocpizza::domain::order::OrderStatus::Received);
        let done = c.post(&format!("/orders/{token}/cancel"), &[("confirm", "oui")]).await;
        assert_eq!(done.status, 303);
        assert_eq!(order_by_token(&s.app, &token).await.status, ocpizza::domain::order::OrderStatus::Cancelled);
    }
}

/// The element that starts with `start`, up to its closing tag.
fn section<'a>(body: &'a str, start: &str) -> &'a str {
    let from = body.find(start).expect("section in the page");
    let to = body[from..]
        .find("</section>")
        .map_or(body.len(), |i| from + i);
    &body[from..to]
}
