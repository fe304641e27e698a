//! The manager's team: a new member chooses their own password through the link sent to them,
//! a role changed takes effect on the next request, a deactivated member is signed out at once
//! and cannot sign in, and bad input or another pizzeria's people change nothing.

use crate::customer::{latest_link, Customer};
use crate::each_backend;
use crate::floor::staff;
use crate::harness::TestApp;
use crate::ordering::shop;
use diesel::prelude::*;
use ocpizza::db::schema::{email_outbox, staff_memberships, users};

const NEW: &str = "nadia.pizzaiola@example.fr";

async fn people(app: &TestApp) -> (i64, i64, i64) {
    app.with_conn(|c| {
        (
            users::table.count().get_result(c).unwrap(),
            staff_memberships::table.count().get_result(c).unwrap(),
            email_outbox::table
                .filter(email_outbox::template.eq("staff_invitation"))
                .count()
                .get_result(c)
                .unwrap(),
        )
    })
    .await
}

async fn user_id(app: &TestApp, email: &'static str) -> i64 {
    app.with_conn(move |c| {
        users::table
            .filter(users::email.eq(email))
            .select(users::id)
            .first(c)
            .unwrap()
    })
    .await
}

async fn roles(app: &TestApp) -> Vec<String> {
    app.with_conn(|c| {
        staff_memberships::table
            .order(staff_memberships::id)
            .select(staff_memberships::role)
            .load::<String>(c)
            .unwrap()
    })
    .await
}

/// Signs in with a password at the login page: the answer's status.
async fn sign_in(app: &TestApp, email: &str, password: &str) -> (Customer, u16) {
    let mut c = Customer::new(app).await;
    c.get("/login").await;
    let signed = c
        .post(
            "/login",
            &[("email", email), ("password", password), ("next", "")],
        )
        .await;
    let status = signed.status;
    (c, status)
}

