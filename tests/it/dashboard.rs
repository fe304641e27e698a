//! The dashboards: a pizzeria's day (orders by status, revenue, average times, late orders,
//! stock alerts, top products, the charts per hour against the same weekday of last week),
//! live from any process; the group's pizzerias side by side with their total; the
//! accountant's CSV; the demo's past days.

use crate::each_backend;
use crate::floor::{staff, web_order};
use crate::harness::TestApp;
use crate::live::SseReader;
use crate::management::{ingredient, set_level};
use crate::ordering::shop;
use chrono::{Duration as Days, NaiveDateTime};
use diesel::prelude::*;
use ocpizza::db::schema::orders;
use ocpizza::domain::ids::OrderId;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);

/// The text of `<dd data-figure="name">` (or a span) in `body`.
fn figure<'a>(body: &'a str, name: &str) -> &'a str {
    let at = body
        .find(&format!("data-figure=\"{name}\">"))
        .unwrap_or_else(|| panic!("figure {name} on the page"));
    let rest = &body[at..];
    let start = rest.find('>').unwrap() + 1;
    let end = rest.find('<').unwrap();
    &rest[start..end]
}

/// The count of a status in the "par statut" list.
fn status_count(body: &str, status: &str) -> String {
    let at = body
        .find(&format!("data-status=\"{status}\""))
        .unwrap_or_else(|| panic!("status {status}"));
    let rest = &body[at..];
    let start = rest.find("<strong>").unwrap() + 8;
    let end = rest.find("</strong>").unwrap();
    rest[start..end].to_string()
}

async fn placed_at(app: &TestApp, id: OrderId) -> NaiveDateTime {
    app.with_conn(move |c| {
        orders::table
            .find(id)
            .select(orders::created_at)
            .first(c)
            .unwrap()
    })
    .await
}

/// Moves an order to `created` (its day and promise too): the history a test needs, and
/// orders of one test in one hour whatever the clock.
async fn move_order(app: &TestApp, id: OrderId, created: NaiveDateTime) {
    app.with_conn(move |c| {
        let (was, promised): (NaiveDateTime, Option<NaiveDateTime>) = orders::table
            .find(id)
            .select((orders::created_at, orders::promised_at))
            .first(c)
            .unwrap();
        let shift = created - was;
        let day = ocpizza::domain::hours::paris(created.and_utc()).date();
        diesel::update(orders::table.find(id))
            .set((
                orders::created_at.eq(created),
                orders::service_date.eq(day),
                orders::number.eq(900 + id.0 as i32),
                orders::promised_at.eq(promised.map(|p| p + shift)),
            ))
            .execute(c)
            .unwrap();
    })
    .await
}

fn unescape(body: &str) -> String {
    body.replace("&#x27;", "'").replace("&#x2F;", "/")
}

