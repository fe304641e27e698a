//! Small things customers notice: the header follows the cart, refused quantities stay next to
//! their field, the timeline reads once, line breaks are kept, the site can go on a home screen,
//! and a new total comes in writing.

use crate::customer::Customer;
use crate::each_backend;
use crate::ordering::{order_by_token, shop};
use diesel::prelude::*;
use ocpizza::db::schema::email_outbox;

each_backend! {
    async fn the_header_count_follows_an_add_and_the_message_names_the_product(db) {
        let s = shop(db).await;
        let mut c = Customer::new(&s.app).await;
        c.add(s.bastille.0, s.margherita.0, 1).await;
        let added = c.add(s.bastille.0, s.regina.0, 2).await;
        assert!(added.body.contains("Ajouté au panier : Regina."), "{}", added.body);
        assert!(added.body.contains(r#"<a href="/cart" id="header-cart" hx-swap-oob="true">Panier (3)</a>"#), "{}", added.body);
        let page = c.get(&format!("/pizzerias/{}", s.bastille)).await.body;
        assert_eq!(page.matches(r#"id="header-cart""#).count(), 1, "one header link on a page");
    }

    async fn a_refused_quantity_is_said_next_to_its_field_and_put_back(db) {
        let s = shop(db).await;
        let mut c = Customer::new(&s.app).await;
        c.add(s.montmartre.0, s.bufalina.0, 1).await;
        let id = s.bufalina;
        for (typed, status, said) in [("99", 422, "La quantité doit être comprise entre 0 et 20."), ("3", 409, "« Bufalina » : il n&#x27;en reste que 2 exemplaires pour votre panier (vous en demandez 3).")] {
            let refused = c.htmx_post(&format!("/cart/lines/{id}"), &[("quantity", typed)]).await;
            assert_eq!(refused.status, status, "{typed}: {}", refused.body);
            assert!(refused.body.contains(&format!(r#"value="1" aria-invalid="true" aria-describedby="qty-{id}-error">"#)), "{typed}: the quantity is put back: {}", refused.body);
            assert!(refused.body.contains(&format!(r#"<p class="field-error" id="qty-{id}-error">{said}</p>"#)), "{typed}: {}", refused.body);
        }
        let plain = c.post(&format!("/cart/lines/{id}"), &[("quantity", "abc")]).await;
        assert_eq!(plain.status, 422);
        assert!(plain.body.contains("<h1>Votre panier</h1>") && plain.body.contains("La quantité doit être un nombre entier."));
    }

    async fn login_errors_are_tied_to_the_fields(db) {
        let s = shop(db).await;
        let mut c = Customer::new(&s.app).await;
        c.get("/login").await;
        let refused = c.post("/login", &[("email", "x@example.fr"), ("password", "pas le bon mot"), ("next", "")]).await;
        assert_eq!(refused.status, 422);
        assert!(refused.body.contains(r#"id="form-error""#));
        assert_eq!(refused.body.matches(r#"aria-describedby="form-error""#).count(), 2);
    }

    async fn line_breaks_typed_in_the_instructions_are_kept(db) {
        let s = shop(db).await;
        let mut c = Customer::new(&s.app).await;
        c.add(s.bastille.0, s.margherita.0, 1).await;
        let form = c.open_checkout().await;
        let placed = c.checkout_with(&form, &[("instructions", "Code 12B\r\n3e étage, porte gauche")]).await;
        let token = Customer::token_of(&placed);
        assert_eq!(order_by_token(&s.app, &token).await.delivery_instructions.as_deref(), Some("Code 12B\n3e étage, porte gauche"));
        let page = c.get(&format!("/orders/{token}")).await.body;
        assert!(page.contains("<dd class=\"instructions\">Code 12B\n3e étage, porte gauche</dd>"), "{page}");
    }

    async fn free_text_that_hides_or_reorders_text_is_refused_and_text_is_stored_composed(db) {
        let s = shop(db).await;
        let mut c = Customer::new(&s.app).await;
        c.add(s.bastille.0, s.margherita.0, 1).await;
        let form = c.open_checkout().await;
        let before = s.app.with_conn(crate::fixtures::count_rows).await;
        for (field, typed, said) in [
            ("name", "Léa\u{202E}nitraM", "Le nom contient des caractères non autorisés."),
            ("name", "\u{200B}\u{FEFF}", "Le nom est obligatoire."),
            ("instructions", "Code\u{2028}12", "Les instructions contiennent des caractères non autorisés."),
        ] {
            let refused = c.checkout_with(&form, &[(field, typed)]).await;
            assert_eq!(refused.status, 422, "{typed:?}");
            assert!(refused.body.contains(said), "{typed:?}: {}", refused.body);
        }
        assert_eq!(s.app.with_conn(crate::fixtures::count_rows).await, before, "nothing written");
        let placed = c.checkout_with(&form, &[("name", "Le\u{301}a Martin")]).await;
        let order = order_by_token(&s.app, &Customer::token_of(&placed)).await;
        assert_eq!(order.customer_name, "Léa Martin", "stored in composed form");
    }

    async fn the_site_can_be_added_to_a_home_screen(db) {
        let s = shop(db).await;
        let (status, home) = s.app.get("/").await;
        assert_eq!(status, 200);
        assert!(home.contains(r#"<meta name="description" content="OC Pizza : pizzas au feu de bois"#));
        assert!(home.contains(r#"<link rel="icon" href="/assets/favicon.svg?v="#) && home.contains(r#"<link rel="manifest" href="/assets/manifest.json?v="#));
        let manifest = reqwest::get(s.app.url("/assets/manifest.json")).await.unwrap();
        assert!(manifest.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
        let manifest: serde_json::Value = serde_json::from_str(&manifest.text().await.unwrap()).unwrap();
        assert_eq!((manifest["name"].as_str(), manifest["lang"].as_str(), manifest["display"].as_str()), (Some("OC Pizza"), Some("fr"), Some("standalone")));
        for icon in manifest["icons"].as_array().unwrap() {
            let res = reqwest::get(s.app.url(icon["src"].as_str().unwrap())).await.unwrap();
            assert_eq!(res.status().as_u16(), 200, "{icon}");
        }
    }

    async fn a_modification_that_changes_the_total_is_sent_in_writing(db) {
        let s = shop(db).await;
        let mut c = Customer::new(&s.app).await;
        c.add(s.bastille.0, s.margherita.0, 1).await;
        let token = Customer::token_of(&c.checkout().await);
        let m = format!("qty[{}]", s.margherita);
        assert_eq!(c.post(&format!("/orders/{token}/edit"), &[(&m, "2")]).await.status, 303);
        assert_eq!(c.post(&format!("/orders/{token}/edit"), &[(&m, "2")]).await.status, 303, "the same total again");
        let id = order_by_token(&s.app, &token).await.id;
        let mails: Vec<(String, String)> = s.app.with_conn(move |c| email_outbox::table.filter(email_outbox::order_id.eq(id)).order(email_outbox::id).select((email_outbox::template, email_outbox::payload)).load(c).unwrap()).await;
        let templates: Vec<&str> = mails.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(templates, vec!["order_confirmed", "order_modified"], "one e-mail for the new total, none when it stays");
        assert!(mails[1].1.contains("21,00"), "{}", mails[1].1);
    }
}
