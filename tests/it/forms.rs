//! Bad input on every customer form: a 4xx with a French message, nothing written.

use crate::customer::Customer;
use crate::each_backend;
use crate::fixtures;
use crate::ordering::{order_by_token, shop};
use diesel::prelude::*;

/// The fields a case posts.
type Fields<'a> = Vec<(&'a str, &'a str)>;

async fn cart_of(c: &mut Customer) -> String {
    let body = c.get("/cart").await.body;
    let start = body.find(r#"<div id="cart""#).unwrap();
    body[start..].to_string()
}

each_backend! {
    async fn bad_quantities_are_refused_and_the_cart_is_untouched(db) {
        let s = shop(db).await;
        let mut c = Customer::new(&s.app).await;
        c.add(s.bastille.0, s.margherita.0, 1).await;
        let before = cart_of(&mut c).await;
        let (p, m) = (s.bastille.0.to_string(), s.margherita.0.to_string());
        for (qty, message) in [("0", "entre 1 et 20"), ("-1", "nombre entier"), ("21", "entre 1 et 20"), ("999999999999", "nombre entier"), ("abc", "nombre entier"), ("", "nombre entier"), ("1.5", "nombre entier")] {
            let r = c.htmx_post("/cart/lines", &[("pizzeria_id", &p), ("product_id", &m), ("quantity", qty)]).await;
            assert_eq!(r.status, 422, "{qty:?}");
            assert!(r.body.contains(message), "{qty:?}: {}", r.body);
            assert!(r.body.contains("toast"), "htmx gets a toast");
        }
        for qty in ["-1", "abc", "21"] {
            let r = c.htmx_post(&format!("/cart/lines/{}", s.margherita), &[("quantity", qty)]).await;
            assert_eq!(r.status, 422, "{qty:?}");
        }
        assert_eq!(cart_of(&mut c).await, before);
    }

    async fn unknown_foreign_or_switched_off_products_are_refused(db) {
        use ocpizza::db::schema::menu_items;
        let s = shop(db).await;
        let (p, r) = (s.bastille, s.regina);
        s.app.with_conn(move |c| diesel::update(menu_items::table.filter(menu_items::pizzeria_id.eq(p.0)).filter(menu_items::product_id.eq(r.0))).set(menu_items::enabled.eq(false)).execute(c).unwrap()).await;
        let mut c = Customer::new(&s.app).await;
        let pid = s.bastille.0.to_string();
        for (product, status) in [("999999", 409), (s.regina.0.to_string().as_str(), 409), ("abc", 422), ("-3", 422), ("", 422)] {
            let r = c.htmx_post("/cart/lines", &[("pizzeria_id", &pid), ("product_id", product)]).await;
            assert_eq!(r.status, status, "{product:?}: {}", r.body);
            assert!(r.body.contains("Ce produit n&#x27;existe pas") || r.body.contains("Produit inconnu"), "{product:?}: {}", r.body);
        }
        let r = c.htmx_post("/cart/lines", &[("pizzeria_id", "424242"), ("product_id", &s.margherita.0.to_string())]).await;
        assert_eq!(r.status, 409);
        assert!(cart_of(&mut c).await.contains("Votre panier est vide"));
    }

    async fn a_missing_forged_or_cross_site_csrf_token_is_refused(db) {
        let s = shop(db).await;
        let mut c = Customer::new(&s.app).await;
        let form = format!("pizzeria_id={}&product_id={}", s.bastille, s.margherita);
        let same = [("Sec-Fetch-Site", "same-origin")];
        let no_token = c.raw_post("/cart/lines", form.clone(), &same).await;
        assert_eq!(no_token.status, 403);
        assert!(no_token.body.contains("Requête refusée"), "{}", no_token.body);
        let forged = c.raw_post("/cart/lines", format!("{form}&csrf_token=forged"), &same).await;
        assert_eq!(forged.status, 403);
        let token = c.csrf.clone();
        let cross = c.raw_post("/cart/lines", format!("{form}&csrf_token={token}"), &[("Sec-Fetch-Site", "cross-site")]).await;
        assert_eq!(cross.status, 403);
        let other_origin = c.raw_post("/cart/lines", format!("{form}&csrf_token={token}"), &[("Origin", "https://evil.example")]).await;
        assert_eq!(other_origin.status, 403);
        // Another browser's token is no good either.
        let mut other = Customer::new(&s.app).await;
        let stolen = other.raw_post("/cart/lines", format!("{form}&csrf_token={token}"), &same).await;
        assert_eq!(stolen.status, 403);
        assert!(cart_of(&mut c).await.contains("Votre panier est vide"));
        let ok = c.raw_post("/cart/lines", format!("{form}&csrf_token={token}"), &same).await;
        assert_eq!(ok.status, 303, "the real token works");
    }

    async fn every_bad_checkout_field_is_named_and_nothing_is_written(db) {
        let s = shop(db).await;
        let mut c = Customer::new(&s.app).await;
        c.add(s.bastille.0, s.margherita.0, 1).await;
        let key = c.open_checkout().await;
        let long = "x".repeat(121);
        let cases: Vec<(Fields, &str, &str)> = vec![
            (vec![("name", "")], "name", "Le nom est obligatoire."),
            (vec![("name", &long)], "name", "120 caractères au plus"),
            (vec![("email", "lea@")], "email", "Adresse e-mail invalide"),
            (vec![("phone", "12345")], "phone", "Numéro de téléphone invalide"),
            (vec![("postal_code", "92100")], "postal_code", "Nous livrons uniquement dans Paris"),
            (vec![("postal_code", "7501")], "postal_code", "Code postal invalide"),
            (vec![("street", " ")], "street", "L&#x27;adresse est obligatoire."),
            (vec![("when", "25:99")], "when", "Choisissez « dès que possible » ou un créneau proposé."),
            (vec![("payment", "at_pickup")], "payment", "Le paiement se fait à la livraison."),
            (vec![("payment", "stripe")], "payment", "Ce moyen de paiement n&#x27;est pas proposé en ce moment"),
            (vec![("fulfilment", "drone")], "fulfilment", "Choisissez la livraison ou le retrait"),
            (vec![("total_cents", "1")], "form", "Champ inattendu : « total_cents »"),
            (vec![("idempotency_key", "short")], "form", "Ce formulaire a expiré"),
        ];
        for (changes, field, message) in cases {
            let r = c.checkout_with(&key, &changes).await;
            assert_eq!(r.status, 422, "{changes:?}");
            assert!(r.body.contains(message), "{changes:?}: expected {message:?}");
            if field != "form" {
                assert!(r.body.contains(&format!(r#"id="{field}-error""#)), "{changes:?}: message next to {field}");
                assert!(r.body.contains(r#"aria-invalid="true""#));
                assert!(r.body.contains(&format!(r##"<li><a href="#{field}">"##)), "{changes:?}: {field} linked from the summary");
                assert!(r.body.contains(&format!(r#"id="{field}""#)), "{changes:?}: the link has a target");
            }
        }
        let (orders, events, emails, _) = s.app.with_conn(fixtures::count_rows).await;
        assert_eq!((orders, events, emails), (0, 0, 0));
        // A pickup needs no address, and pays at pickup.
        let pickup = c.checkout_with(&key, &[("fulfilment", "pickup"), ("street", ""), ("postal_code", ""), ("payment", "at_pickup")]).await;
        assert_eq!(pickup.status, 303, "{}", pickup.body);
        let o = order_by_token(&s.app, &Customer::token_of(&pickup)).await;
        assert_eq!((o.fulfilment.as_str(), o.delivery_street), ("pickup", None));
    }

    async fn a_closed_pizzeria_takes_later_slots_only(db) {
        use ocpizza::db::schema::opening_hours;
        let s = shop(db).await;
        let p = s.bastille;
        // The cart was filled while open; the pizzeria has no slot left since.
        let mut c = Customer::new(&s.app).await;
        c.add(s.bastille.0, s.margherita.0, 1).await;
        s.app.with_conn(move |c| diesel::delete(opening_hours::table.filter(opening_hours::pizzeria_id.eq(p.0))).execute(c).unwrap()).await;
        let page = c.get("/checkout").await;
        assert!(page.body.contains("La pizzeria est fermée pour aujourd'hui"), "{}", page.body);
        let refused = c.checkout_with("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", &[]).await;
        assert_eq!(refused.status, 422);
        assert!(refused.body.contains("La pizzeria est fermée pour aujourd'hui"));
        assert_eq!(s.app.with_conn(fixtures::count_rows).await.0, 0);
    }

    async fn bad_modifications_are_refused_and_change_nothing(db) {
        let s = shop(db).await;
        let mut c = Customer::new(&s.app).await;
        c.add(s.bastille.0, s.margherita.0, 1).await;
        let token = Customer::token_of(&c.checkout().await);
        let m = format!("qty[{}]", s.margherita);
        let cases: Vec<(Fields, u16, &str)> = vec![
            (vec![(&m, "-2")], 422, "nombre entier"),
            (vec![(&m, "abc")], 422, "nombre entier"),
            (vec![(&m, "50")], 422, "entre 0 et 20"),
            (vec![(&m, "0")], 422, "Pour tout retirer, annulez la commande."),
            (vec![("qty[99999]", "1")], 409, "Ce produit n&#x27;existe pas ou n&#x27;est pas proposé par cette pizzeria."),
            (vec![("qty[abc]", "1")], 422, "Produit inconnu."),
            (vec![(&m, "1"), ("status", "DELIVERED")], 422, "Champ inattendu : « status »"),
        ];
        for (fields, status, message) in cases {
            let r = c.post(&format!("/orders/{token}/edit"), &fields).await;
            assert_eq!(r.status, status, "{fields:?}: {}", r.body);
            assert!(r.body.contains(message), "{fields:?}: expected {message:?}");
        }
        let next_to_field = c.post(&format!("/orders/{token}/edit"), &[(&m, "abc")]).await.body;
        let error_id = format!("qty-{}-error", s.margherita);
        assert!(next_to_field.contains(&format!(r#"aria-invalid="true" aria-describedby="{error_id}""#)), "{next_to_field}");
        assert!(next_to_field.contains(&format!(r#"<p class="field-error" id="{error_id}">"#)));
        let o = order_by_token(&s.app, &token).await;
        assert_eq!((o.status.as_str(), o.total.cents()), ("RECEIVED", 1050));
        let events = s.app.with_conn(move |c| ocpizza::models::order::events(c, o.id).unwrap().len()).await;
        assert_eq!(events, 1);
    }

    async fn a_form_of_buttons_only_refuses_any_field(db) {
        let s = shop(db).await;
        let mut c = Customer::new(&s.app).await;
        let r = c.post("/logout", &[("user_id", "1")]).await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("Champ inattendu : « user_id »"), "{}", r.body);
    }
}
