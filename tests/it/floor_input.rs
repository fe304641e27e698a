//! Bad input on every staff form: unknown or foreign order ids, amounts that are negative,
//! absurd or not what is due, overlong reasons, payment methods that do not fit, fields the
//! form does not have. Each gets a 4xx with a French message and writes nothing.

use crate::customer::Customer;
use crate::each_backend;
use crate::floor::{staff, status_of, web_order};
use crate::harness::TestApp;
use crate::ordering::shop;
use diesel::prelude::*;
use ocpizza::db::schema::{order_events, orders, payments, pizzerias};
use ocpizza::domain::ids::OrderId;
use ocpizza::domain::order::OrderStatus;

/// What a refused form must leave as it was: orders, events, payments.
async fn counts(app: &TestApp) -> (i64, i64, i64) {
    app.with_conn(|c| {
        (
            orders::table.count().get_result(c).unwrap(),
            order_events::table.count().get_result(c).unwrap(),
            payments::table.count().get_result(c).unwrap(),
        )
    })
    .await
}

async fn refused(
    c: &mut Customer,
    app: &TestApp,
    path: &str,
    fields: &[(&str, &str)],
    status: u16,
    says: &str,
) {
    let before = counts(app).await;
    let answer = c.htmx_post(path, fields).await;
    assert_eq!(answer.status, status, "{path} {fields:?}: {}", answer.body);
    let body = answer.body.replace("&#x27;", "'");
    assert!(
        body.contains(says),
        "{path} {fields:?} should say « {says} »: {body}"
    );
    assert_eq!(counts(app).await, before, "{path} {fields:?} wrote nothing");
}

async fn ovens(app: &TestApp, a: ocpizza::domain::ids::PizzeriaId) -> i32 {
    app.with_conn(move |c| {
        pizzerias::table
            .find(a)
            .select(pizzerias::ovens)
            .first::<i32>(c)
            .unwrap()
    })
    .await
}

