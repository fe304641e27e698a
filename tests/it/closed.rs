//! A closed pizzeria: its menu stays readable, "Ajouter" says when it opens, and a cart left
//! there is never a dead end.

use crate::customer::Customer;
use crate::each_backend;
use crate::ordering::shop;
use chrono::Datelike;
use diesel::prelude::*;
use ocpizza::db::schema::opening_hours;
use ocpizza::domain::ids::PizzeriaId;

/// The pizzeria opens tomorrow (Paris) at 11:30 only.
async fn open_tomorrow_only(app: &crate::harness::TestApp, p: PizzeriaId) {
    let today = ocpizza::domain::hours::paris(chrono::Utc::now())
        .weekday()
        .num_days_from_monday() as i32;
    app.with_conn(move |c| {
        diesel::delete(opening_hours::table.filter(opening_hours::pizzeria_id.eq(p.0)))
            .execute(c)
            .unwrap();
        diesel::insert_into(opening_hours::table)
            .values((
                opening_hours::pizzeria_id.eq(p.0),
                opening_hours::weekday.eq((today + 1) % 7),
                opening_hours::opens_at.eq(690),
                opening_hours::closes_at.eq(870),
            ))
            .execute(c)
            .unwrap();
    })
    .await;
}

each_backend! {
    async fn a_closed_pizzeria_shows_its_menu_and_says_when_it_opens(db) {
        let s = shop(db).await;
        open_tomorrow_only(&s.app, s.bastille).await;
        let mut c = Customer::new(&s.app).await;
        let menu = c.get(&format!("/pizzerias/{}", s.bastille)).await;
        assert_eq!(menu.status, 200);
        assert!(menu.body.contains("Margherita"), "the menu stays readable");
        assert!(menu.body.contains("Fermée pour le moment : ouvre demain à 11:30"), "{}", menu.body);
        assert!(menu.body.contains(r#"disabled aria-label="Margherita : Ouvre demain à 11:30">Ouvre demain à 11:30</button>"#), "{}", menu.body);
        let refused = c.add(s.bastille.0, s.margherita.0, 1).await;
        assert_eq!(refused.status, 409);
        assert!(refused.body.contains("OC Pizza Bastille est fermée pour aujourd&#x27;hui : elle ouvre demain à 11:30."), "{}", refused.body);
        assert!(c.get("/cart").await.body.contains("Votre panier est vide"));
    }

    async fn a_cart_left_at_a_pizzeria_closed_since_is_kept_and_checkout_shows_a_way_out(db) {
        let s = shop(db).await;
        let mut c = Customer::new(&s.app).await;
        c.add(s.bastille.0, s.margherita.0, 1).await;
        open_tomorrow_only(&s.app, s.bastille).await;
        let page = c.get("/checkout").await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("La pizzeria est fermée pour aujourd'hui : elle ouvre demain à 11:30. Votre panier est conservé."), "{}", page.body);
        assert!(page.body.contains(&format!(r#"<a href="/pizzerias/{}">OC Pizza Marais</a>"#, s.marais)), "other pizzerias open now are offered");
        assert!(!page.body.contains(&format!(r#"<a href="/pizzerias/{}">OC Pizza Bastille</a>"#, s.bastille)));
        assert!(c.get("/cart").await.body.contains("Margherita"), "the cart is kept");
    }
}
