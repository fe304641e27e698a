//! Sessions: a guest's session is short-lived until its browser comes back with it, so clients
//! that never keep cookies cannot fill the table for a month.

use crate::customer::Customer;
use crate::each_backend;
use crate::ordering::shop;
use diesel::prelude::*;
use ocpizza::db::schema::sessions;
use ocpizza::models::now;

fn expiries(c: &mut ocpizza::db::DbConn) -> Vec<chrono::NaiveDateTime> {
    sessions::table
        .select(sessions::expires_at)
        .load(c)
        .unwrap()
}

each_backend! {
    async fn a_bot_adding_to_carts_without_cookies_leaves_rows_gone_within_hours(db) {
        let s = shop(db).await;
        // A real browser that comes back keeps its session for a month.
        let mut browser = Customer::new(&s.app).await;
        browser.add(s.bastille.0, s.margherita.0, 1).await;
        assert!(browser.get("/cart").await.body.contains("Margherita"));
        let kept = s.app.with_conn(expiries).await;
        assert_eq!(kept.len(), 1);
        assert!(kept[0] > now() + chrono::Duration::days(29), "{kept:?}");
        // A bot posts "Ajouter" fifty times with the CSRF cookie of one page it read, but never
        // sends a session cookie back.
        let page = reqwest::get(format!("{}/", s.app.base)).await.unwrap();
        let csrf_cookie = page.headers().get_all("set-cookie").iter()
            .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string())
            .find(|c| c.starts_with("ocp_csrf="))
            .expect("a CSRF cookie");
        let token = crate::customer::csrf_in(&page.text().await.unwrap()).expect("a CSRF token");
        let (p, m) = (s.bastille.0.to_string(), s.margherita.0.to_string());
        let bot = reqwest::Client::new();
        for _ in 0..50 {
            let added = bot.post(format!("{}/cart/lines", s.app.base))
                .header("Cookie", &csrf_cookie)
                .header("X-CSRF-Token", &token)
                .header("Sec-Fetch-Site", "same-origin")
                .header("HX-Request", "true")
                .form(&[("pizzeria_id", p.as_str()), ("product_id", m.as_str())])
                .send().await.unwrap();
            assert_eq!(added.status().as_u16(), 200);
        }
        let all = s.app.with_conn(expiries).await;
        assert_eq!(all.len(), 51);
        let short = all.iter().filter(|e| **e < now() + chrono::Duration::hours(7)).count();
        assert_eq!(short, 50, "each bot session lives hours, not a month");
        // The housekeeping of seven hours later leaves the browser's session only.
        let later = now() + chrono::Duration::hours(7);
        let cleaned = s.app.with_conn(move |c| ocpizza::services::housekeeping::clean(c, later).unwrap()).await;
        assert_eq!(cleaned.sessions, 50);
        assert_eq!(s.app.with_conn(expiries).await, kept);
    }
}
