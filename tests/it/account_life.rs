//! A customer's account over its life: confirmed by e-mail, a forgotten password, its settings,
//! and its deletion.

use crate::customer::{latest_link, Customer};
use crate::each_backend;
use crate::ordering::{order_by_token, shop};
use diesel::prelude::*;
use ocpizza::db::schema::{account_tokens, customer_addresses, sessions, users};

const PASSWORD: &str = "une pizza au feu de bois";

async fn login(c: &mut Customer, email: &str, password: &str) -> crate::customer::Answer {
    c.get("/login").await;
    c.post(
        "/login",
        &[("email", email), ("password", password), ("next", "")],
    )
    .await
}

each_backend! {
    async fn an_account_is_confirmed_by_its_link_once_and_keeps_the_cart(db) {
        let s = shop(db).await;
        let mut c = Customer::new(&s.app).await;
        c.add(s.bastille.0, s.margherita.0, 1).await;
        c.get("/register").await;
        let fields = [("name", "Léa Martin"), ("email", "lea@example.fr"), ("phone", ""), ("password", PASSWORD), ("password_confirm", PASSWORD)];
        assert_eq!(c.post("/register", &fields).await.status, 200);
        assert_eq!(login(&mut c, "lea@example.fr", PASSWORD).await.status, 422, "not before the address is confirmed");
        let link = latest_link(&s.app, "lea@example.fr", "account_confirm").await.unwrap();
        let page = c.get(&link).await;
        assert!(page.body.contains("Activer mon compte"));
        let signed = c.post(&link, &[]).await;
        assert_eq!(signed.location.as_deref(), Some("/account"));
        assert!(c.get("/account").await.body.contains("Léa Martin"));
        assert!(c.get("/cart").await.body.contains("Margherita"), "the cart is kept");
        let again = c.post(&link, &[]).await;
        assert_eq!(again.status, 404);
        assert!(again.body.contains("Ce lien n&#x27;est plus valable"), "{}", again.body);
        assert_eq!(c.get("/register/confirm/made-up").await.status, 404);
    }

    async fn a_forgotten_password_is_replaced_through_a_link_that_ends_every_session(db) {
        let s = shop(db).await;
        let mut phone = Customer::new(&s.app).await;
        phone.register(&s.app, "lea@example.fr", PASSWORD).await;
        assert_eq!(phone.get("/account").await.status, 200);
        let mut laptop = Customer::new(&s.app).await;
        laptop.get("/password/forgot").await;
        let known = laptop.post("/password/forgot", &[("email", "lea@example.fr")]).await;
        let unknown = laptop.post("/password/forgot", &[("email", "personne@example.fr")]).await;
        assert_eq!((known.status, unknown.status), (200, 200));
        let said = |a: &crate::customer::Answer| a.body.split("<strong>").nth(1).unwrap().split_once("</strong>").unwrap().1.to_string();
        assert_eq!(said(&known), said(&unknown), "the same answer whether or not an account exists");
        let link = latest_link(&s.app, "lea@example.fr", "password_reset").await.expect("a reset link");
        assert!(latest_link(&s.app, "personne@example.fr", "password_reset").await.is_none());
        assert!(laptop.get(&link).await.body.contains("Choisir un nouveau mot de passe"));
        let weak = laptop.post(&link, &[("password", "azertyuiop"), ("password_confirm", "azertyuiop")]).await;
        assert_eq!(weak.status, 422);
        let new = "un four à bois tout neuf";
        let done = laptop.post(&link, &[("password", new), ("password_confirm", new)]).await;
        assert_eq!(done.location.as_deref(), Some("/account"), "{}", done.body);
        assert_eq!(phone.get("/account").await.status, 303, "every other session ended");
        assert_eq!(laptop.get("/account").await.status, 200, "this browser is signed in");
        assert_eq!(laptop.post(&link, &[("password", new), ("password_confirm", new)]).await.status, 404, "once only");
        let mut other = Customer::new(&s.app).await;
        assert_eq!(login(&mut other, "lea@example.fr", PASSWORD).await.status, 422);
        assert_eq!(login(&mut other, "lea@example.fr", new).await.status, 303);
    }

    async fn a_registration_never_confirmed_is_forgotten_after_a_week(db) {
        let s = shop(db).await;
        let mut c = Customer::new(&s.app).await;
        c.get("/register").await;
        let fields = [("name", "Léa Martin"), ("email", "lea@example.fr"), ("phone", ""), ("password", PASSWORD), ("password_confirm", PASSWORD)];
        c.post("/register", &fields).await;
        let count = |c: &mut ocpizza::db::DbConn| users::table.filter(users::email.eq("lea@example.fr")).count().get_result::<i64>(c).unwrap();
        let week = ocpizza::models::now() + chrono::Duration::days(6);
        s.app.with_conn(move |c| ocpizza::services::housekeeping::clean(c, week).unwrap()).await;
        assert_eq!(s.app.with_conn(count).await, 1, "kept within the week");
        let later = ocpizza::models::now() + chrono::Duration::days(8);
        let cleaned = s.app.with_conn(move |c| ocpizza::services::housekeeping::clean(c, later).unwrap()).await;
        assert_eq!(cleaned.unconfirmed_accounts, 1);
        assert_eq!(s.app.with_conn(count).await, 0);
    }

    async fn an_expired_reset_link_is_refused(db) {
        let s = shop(db).await;
        let mut c = Customer::new(&s.app).await;
        c.register(&s.app, "lea@example.fr", PASSWORD).await;
        c.get("/password/forgot").await;
        c.post("/password/forgot", &[("email", "lea@example.fr")]).await;
        let link = latest_link(&s.app, "lea@example.fr", "password_reset").await.unwrap();
        let past = ocpizza::models::now() - chrono::Duration::minutes(1);
        s.app.with_conn(move |c| diesel::update(account_tokens::table).set(account_tokens::expires_at.eq(past)).execute(c).unwrap()).await;
        assert_eq!(c.get(&link).await.status, 404);
    }

    async fn the_account_settings_change_name_password_and_sessions(db) {
        let s = shop(db).await;
        let mut phone = Customer::new(&s.app).await;
        phone.register(&s.app, "lea@example.fr", PASSWORD).await;
        let mut laptop = Customer::new(&s.app).await;
        assert_eq!(login(&mut laptop, "lea@example.fr", PASSWORD).await.status, 303);
        laptop.get("/account").await;
        let renamed = laptop.post("/account/profile", &[("name", "Léa Durand"), ("phone", "06 98 76 54 32")]).await;
        assert_eq!(renamed.status, 303);
        let account = laptop.get("/account").await.body;
        assert!(account.contains("Léa Durand · lea@example.fr · 06 98 76 54 32"), "{account}");
        assert!(account.contains(r#"<a href="/account">Léa Durand</a>"#), "the header follows");
        let wrong = laptop.post("/account/password", &[("current_password", "pas le bon"), ("new_password", "un four à bois tout neuf"), ("new_password_confirm", "un four à bois tout neuf")]).await;
        assert_eq!(wrong.status, 422);
        assert!(wrong.body.contains("Le mot de passe actuel est incorrect."));
        let changed = laptop.post("/account/password", &[("current_password", PASSWORD), ("new_password", "un four à bois tout neuf"), ("new_password_confirm", "un four à bois tout neuf")]).await;
        assert_eq!(changed.status, 303);
        assert_eq!(phone.get("/account").await.status, 303, "the other sessions ended");
        assert_eq!(laptop.get("/account").await.status, 200, "this one goes on");
        laptop.post("/account/sessions/end", &[]).await;
        assert_eq!(laptop.get("/account").await.status, 303);
        let left: i64 = s.app.with_conn(|c| sessions::table.filter(sessions::user_id.is_not_null()).count().get_result(c).unwrap()).await;
        assert_eq!(left, 0);
    }

    async fn deleting_an_account_erases_the_person_and_keeps_anonymous_orders(db) {
        let s = shop(db).await;
        let mut c = Customer::new(&s.app).await;
        c.register(&s.app, "lea@example.fr", PASSWORD).await;
        c.get("/account").await;
        c.post("/account/addresses", &[("label", "Maison"), ("street", "12 rue Oberkampf"), ("postal_code", "75011"), ("city", "Paris"), ("instructions", "")]).await;
        c.add(s.bastille.0, s.margherita.0, 1).await;
        let token = Customer::token_of(&c.checkout().await);
        c.get("/account").await;
        let refused = c.post("/account/delete", &[("delete_password", PASSWORD)]).await;
        assert_eq!(refused.status, 422);
        assert!(refused.body.contains("Vous avez une commande en cours"), "{}", refused.body);
        c.post(&format!("/orders/{token}/cancel"), &[("confirm", "oui")]).await;
        c.get("/account").await;
        assert_eq!(c.post("/account/delete", &[("delete_password", "pas le bon")]).await.status, 422);
        let deleted = c.post("/account/delete", &[("delete_password", PASSWORD)]).await;
        assert_eq!(deleted.status, 200);
        assert!(deleted.body.contains("Votre compte a été supprimé"));
        let order = order_by_token(&s.app, &token).await;
        assert_eq!((order.customer_name.as_str(), order.customer_email.as_str(), order.customer_phone.as_str()), ("Client supprimé", "", ""));
        assert_eq!((order.delivery_street, order.user_id), (None, None));
        assert_eq!(order.total.cents(), 1050, "the order itself stays");
        let (people, addresses): (i64, i64) = s.app.with_conn(|c| (
            users::table.filter(users::email.eq("lea@example.fr")).count().get_result(c).unwrap(),
            customer_addresses::table.count().get_result(c).unwrap(),
        )).await;
        assert_eq!((people, addresses), (0, 0));
        assert_eq!(c.get("/account").await.status, 303);
        let mut again = Customer::new(&s.app).await;
        assert_eq!(login(&mut again, "lea@example.fr", PASSWORD).await.status, 422);
        let tracking = again.get(&format!("/orders/{token}")).await.body;
        assert!(!tracking.contains("Léa") && !tracking.contains("Oberkampf"), "{tracking}");
    }
}

each_backend! {
    async fn a_second_registration_of_an_address_cannot_set_its_password(db) {
        let s = shop(db).await;
        let mut victim = Customer::new(&s.app).await;
        victim.get("/register").await;
        let mine = [("name", "Léa Martin"), ("email", "lea@example.fr"), ("phone", ""), ("password", PASSWORD), ("password_confirm", PASSWORD)];
        victim.post("/register", &mine).await;
        let link = latest_link(&s.app, "lea@example.fr", "account_confirm").await.unwrap();
        // Three minutes later, someone registers the same address with a password of their own.
        let earlier = ocpizza::models::now() - chrono::Duration::minutes(3);
        s.app.with_conn(move |c| diesel::update(account_tokens::table).set(account_tokens::created_at.eq(earlier)).execute(c).unwrap()).await;
        let mut attacker = Customer::new(&s.app).await;
        attacker.get("/register").await;
        let theirs = [("name", "Mallory"), ("email", "lea@example.fr"), ("phone", ""), ("password", "le mot de passe de mallory"), ("password_confirm", "le mot de passe de mallory")];
        assert_eq!(attacker.post("/register", &theirs).await.status, 200);
        // The owner opens the link of their own registration.
        victim.get(&link).await;
        assert_eq!(victim.post(&link, &[]).await.location.as_deref(), Some("/account"));
        assert!(victim.get("/account").await.body.contains("Léa Martin"));
        let mut other = Customer::new(&s.app).await;
        assert_eq!(login(&mut other, "lea@example.fr", "le mot de passe de mallory").await.status, 422);
        assert_eq!(login(&mut other, "lea@example.fr", PASSWORD).await.status, 303);
    }

    async fn using_or_changing_the_password_ends_the_other_reset_links(db) {
        let s = shop(db).await;
        let mut c = Customer::new(&s.app).await;
        c.register(&s.app, "lea@example.fr", PASSWORD).await;
        c.get("/password/forgot").await;
        c.post("/password/forgot", &[("email", "lea@example.fr")]).await;
        let first = latest_link(&s.app, "lea@example.fr", "password_reset").await.unwrap();
        let earlier = ocpizza::models::now() - chrono::Duration::minutes(3);
        s.app.with_conn(move |c| diesel::update(account_tokens::table).set(account_tokens::created_at.eq(earlier)).execute(c).unwrap()).await;
        c.post("/password/forgot", &[("email", "lea@example.fr")]).await;
        let second = latest_link(&s.app, "lea@example.fr", "password_reset").await.unwrap();
        assert_ne!(first, second);
        c.get(&second).await;
        let new = "un four à bois tout neuf";
        assert_eq!(c.post(&second, &[("password", new), ("password_confirm", new)]).await.status, 303);
        assert_eq!(c.get(&first).await.status, 404, "the older link stopped working too");
    }

    async fn passwords_typed_in_the_settings_are_throttled_like_logins(db) {
        let s = shop(db).await;
        let mut c = Customer::new(&s.app).await;
        c.register(&s.app, "lea@example.fr", PASSWORD).await;
        c.get("/account").await;
        let mut statuses = Vec::new();
        for i in 0..7 {
            let guess = format!("essai numéro {i}");
            let r = c.post("/account/delete", &[("delete_password", guess.as_str())]).await;
            statuses.push(r.status);
            if i == 6 {
                assert!(r.body.contains("Trop de tentatives"), "{}", r.body);
            }
        }
        assert!(statuses.iter().all(|s| *s == 422), "{statuses:?}");
        let alive: i64 = s.app.with_conn(|c| users::table.filter(users::email.eq("lea@example.fr")).count().get_result(c).unwrap()).await;
        assert_eq!(alive, 1);
    }

    async fn a_staff_account_is_not_deleted_from_the_customer_page(db) {
        let s = shop(db).await;
        let mut c = Customer::new(&s.app).await;
        let password = ocpizza::services::demo::demo_password("driver");
        assert_eq!(login(&mut c, "driver.bastille@demo.ocpizza.fr", &password).await.status, 303);
        c.get("/account").await;
        let refused = c.post("/account/delete", &[("delete_password", password.as_str())]).await;
        assert_eq!(refused.status, 422);
        assert!(refused.body.contains("Un compte de l&#x27;équipe ne se supprime pas ici"), "{}", refused.body);
    }

    async fn concurrent_logins_are_judged_one_after_the_other(db) {
        let s = shop(db).await;
        let mut owner = Customer::new(&s.app).await;
        owner.register(&s.app, "lea@example.fr", PASSWORD).await;
        let mut attackers = Vec::new();
        for _ in 0..40 {
            let mut a = Customer::new(&s.app).await;
            a.get("/login").await;
            attackers.push(a);
        }
        let tries = futures_util::future::join_all(attackers.iter_mut().enumerate().map(|(i, a)| async move {
            let guess = format!("devinette {i}");
            a.post("/login", &[("email", "lea@example.fr"), ("password", guess.as_str()), ("next", "")]).await.status
        }))
        .await;
        let checked = tries.iter().filter(|s| **s == 422).count();
        assert!(checked <= 7, "{checked} of 40 tries sent together were checked: {tries:?}");
    }

    async fn every_page_with_personal_data_is_kept_by_no_cache(db) {
        let s = shop(db).await;
        let mut c = Customer::new(&s.app).await;
        c.register(&s.app, "lea@example.fr", PASSWORD).await;
        c.add(s.bastille.0, s.margherita.0, 1).await;
        let token = Customer::token_of(&c.checkout().await);
        c.add(s.bastille.0, s.regina.0, 1).await;
        for path in ["/", "/cart".to_string().as_str(), "/checkout", "/account", "/account/orders", &format!("/orders/{token}"), &format!("/orders/{token}/edit"), "/register", "/password/forgot"] {
            let page = c.get(path).await;
            assert_eq!(page.headers["cache-control"], "no-store", "{path}");
        }
        let out = c.post("/logout", &[]).await;
        assert_eq!(out.headers["clear-site-data"], "\"cache\"");
    }
}
