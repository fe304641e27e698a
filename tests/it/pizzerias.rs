//! The direction's pizzerias: a new one opens with an empty stock and the whole menu; details
//! and weekly hours are changed (overlaps and impossible hours refused, nothing written); an
//! exceptional closure closes the day; a deactivated pizzeria leaves the customers' list.

use crate::customer::Customer;
use crate::each_backend;
use crate::floor::staff;
use crate::ordering::shop;
use diesel::prelude::*;
use ocpizza::db::schema::{menu_items, opening_hours, pizzerias, stock_levels};

fn unescape(body: &str) -> String {
    body.replace("&#x27;", "'").replace("&#x2F;", "/")
}

/// The form of a pizzeria: its details, and every day open 11:30–14:30 and 18:30–23:00.
fn form(name: &str) -> Vec<(String, String)> {
    let mut f: Vec<(String, String)> = [
        ("name", name),
        ("street", "5 place de l'Opéra"),
        ("postal_code", "75009"),
        ("city", "Paris"),
        ("phone", "01 42 00 00 00"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for d in 0..7 {
        for (w, (o, c)) in [("11:30", "14:30"), ("18:30", "23:00")].iter().enumerate() {
            f.push((format!("open[{d}-{w}]"), o.to_string()));
            f.push((format!("close[{d}-{w}]"), c.to_string()));
        }
    }
    f
}

fn with(mut f: Vec<(String, String)>, key: &str, value: &str) -> Vec<(String, String)> {
    match f.iter_mut().find(|(k, _)| k == key) {
        Some(slot) => slot.1 = value.to_string(),
        None => f.push((key.to_string(), value.to_string())),
    }
    f
}

async fn post(c: &mut Customer, path: &str, f: &[(String, String)]) -> crate::customer::Answer {
    let refs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    c.post(path, &refs).await
}

async fn pizzeria_count(app: &crate::harness::TestApp) -> i64 {
    app.with_conn(|c| pizzerias::table.count().get_result(c).unwrap())
        .await
}

each_backend! {
    async fn a_new_pizzeria_opens_with_an_empty_stock_and_the_whole_menu(db) {
        let shop = shop(db).await;
        let mut admin = staff(&shop.app, "admin", "").await;
        assert_eq!(admin.get("/admin/pizzerias/new").await.status, 200);
        let made = post(&mut admin, "/admin/pizzerias", &form("OC Pizza Opéra")).await;
        assert_eq!(made.status, 303, "{}", made.body);
        let (id, slug): (i64, String) = shop.app.with_conn(|c| pizzerias::table.filter(pizzerias::name.eq("OC Pizza Opéra")).select((pizzerias::id, pizzerias::slug)).first(c).unwrap()).await;
        assert_eq!(slug, "opera");
        let (stock, stocked, menu, hours): (i64, i64, i64, i64) = shop.app.with_conn(move |c| (
            stock_levels::table.filter(stock_levels::pizzeria_id.eq(id)).count().get_result(c).unwrap(),
            stock_levels::table.filter(stock_levels::pizzeria_id.eq(id)).filter(stock_levels::on_hand.ne(0)).count().get_result(c).unwrap(),
            menu_items::table.filter(menu_items::pizzeria_id.eq(id)).filter(menu_items::enabled.eq(true)).count().get_result(c).unwrap(),
            opening_hours::table.filter(opening_hours::pizzeria_id.eq(id)).count().get_result(c).unwrap(),
        )).await;
        assert_eq!((stock, stocked, hours), (38, 0, 14));
        assert!(menu >= 20, "the whole menu: {menu}");
        let mut c = Customer::new(&shop.app).await;
        let list = unescape(&c.get("/").await.body);
        assert!(list.contains("OC Pizza Opéra"));
        let page = unescape(&c.get(&format!("/pizzerias/{id}")).await.body);
        assert!(page.contains("Margherita") && page.contains("Épuisée"), "on the menu, nothing in stock yet");
        assert!(admin.get("/admin/pizzerias?done=created").await.body.contains("Pizzeria ouverte"));
    }

    async fn bad_pizzeria_input_is_refused_next_to_its_field_and_nothing_is_written(db) {
        let shop = shop(db).await;
        let mut admin = staff(&shop.app, "admin", "").await;
        admin.get("/admin/pizzerias/new").await;
        let before = pizzeria_count(&shop.app).await;
        let cases: Vec<(Vec<(String, String)>, &str)> = vec![
            (with(form("OC Pizza Opéra"), "close[4-0]", "19:00"), "Vendredi : les horaires 11:30–19:00 et 18:30–23:00 se chevauchent."),
            (with(form("OC Pizza Opéra"), "open[2-1]", "23:30"), "Mercredi : l'ouverture doit précéder la fermeture."),
            (with(form("OC Pizza Opéra"), "open[0-0]", "11h30"), "Lundi : écrivez les heures ainsi : 11:30 et 14:30."),
            (with(form("OC Pizza Opéra"), "close[0-0]", ""), "Lundi : écrivez les heures ainsi"),
            (form("oc pizza BASTILLE"), "Une pizzeria porte déjà ce nom."),
            (form("  "), "Le nom est obligatoire."),
            (with(form("OC Pizza Opéra"), "postal_code", "7509"), "Code postal invalide"),
            (with(form("OC Pizza Opéra"), "phone", "123"), "téléphone"),
        ];
        for (fields, message) in cases {
            let res = post(&mut admin, "/admin/pizzerias", &fields).await;
            assert_eq!(res.status, 422, "{message}");
            let body = unescape(&res.body);
            assert!(body.contains(message), "{message}: {body}");
            assert!(body.contains("class=\"field-error\""));
        }
        assert_eq!(pizzeria_count(&shop.app).await, before, "nothing written");
        // A bad edit leaves the hours as they were.
        let a = shop.bastille;
        let hours_before: i64 = shop.app.with_conn(move |c| opening_hours::table.filter(opening_hours::pizzeria_id.eq(a)).count().get_result(c).unwrap()).await;
        let res = post(&mut admin, &format!("/admin/pizzerias/{a}"), &with(form("OC Pizza Bastille"), "close[4-0]", "19:00")).await;
        assert_eq!(res.status, 422);
        let hours: i64 = shop.app.with_conn(move |c| opening_hours::table.filter(opening_hours::pizzeria_id.eq(a)).count().get_result(c).unwrap()).await;
        assert_eq!(hours, hours_before);
        assert_eq!(admin.get("/admin/pizzerias/999999").await.status, 404);
        let mut manager = staff(&shop.app, "manager", "bastille").await;
        assert_eq!(manager.get("/admin/pizzerias").await.status, 403);
    }

    async fn hours_closures_and_deactivation_reach_the_customers(db) {
        let shop = shop(db).await;
        let a = shop.bastille;
        let mut admin = staff(&shop.app, "admin", "").await;
        let page = admin.get(&format!("/admin/pizzerias/{a}")).await;
        assert_eq!(page.status, 200);
        // Open all day (the test's fixture): the form shows 00:00–24:00.
        assert!(page.body.contains("value=\"00:00\"") && page.body.contains("value=\"24:00\""), "{}", page.body);
        // Sundays closed from now on, a new phone.
        let mut f = with(form("OC Pizza Bastille"), "phone", "01 43 55 99 99");
        f = with(with(f, "open[6-0]", ""), "close[6-0]", "");
        f = with(with(f, "open[6-1]", ""), "close[6-1]", "");
        let saved = post(&mut admin, &format!("/admin/pizzerias/{a}"), &f).await;
        assert_eq!(saved.status, 303, "{}", saved.body);
        let other = shop.app.another_instance().await;
        let mut c = Customer::new(&other).await;
        let menu = unescape(&c.get(&format!("/pizzerias/{a}")).await.body);
        assert!(menu.contains("OC Pizza Bastille"));
        let list = unescape(&c.get("/").await.body);
        let at = list.find("OC Pizza Bastille").unwrap();
        let card = &list[at..at + list[at..].find("</li>").unwrap_or(list.len() - at)];
        assert!(card.contains("01 43 55 99 99"), "the new phone in the list: {card}");
        assert!(card.contains("<dt>Dimanche</dt><dd>fermé</dd>"), "Sunday closed: {card}");
        assert!(card.contains("<dt>Lundi</dt><dd>11:30–14:30, 18:30–23:00</dd>"), "{card}");

        // Closed today, exceptionally: no longer open now, anywhere that reads the menu.
        let today = ocpizza::domain::hours::paris(chrono::Utc::now()).date();
        let day = today.format("%Y-%m-%d").to_string();
        let closed = admin.post(&format!("/admin/pizzerias/{a}/closures"), &[("day", &day), ("reason", "Inventaire annuel")]).await;
        assert_eq!(closed.status, 303, "{}", closed.body);
        let again = admin.post(&format!("/admin/pizzerias/{a}/closures"), &[("day", &day), ("reason", "Deux fois")]).await;
        assert_eq!(again.status, 422);
        assert!(again.body.contains("Ce jour est déjà noté comme fermé."));
        let past = (today - chrono::Duration::days(1)).format("%Y-%m-%d").to_string();
        let refused = admin.post(&format!("/admin/pizzerias/{a}/closures"), &[("day", &past), ("reason", "Trop tard")]).await;
        assert_eq!(refused.status, 422);
        assert!(refused.body.contains("Ce jour est passé."));
        let third = shop.app.another_instance().await;
        let mut c = Customer::new(&third).await;
        let menu = unescape(&c.get(&format!("/pizzerias/{a}")).await.body);
        assert!(menu.contains("Fermée pour le moment"), "closed today");
        let form_page = unescape(&admin.get(&format!("/admin/pizzerias/{a}")).await.body);
        assert!(form_page.contains("Inventaire annuel"));
        // The weekly hours stay as they were (six days open), the closure is only for today.
        assert_eq!(form_page.matches("value=\"11:30\"").count(), 6, "weekly hours kept");
        let closure: i64 = shop.app.with_conn(|c| ocpizza::db::schema::pizzeria_closures::table.select(ocpizza::db::schema::pizzeria_closures::id).first(c).unwrap()).await;
        assert_eq!(admin.post(&format!("/admin/pizzerias/{a}/closures/{closure}/delete"), &[]).await.status, 303);

        // Deactivated: out of the list, its menu gone; back when reactivated.
        let m = shop.montmartre;
        assert_eq!(admin.post(&format!("/admin/pizzerias/{m}/active"), &[("active", "false")]).await.status, 303);
        let mut c = Customer::new(&shop.app).await;
        assert!(!c.get("/").await.body.contains("OC Pizza Montmartre"));
        assert_eq!(c.get(&format!("/pizzerias/{m}")).await.status, 404);
        assert_eq!(admin.post(&format!("/admin/pizzerias/{m}/active"), &[("active", "true")]).await.status, 303);
        assert_eq!(c.get(&format!("/pizzerias/{m}")).await.status, 200);
        assert_eq!(admin.post(&format!("/admin/pizzerias/{m}/active"), &[("active", "peut-être")]).await.status, 422);
    }

    async fn the_direction_names_a_pizzeria_s_managers(db) {
        let shop = shop(db).await;
        let m = shop.montmartre;
        let mut admin = staff(&shop.app, "admin", "").await;
        let page = admin.get(&format!("/admin/pizzerias/{m}/managers")).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("manager.montmartre@demo.ocpizza.fr"));
        // A new manager: an account nobody can use until its link is opened.
        let added = admin.post(&format!("/admin/pizzerias/{m}/managers"), &[("name", "Zoé Lambert"), ("email", "zoe.lambert@ocpizza.fr")]).await;
        assert_eq!(added.status, 303, "{}", added.body);
        let link = crate::customer::latest_link(&shop.app, "zoe.lambert@ocpizza.fr", "staff_invitation").await;
        assert!(link.is_some(), "the invitation is queued");
        let again = admin.post(&format!("/admin/pizzerias/{m}/managers"), &[("name", "Zoé"), ("email", "zoe.lambert@ocpizza.fr")]).await;
        assert_eq!(again.status, 422);
        assert!(again.body.contains("Cette adresse e-mail a déjà un compte."));
        let bad = admin.post(&format!("/admin/pizzerias/{m}/managers"), &[("name", ""), ("email", "pas-un-email")]).await;
        assert_eq!(bad.status, 422);
        assert!(bad.body.contains("id=\"name-error\"") && bad.body.contains("id=\"email-error\""));
        // The Bastille's counter clerk becomes the Montmartre's manager.
        let appointed = admin.post(&format!("/admin/pizzerias/{m}/managers/appoint"), &[("existing", "counter.bastille@demo.ocpizza.fr")]).await;
        assert_eq!(appointed.status, 303, "{}", appointed.body);
        let mut moved = staff(&shop.app, "counter", "bastille").await;
        assert_eq!(moved.get(&format!("/staff/{m}/stock")).await.status, 200);
        assert_eq!(moved.get(&format!("/staff/{}/counter", shop.bastille)).await.status, 403);
        let nobody = admin.post(&format!("/admin/pizzerias/{m}/managers/appoint"), &[("existing", "lea@example.fr")]).await;
        assert_eq!(nobody.status, 422);
        assert!(unescape(&nobody.body).contains("Aucun membre d'une équipe n'a cette adresse"));
        let list = admin.get(&format!("/admin/pizzerias/{m}/managers?done=appointed")).await;
        assert!(list.body.contains("counter.bastille@demo.ocpizza.fr") && list.body.contains("zoe.lambert@ocpizza.fr"));
        let mut manager = staff(&shop.app, "manager", "montmartre").await;
        assert_eq!(manager.get(&format!("/admin/pizzerias/{m}/managers")).await.status, 403);
    }
}