each_backend! {
    async fn unknown_and_foreign_orders_are_not_found_here(db) {
        let shop = shop(db).await;
        let (_, _, mine) = web_order(&shop, 1).await;
        // An order of the Montmartre, placed by its own counter.
        let mut theirs_clerk = staff(&shop.app, "counter", "montmartre").await;
        let page = theirs_clerk.get(&format!("/staff/{}/counter", shop.montmartre)).await;
        let key = crate::customer::field_in(&page.body, "key").unwrap();
        let qty = format!("qty[{}]", shop.margherita);
        let placed = theirs_clerk.post(&format!("/staff/{}/counter/orders", shop.montmartre), &[
            ("key", &key), ("channel", "counter"), ("fulfilment", "pickup"), ("when", "asap"), ("payment", "at_pickup"),
            ("paid_now", ""), ("name", "Zoé"), ("phone", "0611111111"), ("email", ""), ("street", ""), ("postal_code", ""),
            ("city", ""), ("instructions", ""), (&qty, "1"),
        ]).await;
        assert_eq!(placed.status, 303, "{}", placed.body);
        let theirs = shop.app.with_conn(move |c| orders::table.filter(orders::id.ne(mine)).select(orders::id).first::<OrderId>(c).unwrap()).await;
        let mut manager = staff(&shop.app, "manager", "bastille").await;
        let a = shop.bastille;
        for action in ["kitchen/{O}/start", "kitchen/{O}/ready", "kitchen/{O}/undo", "delivery/{O}/resend", "counter/{O}/handover"] {
            for (id, label) in [(theirs.to_string(), "foreign"), ("999999".to_string(), "unknown"), ("abc".to_string(), "malformed")] {
                let path = format!("/staff/{a}/{}", action.replace("{O}", &id));
                refused(&mut manager, &shop.app, &path, &[], 404, "Cette commande n'existe pas dans cette pizzeria.").await;
                let _ = label;
            }
        }
        let path = format!("/staff/{a}/counter/{theirs}/cancel");
        refused(&mut manager, &shop.app, &path, &[("reason", "Erreur de saisie")], 404, "n'existe pas dans cette pizzeria").await;
        assert_eq!(manager.get(&path).await.status, 404);
        let take = format!("take[{theirs}]");
        refused(&mut manager, &shop.app, &format!("/staff/{a}/delivery/take"), &[(&take, "1")], 404, "n'existe pas dans cette pizzeria").await;
        assert_eq!(status_of(&shop.app, theirs).await, OrderStatus::Received);
    }

    async fn money_and_reasons_are_checked_before_anything_is_written(db) {
        let shop = shop(db).await;
        let (_, _, id) = web_order(&shop, 1).await;
        let a = shop.bastille;
        let mut cook = staff(&shop.app, "pizzaiolo", "bastille").await;
        cook.htmx_post(&format!("/staff/{a}/kitchen/{id}/start"), &[]).await;
        cook.htmx_post(&format!("/staff/{a}/kitchen/{id}/ready"), &[]).await;
        let mut driver = staff(&shop.app, "driver", "bastille").await;
        let take = format!("take[{id}]");
        // A form field the form does not have.
        refused(&mut driver, &shop.app, &format!("/staff/{a}/delivery/take"), &[(&take, "1"), ("driver_id", "1")], 422, "Champ inattendu").await;
        refused(&mut driver, &shop.app, &format!("/staff/{a}/delivery/take"), &[], 422, "Cochez au moins une commande").await;
        assert_eq!(driver.htmx_post(&format!("/staff/{a}/delivery/take"), &[(&take, "1")]).await.status, 200);
        let delivered = format!("/staff/{a}/delivery/{id}/delivered");
        for (hand, amount, says) in [
            ("cash", "-12,50", "Indiquez le montant encaissé"),
            ("cash", "99999999", "Indiquez le montant encaissé"),
            ("card", "1", "ne correspond pas au montant dû"),
            ("cheque", "12,50", "Ce moyen de paiement n'existe pas"),
            ("", "12,50", "Indiquez comment le client a payé"),
        ] {
            refused(&mut driver, &shop.app, &delivered, &[("hand", hand), ("amount", amount)], 422, says).await;
        }
        let failed = format!("/staff/{a}/delivery/{id}/failed");
        let long = "x".repeat(201);
        refused(&mut driver, &shop.app, &failed, &[("reason", &long)], 422, "200 caractères au plus").await;
        refused(&mut driver, &shop.app, &failed, &[("reason", "")], 422, "Le motif est obligatoire").await;
        // An order on its way cannot be cancelled.
        let mut manager = staff(&shop.app, "manager", "bastille").await;
        refused(&mut manager, &shop.app, &format!("/staff/{a}/counter/{id}/cancel"), &[("reason", "Client absent")], 422, "partie en livraison").await;
        assert_eq!(status_of(&shop.app, id).await, OrderStatus::OutForDelivery);
        // Another driver cannot close this one.
        let mut other = staff(&shop.app, "manager", "bastille").await;
        refused(&mut other, &shop.app, &delivered, &[("hand", "cash"), ("amount", "1")], 422, "partie avec un autre livreur").await;
    }

    async fn the_counter_form_refuses_what_does_not_fit(db) {
        let shop = shop(db).await;
        let a = shop.bastille;
        let mut clerk = staff(&shop.app, "counter", "bastille").await;
        let page = clerk.get(&format!("/staff/{a}/counter")).await;
        let key = crate::customer::field_in(&page.body, "key").unwrap();
        let qty = format!("qty[{}]", shop.margherita);
        let base: Vec<(&str, &str)> = vec![
            ("key", &key), ("channel", "phone"), ("fulfilment", "delivery"), ("when", "asap"), ("payment", "on_delivery"),
            ("paid_now", ""), ("name", "Paul"), ("phone", "0611111111"), ("email", ""), ("street", "1 rue de Lappe"),
            ("postal_code", "75011"), ("city", "Paris"), ("instructions", ""), (&qty, "1"),
        ];
        let with = |k: &'static str, v: &'static str| -> Vec<(String, String)> {
            base.iter().map(|(n, x)| (n.to_string(), if *n == k { v.to_string() } else { x.to_string() })).collect()
        };
        for (field, value, says) in [
            ("paid_now", "cash", "seulement pour une commande payée maintenant"),
            ("payment", "at_pickup", "Le paiement au retrait est pour une commande à emporter"),
            ("channel", "web", "Téléphone ou comptoir"),
            ("postal_code", "69001", "Paris"),
            ("phone", "12", "Numéro de téléphone invalide"),
        ] {
            let fields = with(field, value);
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let before = counts(&shop.app).await;
            let answer = clerk.post(&format!("/staff/{a}/counter/orders"), &fields).await;
            assert_eq!(answer.status, 422, "{field}={value}: {}", answer.body);
            assert!(answer.body.replace("&#x27;", "'").contains(says), "{field}={value}: {}", answer.body);
            assert_eq!(counts(&shop.app).await, before);
        }
        for (product, q) in [(format!("qty[{}]", shop.margherita), "500"), ("qty[999999]".to_string(), "1")] {
            let mut fields: Vec<(&str, &str)> = base.iter().filter(|(k, _)| *k != qty).copied().collect();
            fields.push((&product, q));
            let before = counts(&shop.app).await;
            let answer = clerk.post(&format!("/staff/{a}/counter/orders"), &fields).await;
            assert!(matches!(answer.status, 409 | 422), "{product}={q}: {}", answer.status);
            assert_eq!(counts(&shop.app).await, before);
        }
        let long = "x".repeat(61);
        let search = clerk.get(&format!("/staff/{a}/counter/pickups?q={long}")).await;
        assert_eq!(search.status, 422);
        let lookup = clerk.get(&format!("/staff/{a}/counter/customer?phone=abc")).await;
        assert_eq!(lookup.status, 422);
        assert!(lookup.body.contains("Numéro de téléphone invalide"));
    }

    async fn the_pace_settings_and_recipe_cards_are_bounded(db) {
        let shop = shop(db).await;
        let a = shop.bastille;
        let mut manager = staff(&shop.app, "manager", "bastille").await;
        let good = [("minutes_per_pizza", "7"), ("ovens", "3"), ("delivery_minutes", "25"), ("later_lead_minutes", "40"), ("amber_after_minutes", "8"), ("red_after_minutes", "15")];
        for (field, value) in [("ovens", "0"), ("ovens", "abc"), ("red_after_minutes", "5"), ("delivery_minutes", "99999999999")] {
            let fields: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, if *k == field { value } else { *v })).collect();
            let answer = manager.post(&format!("/staff/{a}/settings"), &fields).await;
            assert_eq!(answer.status, 422, "{field}={value}: {}", answer.body);
            assert!(answer.body.contains("field-error"), "{}", answer.body);
            assert_eq!(ovens(&shop.app, a).await, 2, "unchanged");
        }
        let saved = manager.post(&format!("/staff/{a}/settings"), &good).await;
        assert_eq!(saved.status, 303, "{}", saved.body);
        assert_eq!(ovens(&shop.app, a).await, 3);
        let mut cook = staff(&shop.app, "pizzaiolo", "bastille").await;
        let card = cook.get(&format!("/staff/{a}/recipes/{}?count=3", shop.margherita)).await;
        assert_eq!(card.status, 200, "{}", card.body);
        assert!(card.body.contains("Margherita — pour 3"), "{}", card.body);
        for bad in ["count=0", "count=abc", "count=51"] {
            let answer = cook.get(&format!("/staff/{a}/recipes/{}?{bad}", shop.margherita)).await;
            assert_eq!(answer.status, 422, "{bad}");
        }
        assert_eq!(cook.get(&format!("/staff/{a}/recipes/999999")).await.status, 404);
    }
}