each_backend! {
    async fn a_new_member_chooses_their_password_and_the_manager_keeps_the_team(db) {
        let shop = shop(db).await;
        let a = shop.bastille;
        let mut manager = staff(&shop.app, "manager", "bastille").await;
        let page = manager.get(&format!("/staff/{a}/team")).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("pizzaiolo.bastille@demo.ocpizza.fr"), "the team is listed");
        assert!(!page.body.contains("pizzaiolo.montmartre@demo.ocpizza.fr"), "only this pizzeria's");
        let added = manager.post(&format!("/staff/{a}/team"), &[("name", "Nadia Ferri"), ("email", NEW), ("role", "pizzaiolo")]).await;
        assert_eq!(added.status, 303, "{}", added.body);
        let page = manager.get(added.location.as_deref().unwrap()).await;
        assert!(page.body.contains("Nadia Ferri") && page.body.contains("lien par e-mail"), "{}", page.body);
        // No password works before the link is used; nobody chose one for her.
        assert_ne!(sign_in(&shop.app, NEW, "").await.1, 303);
        assert_ne!(sign_in(&shop.app, NEW, "!invited").await.1, 303);
        let link = latest_link(&shop.app, NEW, "staff_invitation").await.expect("the link is sent to her");
        let mut nadia = Customer::new(&shop.app).await;
        assert_eq!(nadia.get(&link).await.status, 200);
        let chosen = nadia.post(&link, &[("password", "la pâte lève la nuit"), ("password_confirm", "la pâte lève la nuit")]).await;
        assert_eq!(chosen.status, 303, "{}", chosen.body);
        assert_eq!(nadia.get(&format!("/staff/{a}/kitchen")).await.status, 200, "signed in as a cook");
        assert_eq!(nadia.get(&link).await.status, 404, "the link served once");

        // Another role: it holds from her next request.
        let id = user_id(&shop.app, NEW).await;
        manager.get(&format!("/staff/{a}/team")).await;
        let role = manager.post(&format!("/staff/{a}/team/{id}/role"), &[("role", "driver")]).await;
        assert_eq!(role.status, 303, "{}", role.body);
        assert_eq!(nadia.get(&format!("/staff/{a}/kitchen")).await.status, 403);
        assert_eq!(nadia.get(&format!("/staff/{a}/delivery")).await.status, 200);

        // Deactivated: signed out at once, and her password no longer opens anything.
        let off = manager.post(&format!("/staff/{a}/team/{id}/active"), &[("active", "false")]).await;
        assert_eq!(off.status, 303);
        let after = nadia.get(&format!("/staff/{a}/delivery")).await;
        assert_eq!(after.status, 303, "sent to the login page");
        assert!(after.location.unwrap().starts_with("/login"));
        assert_ne!(sign_in(&shop.app, NEW, "la pâte lève la nuit").await.1, 303);
        let on = manager.post(&format!("/staff/{a}/team/{id}/active"), &[("active", "true")]).await;
        assert_eq!(on.status, 303);
        assert_eq!(sign_in(&shop.app, NEW, "la pâte lève la nuit").await.1, 303);
    }

    async fn bad_team_changes_are_refused_and_change_nothing(db) {
        let shop = shop(db).await;
        let (a, b) = (shop.bastille, shop.montmartre);
        let mut manager = staff(&shop.app, "manager", "bastille").await;
        manager.get(&format!("/staff/{a}/team")).await;
        let before = people(&shop.app).await;
        for (fields, says) in [
            (vec![("name", ""), ("email", NEW), ("role", "driver")], "Le nom est obligatoire."),
            (vec![("name", "Nadia"), ("email", "pas-une-adresse"), ("role", "driver")], "Adresse e-mail invalide"),
            (vec![("name", "Nadia"), ("email", "driver.montmartre@demo.ocpizza.fr"), ("role", "driver")], "Cette adresse e-mail a déjà un compte."),
            (vec![("name", "Nadia"), ("email", NEW), ("role", "admin")], "Choisissez un rôle de la liste."),
            (vec![("name", "Nadia"), ("email", NEW), ("role", "driver"), ("password", "x")], "Champ inattendu"),
        ] {
            let answer = manager.post(&format!("/staff/{a}/team"), &fields).await;
            assert_eq!(answer.status, 422, "{fields:?}");
            assert!(answer.body.replace("&#x27;", "'").contains(says), "{fields:?}: {}", answer.body);
            assert_eq!(people(&shop.app).await, before, "{fields:?}");
        }
        let me = user_id(&shop.app, "manager.bastille@demo.ocpizza.fr").await;
        let theirs = user_id(&shop.app, "driver.montmartre@demo.ocpizza.fr").await;
        let cook = user_id(&shop.app, "pizzaiolo.bastille@demo.ocpizza.fr").await;
        let roles_before = roles(&shop.app).await;
        for (path, fields, status, says) in [
            (format!("/staff/{a}/team/{me}/active"), vec![("active", "false")], 409, "votre propre compte"),
            (format!("/staff/{a}/team/{me}/role"), vec![("role", "driver")], 409, "votre propre rôle"),
            (format!("/staff/{a}/team/{theirs}/active"), vec![("active", "false")], 404, "ne fait pas partie de l'équipe"),
            (format!("/staff/{a}/team/{theirs}/role"), vec![("role", "counter")], 404, "ne fait pas partie de l'équipe"),
            (format!("/staff/{a}/team/999999/invitation"), vec![], 404, "ne fait pas partie de l'équipe"),
            (format!("/staff/{a}/team/abc/role"), vec![("role", "counter")], 404, "ne fait pas partie de l'équipe"),
            (format!("/staff/{a}/team/{cook}/role"), vec![("role", "chef")], 422, "Choisissez un rôle de la liste."),
            (format!("/staff/{a}/team/{cook}/active"), vec![("active", "bof")], 422, "activer ou désactiver"),
        ] {
            let answer = manager.post(&path, &fields).await;
            assert_eq!(answer.status, status, "{path}: {}", answer.body);
            assert!(answer.body.replace("&#x27;", "'").contains(says), "{path}: {}", answer.body);
        }
        assert_eq!(roles(&shop.app).await, roles_before);
        // The Montmartre's manager cannot reach the Bastille's team.
        let mut other = staff(&shop.app, "manager", "montmartre").await;
        other.get(&format!("/staff/{b}/team")).await;
        assert_eq!(other.post(&format!("/staff/{a}/team/{cook}/active"), &[("active", "false")]).await.status, 403);
        assert_eq!(other.get(&format!("/staff/{a}/team")).await.status, 403);
        assert_eq!(people(&shop.app).await, before);
        let cook_active = shop.app.with_conn(move |c| users::table.find(cook).select(users::active).first::<bool>(c).unwrap()).await;
        assert!(cook_active);
    }
}
