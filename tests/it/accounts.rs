//! Optional customer accounts: register, log in and out, sessions, throttling, saved addresses
//! and order history.

use crate::customer::Customer;
use crate::each_backend;
use crate::ordering::shop;

fn cookie<'a>(answer: &'a crate::customer::Answer, name: &str) -> Option<&'a str> {
    answer
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .find(|c| c.starts_with(&format!("{name}=")))
}

/// Registers (and confirms by the e-mail's link), then follows the redirect as a browser does
/// (the new page carries the new token).
async fn register(
    c: &mut Customer,
    app: &crate::harness::TestApp,
    email: &str,
) -> crate::customer::Answer {
    let answer = c.register(app, email, "une pizza au feu de bois").await;
    if let Some(next) = answer.location.clone() {
        c.get(&next).await;
    }
    answer
}

each_backend! {
    async fn a_customer_registers_logs_out_and_logs_back_in_with_a_new_session(db) {
        let s = shop(db).await;
        let mut c = Customer::new(&s.app).await;
        c.add(s.bastille.0, s.margherita.0, 1).await;
        let registered = register(&mut c, &s.app, "Lea@Example.fr").await;
        assert_eq!(registered.status, 303, "{}", registered.body);
        let session = cookie(&registered, "ocp_session").expect("session cookie").to_string();
        assert!(session.contains("HttpOnly") && session.contains("SameSite=Lax"), "{session}");
        let token = session.split(';').next().unwrap().trim_start_matches("ocp_session=").to_string();
        assert!(token.len() >= 22, "at least 128 random bits");
        let account = c.get("/account").await;
        assert_eq!(account.status, 200);
        assert!(account.body.contains("Léa Martin") && account.body.contains("lea@example.fr"));
        assert!(c.get("/cart").await.body.contains("Margherita"), "the cart survives the login");

        let out = c.post("/logout", &[]).await;
        assert_eq!(out.status, 303);
        let gone = c.get("/account").await;
        assert_eq!(gone.status, 303, "logged out");
        // The old session token is dead on the server, not just forgotten by the browser.
        let replay = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
            .get(format!("{}/account", s.app.base)).header("Cookie", format!("ocp_session={token}")).send().await.unwrap();
        assert_eq!(replay.status().as_u16(), 303);

        c.get("/login").await;
        let login = c.post("/login", &[("email", "lea@example.fr"), ("password", "une pizza au feu de bois"), ("next", "/account/orders")]).await;
        assert_eq!(login.status, 303, "{}", login.body);
        assert_eq!(login.location.as_deref(), Some("/account/orders"));
        c.post("/logout", &[]).await;
        c.get("/login").await;
        for next in ["/ oops", "/é", "//evil.example", "https://evil.example", "/a\\b"] {
            let again = c.post("/login", &[("email", "lea@example.fr"), ("password", "une pizza au feu de bois"), ("next", next)]).await;
            assert_eq!(again.status, 303, "{next}");
            assert_eq!(again.location.as_deref(), Some("/account"), "{next}: never leaves the site, never fails");
            c.get("/account").await;
            c.post("/logout", &[]).await;
            c.get("/login").await;
        }
        let new_token = cookie(&login, "ocp_session").unwrap().split(';').next().unwrap().to_string();
        assert_ne!(new_token, format!("ocp_session={token}"), "a new session id at login");
        assert!(cookie(&login, "ocp_csrf").is_some(), "a new CSRF token at login");
    }

    async fn wrong_passwords_are_throttled(db) {
        let s = shop(db).await;
        let mut c = Customer::new(&s.app).await;
        register(&mut c, &s.app, "lea@example.fr").await;
        c.post("/logout", &[]).await;
        c.get("/login").await;
        for _ in 0..5 {
            let r = c.post("/login", &[("email", "lea@example.fr"), ("password", "pas le bon mot de passe"), ("next", "")]).await;
            assert_eq!(r.status, 422);
            assert!(r.body.contains("E-mail ou mot de passe incorrect."));
        }
        let blocked = c.post("/login", &[("email", "lea@example.fr"), ("password", "une pizza au feu de bois"), ("next", "")]).await;
        assert_eq!(blocked.status, 429);
        assert!(blocked.body.contains("Trop de tentatives"), "{}", blocked.body);
    }

    async fn registration_refuses_bad_or_taken_details(db) {
        let s = shop(db).await;
        let mut c = Customer::new(&s.app).await;
        assert_eq!(register(&mut c, &s.app, "lea@example.fr").await.status, 303);
        c.post("/logout", &[]).await;
        let mut other = Customer::new(&s.app).await;
        other.get("/register").await;
        let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
            (vec![("name", "Léa"), ("email", "x@example.fr"), ("phone", ""), ("password", "court"), ("password_confirm", "court")], "au moins 10 caractères"),
            (vec![("name", "Léa"), ("email", "x@example.fr"), ("phone", ""), ("password", "une pizza au feu"), ("password_confirm", "une autre pizza")], "Les deux mots de passe diffèrent."),
            (vec![("name", ""), ("email", "x@example.fr"), ("phone", ""), ("password", "une pizza au feu"), ("password_confirm", "une pizza au feu")], "Le nom est obligatoire."),
            (vec![("name", "Léa"), ("email", "x@example.fr"), ("phone", "0"), ("password", "une pizza au feu"), ("password_confirm", "une pizza au feu")], "Numéro de téléphone invalide"),
            (vec![("name", "Léa"), ("email", "x@example.fr"), ("phone", ""), ("password", "une pizza au feu"), ("password_confirm", "une pizza au feu"), ("is_admin", "1")], "Champ inattendu : « is_admin »"),
        ];
        for (fields, message) in cases {
            let r = other.post("/register", &fields).await;
            assert_eq!(r.status, 422, "{fields:?}");
            assert!(r.body.contains(message), "{fields:?}: expected {message:?}");
        }
        // A taken address gets the same answer as a new one; its owner is told by e-mail.
        let taken = other.post("/register", &[("name", "Léa"), ("email", "LEA@example.fr"), ("phone", ""), ("password", "une pizza au feu de bois"), ("password_confirm", "une pizza au feu de bois")]).await;
        assert_eq!(taken.status, 200);
        assert!(taken.body.contains("Un e-mail vient d'être envoyé à <strong>lea@example.fr</strong>"), "{}", taken.body);
        assert!(crate::customer::latest_link(&s.app, "lea@example.fr", "account_exists").await.is_none(), "no link in it");
        use diesel::prelude::*;
        let users: i64 = s.app.with_conn(|c| ocpizza::db::schema::users::table.filter(ocpizza::db::schema::users::email.like("%example.fr")).count().get_result(c).unwrap()).await;
        assert_eq!(users, 1);
        let told: i64 = s.app.with_conn(|c| ocpizza::db::schema::email_outbox::table.filter(ocpizza::db::schema::email_outbox::template.eq("account_exists")).count().get_result(c).unwrap()).await;
        assert_eq!(told, 1);
    }

    async fn an_account_keeps_its_addresses_and_its_own_orders_only(db) {
        let s = shop(db).await;
        let mut lea = Customer::new(&s.app).await;
        register(&mut lea, &s.app, "lea@example.fr").await;
        lea.add(s.bastille.0, s.margherita.0, 1).await;
        let key = lea.open_checkout().await;
        let placed = lea.checkout_with(&key, &[("save_address", "1")]).await;
        assert_eq!(placed.status, 303, "{}", placed.body);
        let account = lea.get("/account").await.body;
        assert!(account.contains("12 rue Oberkampf, 75011 Paris"), "the address was saved");
        // The next checkout is prefilled.
        lea.add(s.bastille.0, s.regina.0, 1).await;
        let form = lea.get("/checkout").await.body;
        assert!(form.contains(r#"value="12 rue Oberkampf""#) && form.contains(r#"value="Léa Martin""#));

        let mut guest = Customer::new(&s.app).await;
        guest.add(s.bastille.0, s.regina.0, 1).await;
        let guest_token = Customer::token_of(&guest.checkout().await);
        let history = lea.get("/account/orders").await.body;
        assert!(history.contains(&Customer::token_of(&placed)));
        assert!(!history.contains(&guest_token));

        let mut bob = Customer::new(&s.app).await;
        register(&mut bob, &s.app, "bob@example.fr").await;
        let lea_address: i64 = s.app.with_conn(|c| {
            use diesel::prelude::*;
            ocpizza::db::schema::customer_addresses::table.select(ocpizza::db::schema::customer_addresses::id).first(c).unwrap()
        }).await;
        let stolen = bob.post(&format!("/account/addresses/{lea_address}/delete"), &[]).await;
        assert_eq!(stolen.status, 404);
        assert!(lea.get("/account").await.body.contains("12 rue Oberkampf"));
        let bad = lea.post("/account/addresses", &[("label", "Bureau"), ("street", "1 rue X"), ("postal_code", "13001"), ("city", "Marseille"), ("instructions", "")]).await;
        assert_eq!(bad.status, 422);
        assert!(bad.body.contains("Nous livrons uniquement dans Paris"));
        assert_eq!(guest.get("/account").await.status, 303, "guests are sent to the login page");
    }
}