each_backend! {
    async fn the_dashboard_shows_the_day_against_the_same_weekday_of_last_week(db) {
        let shop = shop(db).await;
        let a = shop.bastille;
        let (_, _, first) = web_order(&shop, 1).await;
        let (_, _, second) = web_order(&shop, 2).await;
        let (mut gone, token, _) = web_order(&shop, 3).await;
        assert_eq!(gone.post(&format!("/orders/{token}/cancel"), &[("confirm", "oui")]).await.status, 303);
        // Last week's same day, same hour: one order of one Margherita, moved there.
        let (_, _, old) = web_order(&shop, 1).await;
        let t0 = placed_at(&shop.app, first).await;
        move_order(&shop.app, second, t0).await;
        move_order(&shop.app, old, t0 - Days::days(7)).await;
        // The kitchen starts the first order and gets it ready.
        let mut cook = staff(&shop.app, "pizzaiolo", "bastille").await;
        cook.get(&format!("/staff/{a}/kitchen")).await;
        assert_eq!(cook.htmx_post(&format!("/staff/{a}/kitchen/{first}/start"), &[]).await.status, 200);
        assert_eq!(cook.htmx_post(&format!("/staff/{a}/kitchen/{first}/ready"), &[]).await.status, 200);
        // The second one's promise is already past.
        shop.app.with_conn(move |c| {
            diesel::update(orders::table.find(second))
                .set(orders::promised_at.eq(ocpizza::models::now() - Days::minutes(5)))
                .execute(c)
                .unwrap();
        }).await;
        // An ingredient under its threshold.
        let basil = ingredient(&shop.app, "Basilic frais").await;
        set_level(&shop.app, a, basil, 10).await;

        let mut manager = staff(&shop.app, "manager", "bastille").await;
        let page = manager.get(&format!("/staff/{a}/dashboard")).await;
        assert_eq!(page.status, 200, "{}", page.body);
        let body = unescape(&page.body);
        // Two sales (the cancelled one is not), 3 Margheritas at 10,50 €.
        assert_eq!(figure(&body, "sales"), "2");
        assert_eq!(figure(&body, "revenue"), "31,50\u{a0}€");
        assert_eq!(figure(&body, "basket"), "15,75\u{a0}€");
        assert!(body.contains("semaine dernière : 1<"), "last week's count");
        assert!(body.contains("semaine dernière : 10,50\u{a0}€"), "last week's revenue");
        assert_eq!(status_count(&body, "RECEIVED"), "1");
        assert_eq!(status_count(&body, "READY"), "1");
        assert_eq!(status_count(&body, "CANCELLED"), "1");
        assert_eq!(status_count(&body, "DELIVERED"), "0");
        // Started and ready within the minute; nothing delivered yet.
        assert_eq!(figure(&body, "to-start"), "0 min");
        assert_eq!(figure(&body, "to-ready"), "0 min");
        assert_eq!(figure(&body, "to-done"), "—");
        assert_eq!(figure(&body, "late-now"), "1");
        assert_eq!(figure(&body, "served-late"), "0");
        let top = &body[body.find("top-products").unwrap()..];
        assert!(top.contains("<span>Margherita</span> ×3"), "{top}");
        let alerts = &body[body.find("dashboard-alerts").unwrap()..body.find("charts-title").unwrap()];
        assert!(alerts.contains("Basilic frais") && alerts.contains("bas"), "{alerts}");
        // The charts: SVG drawn here, with both days, and no script or outside resource.
        assert!(body.contains("<svg viewBox=\"0 0 480 200\""));
        let hour = ocpizza::domain::hours::paris(t0.and_utc()).format("%-Hh").to_string();
        assert!(body.contains(&format!("<title>{hour}, aujourd'hui : 2</title>")), "today's bar at {hour}");
        assert!(body.contains(&format!("<title>{hour}, semaine dernière : 1</title>")), "last week's bar at {hour}");
        assert!(body.contains(&format!("<title>{hour}, aujourd'hui : 31,50\u{a0}€</title>")));
        assert!(body.contains("Commandes par heure : 2 aujourd'hui, 1 le même jour la semaine dernière."));
        let board = &body[body.find("id=\"board\"").unwrap()..];
        assert!(!board.contains("<script") && !board.contains("http"), "nothing from elsewhere");
    }

    async fn the_dashboard_follows_orders_from_another_process_without_reload(db) {
        let shop = shop(db).await;
        let a = shop.bastille;
        let other = shop.app.another_instance().await;
        let mut manager = staff(&shop.app, "manager", "bastille").await;
        manager.get(&format!("/staff/{a}/dashboard")).await;
        let mut live = SseReader::open_with(&manager.http, &shop.app.url(&format!("/staff/{a}/dashboard/events"))).await;
        let board = live.wait_for("board", WAIT).await.expect("the board at once");
        assert_eq!(figure(&board.data, "sales"), "0");
        // An order placed through the other process.
        let mut c = crate::customer::Customer::new(&other).await;
        c.get(&format!("/pizzerias/{a}")).await;
        c.add(a.0, shop.margherita.0, 2).await;
        assert_eq!(c.checkout().await.status, 303);
        let board = live.wait_for("board", WAIT).await.expect("the board again after the order");
        assert_eq!(figure(&board.data, "sales"), "1");
        assert_eq!(figure(&board.data, "revenue"), "21,00\u{a0}€");
    }

    async fn the_group_dashboard_puts_the_pizzerias_side_by_side_with_their_total(db) {
        let shop = shop(db).await;
        web_order(&shop, 2).await;
        let mut c = crate::customer::Customer::new(&shop.app).await;
        c.get(&format!("/pizzerias/{}", shop.montmartre)).await;
        c.add(shop.montmartre.0, shop.regina.0, 1).await;
        assert_eq!(c.checkout().await.status, 303);
        let mut admin = staff(&shop.app, "admin", "").await;
        let page = admin.get("/admin/dashboard").await;
        assert_eq!(page.status, 200, "{}", page.body);
        let row = |id: String| -> String {
            let at = page.body.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("{id}"));
            let end = page.body[at..].find("</tr>").unwrap() + at;
            page.body[at..end].to_string()
        };
        let bastille = row(format!("pizzeria-{}", shop.bastille));
        let montmartre = row(format!("pizzeria-{}", shop.montmartre));
        let marais = row(format!("pizzeria-{}", shop.marais));
        let total = row("group-total".into());
        assert_eq!(figure(&bastille, "sales"), "1");
        assert_eq!(figure(&bastille, "revenue"), "21,00\u{a0}€");
        assert_eq!(figure(&montmartre, "sales"), "1");
        assert_eq!(figure(&marais, "sales"), "0");
        assert_eq!(figure(&total, "sales"), "2");
        let regina = figure(&montmartre, "revenue").to_string();
        let cents = |s: &str| -> i64 { s.trim_end_matches("\u{a0}€").replace(',', "").parse().unwrap() };
        assert_eq!(cents(figure(&total, "revenue")), 2100 + cents(&regina));
        assert!(page.body.contains("id=\"chart-orders\"") && page.body.contains("id=\"chart-revenue\""));
        // A manager does not see the group.
        let mut manager = staff(&shop.app, "manager", "bastille").await;
        assert_eq!(manager.get("/admin/dashboard").await.status, 403);
    }

    async fn the_accountant_gets_the_sales_as_a_french_csv(db) {
        let shop = shop(db).await;
        web_order(&shop, 2).await;
        web_order(&shop, 1).await;
        let (mut gone, token, _) = web_order(&shop, 4).await;
        assert_eq!(gone.post(&format!("/orders/{token}/cancel"), &[("confirm", "oui")]).await.status, 303);
        let (_, _, old) = web_order(&shop, 1).await;
        let t = placed_at(&shop.app, old).await;
        move_order(&shop.app, old, t - Days::days(40)).await;
        let mut admin = staff(&shop.app, "admin", "").await;
        let form = admin.get("/admin/exports").await;
        assert_eq!(form.status, 200);
        let (today, _) = ocpizza::services::dashboard::days(ocpizza::models::now());
        let day = today.format("%Y-%m-%d").to_string();
        let res = admin.http.get(shop.app.url(&format!("/admin/exports/sales.csv?from={day}&to={day}"))).send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
        assert!(res.headers()["content-disposition"].to_str().unwrap().starts_with("attachment; filename=\"ventes-ocpizza-"));
        let bytes = res.bytes().await.unwrap();
        assert_eq!(&bytes[..3], b"\xEF\xBB\xBF", "UTF-8 with a byte order mark");
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        let rows: Vec<&str> = text.split("\r\n").filter(|r| !r.is_empty()).collect();
        assert_eq!(rows[0], "Date;Pizzeria;Produit;Mode de paiement;Quantité;Montant TTC (€)");
        // The two orders paid on delivery, summed; the cancelled one and last month's left out.
        let fr = today.format("%d/%m/%Y").to_string();
        assert_eq!(rows[1..].to_vec(), vec![format!("{fr};OC Pizza Bastille;Margherita;À la livraison;3;31,50")]);

        // Bad ranges: a French message next to the field, a 422.
        let year_ago = (today - Days::days(366)).format("%Y-%m-%d").to_string();
        for (query, message) in [
            (format!("from={day}&to=2020-01-01"), "La date de fin précède la date de début."),
            (format!("from={year_ago}&to={day}"), "Un export couvre au plus 366 jours."),
            ("from=hier&to=".to_string(), "Indiquez une date, par exemple 01/12/2026."),
            (String::new(), "Indiquez une date"),
        ] {
            let bad = admin.get(&format!("/admin/exports/sales.csv?{query}")).await;
            assert_eq!(bad.status, 422, "{query}");
            assert!(unescape(&bad.body).contains(message), "{query}: {}", bad.body);
            assert!(bad.body.contains("class=\"field-error\""), "{query}");
        }
        let mut manager = staff(&shop.app, "manager", "bastille").await;
        assert_eq!(manager.get(&format!("/admin/exports/sales.csv?from={day}&to={day}")).await.status, 403);
    }

    async fn the_demo_has_past_days_for_its_dashboards(db) {
        let app = TestApp::with_demo(db).await;
        let placed = app.with_conn(|c| ocpizza::services::demo::seed_orders(c, ocpizza::services::demo::FIRST_SLUG).unwrap()).await;
        assert_eq!(placed, 6);
        let a = app.with_conn(|c| crate::fixtures::pizzeria(c, "bastille")).await;
        let (today, last_week) = ocpizza::services::dashboard::days(ocpizza::models::now());
        let days: Vec<chrono::NaiveDate> = app.with_conn(move |c| {
            orders::table.filter(orders::pizzeria_id.eq(a)).select(orders::service_date.assume_not_null()).distinct().load(c).unwrap()
        }).await;
        assert!(days.contains(&last_week) && days.contains(&today), "{days:?}");
        assert!(days.len() >= 8, "{days:?}");
        let mut manager = staff(&app, "manager", "bastille").await;
        let page = manager.get(&format!("/staff/{a}/dashboard")).await;
        assert_eq!(page.status, 200);
        let before: i64 = page.body.split("semaine dernière : ").nth(1).unwrap().split('<').next().unwrap().parse().unwrap();
        assert!(before > 10, "last week's orders: {before}");
        // Numbers of the day stay unique: the live floor's come after the history's.
        let clash: i64 = app.with_conn(move |c| {
            orders::table.filter(orders::service_date.eq(today)).filter(orders::number.is_null()).count().get_result(c).unwrap()
        }).await;
        assert_eq!(clash, 0);
    }
}
