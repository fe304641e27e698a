//! Logins that stop guessing without locking the owner out, client addresses that cannot be
//! made up, and passwords people cannot pick badly.

use crate::customer::Customer;
use crate::each_backend;
use crate::harness::TestApp;
use crate::ordering::shop;
use diesel::prelude::*;
use ocpizza::db::schema::login_attempts;

const PASSWORD: &str = "une pizza au feu de bois";

async fn registered(app: &TestApp, email: &str, password: &str) -> Customer {
    let mut c = Customer::new(app).await;
    let r = c.register(app, email, password).await;
    assert_eq!(r.status, 303, "{}", r.body);
    c.get("/account").await;
    c.post("/logout", &[]).await;
    c.get("/login").await;
    c
}

async fn try_login(c: &mut Customer, email: &str, password: &str) -> u16 {
    c.post(
        "/login",
        &[("email", email), ("password", password), ("next", "")],
    )
    .await
    .status
}

/// The wait a 429 page announces ("réessayez dans 8 secondes", "… 2 minutes"), in seconds.
fn seconds_left(page: &str) -> u64 {
    let rest = page
        .split("réessayez dans ")
        .nth(1)
        .expect("a wait is announced");
    let mut words = rest.split_whitespace();
    let n: u64 = words.next().and_then(|w| w.parse().ok()).expect("a number");
    if words.next().is_some_and(|w| w.starts_with("minute")) {
        n * 60
    } else {
        n
    }
}

each_backend! {
    async fn an_attackers_failures_do_not_stop_the_owner_on_their_own_device(db) {
        let s = shop(db).await;
        let mut owner = registered(&s.app, "lea@example.fr", PASSWORD).await;
        let mut attacker = Customer::new(&s.app).await;
        attacker.get("/login").await;
        for i in 0..100 {
            let status = try_login(&mut attacker, "lea@example.fr", &format!("essai numéro {i}")).await;
            assert!(matches!(status, 422 | 429), "{status}");
        }
        let refused = attacker.post("/login", &[("email", "lea@example.fr"), ("password", "encore un essai"), ("next", "")]).await;
        assert_eq!(refused.status, 429);
        assert!(refused.body.contains("Trop de tentatives : réessayez dans"), "{}", refused.body);
        assert_eq!(try_login(&mut owner, "lea@example.fr", PASSWORD).await, 303, "the owner's browser gets in");
    }

    async fn a_thousand_guesses_get_nowhere(db) {
        let s = shop(db).await;
        registered(&s.app, "lea@example.fr", PASSWORD).await;
        let mut attacker = Customer::new(&s.app).await;
        attacker.get("/login").await;
        let mut checked = 0;
        for i in 0..999 {
            if try_login(&mut attacker, "lea@example.fr", &format!("devinette {i}")).await == 422 {
                checked += 1;
            }
        }
        assert!(checked <= 12, "{checked} guesses were checked");
        // The right password, sent while a wait of at least two seconds runs (the last guess's
        // answer says how long), is refused too: it is not even checked.
        for _ in 0..2000 {
            let guess = attacker.post("/login", &[("email", "lea@example.fr"), ("password", "une de plus"), ("next", "")]).await;
            if guess.status == 422 {
                checked += 1;
                continue;
            }
            assert_eq!(guess.status, 429, "{}", guess.body);
            if seconds_left(&guess.body) >= 2 {
                break;
            }
        }
        assert!(checked <= 13, "{checked} guesses were checked");
        assert_eq!(try_login(&mut attacker, "lea@example.fr", PASSWORD).await, 429, "even the right password waits");
        let evaluated: i64 = s.app.with_conn(|c| login_attempts::table.count().get_result(c).unwrap()).await;
        assert!(evaluated <= 14, "refused tries are not checked nor kept: {evaluated}");
    }

    async fn a_made_up_client_address_is_ignored_unless_a_proxy_is_configured(db) {
        let s = shop(db).await;
        let mut c = Customer::new(&s.app).await;
        c.get("/login").await;
        for i in 0..3 {
            let fields = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs([("csrf_token", c.csrf.as_str()), ("email", "x@example.fr"), ("password", "pas le bon mot"), ("next", "")])
                .finish();
            let ip = format!("203.0.113.{i}");
            c.raw_post("/login", fields, &[("Sec-Fetch-Site", "same-origin"), ("X-Real-IP", &ip)]).await;
        }
        let ips: Vec<String> = s.app.with_conn(|c| login_attempts::table.select(login_attempts::ip).distinct().load(c).unwrap()).await;
        assert_eq!(ips, vec!["127.0.0.1".to_string()]);
    }

    async fn behind_a_proxy_the_address_comes_from_its_header(db) {
        let app = TestApp::serve_configured(db, true, &[("ip_header", serde_json::json!("X-Real-IP"))], |r| r).await;
        let mut c = Customer::new(&app).await;
        c.get("/login").await;
        let fields = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs([("csrf_token", c.csrf.as_str()), ("email", "x@example.fr"), ("password", "pas le bon mot"), ("next", "")])
            .finish();
        c.raw_post("/login", fields, &[("Sec-Fetch-Site", "same-origin"), ("X-Real-IP", "198.51.100.7")]).await;
        let ips: Vec<String> = app.with_conn(|c| login_attempts::table.select(login_attempts::ip).load(c).unwrap()).await;
        assert_eq!(ips, vec!["198.51.100.7".to_string()]);
    }

    async fn common_or_blank_passwords_are_refused_and_passwords_compare_normalised(db) {
        let s = shop(db).await;
        let mut c = Customer::new(&s.app).await;
        c.get("/register").await;
        for (password, said) in [("azertyuiop", "trop courant"), ("Password123", "trop courant"), ("            ", "que d&#x27;espaces")] {
            let fields = [("name", "Léa"), ("email", "lea@example.fr"), ("phone", ""), ("password", password), ("password_confirm", password)];
            let r = c.post("/register", &fields).await;
            assert_eq!(r.status, 422, "{password:?}");
            assert!(r.body.contains(said), "{password:?}: {}", r.body);
        }
        // Typed with a composed "é", then with "e" and a combining accent.
        let mut owner = registered(&s.app, "lea@example.fr", "café au feu de bois").await;
        assert_eq!(try_login(&mut owner, "lea@example.fr", "cafe\u{301} au feu de bois").await, 303);
    }
}
