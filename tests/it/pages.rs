//! The pages a customer sees first: the pizzeria list, and the French error pages.

use crate::each_backend;
use crate::harness::TestApp;

each_backend! {
    async fn the_home_page_lists_the_five_pizzerias_with_address_and_hours(db) {
        let app = TestApp::with_demo(db).await;
        let (status, html) = app.get("/").await;
        assert_eq!(status, 200);
        for name in ["OC Pizza Bastille", "OC Pizza Montmartre", "OC Pizza Marais", "OC Pizza Batignolles", "OC Pizza Butte-aux-Cailles"] {
            assert!(html.contains(name), "missing {name}");
        }
        assert!(html.contains("12 rue de la Roquette, 75011 Paris"));
        assert!(html.contains("11:30–14:30, 18:30–23:00"));
        assert!(html.contains("Ouverte maintenant") || html.contains("Fermée pour le moment"));
        assert!(html.contains(r#"<html lang="fr">"#));
        assert!(html.contains("/assets/vendor/htmx-2.0.11.min.js"));
    }

    async fn an_unknown_pizzeria_gets_a_french_404_page(db) {
        let app = TestApp::with_demo(db).await;
        for path in ["/pizzerias/999", "/pizzerias/abc", "/pizzerias/0", "/pizzerias/-1", "/pizzerias/99999999999999999999999", "/pizzerias/999/events"] {
            let (status, html) = app.get(path).await;
            assert_eq!(status, 404, "{path}");
            assert!(html.contains("Cette pizzeria n&#x27;existe pas"), "{path}: {html}");
        }
        let (status, html) = app.get("/nulle-part").await;
        assert_eq!(status, 404);
        assert!(html.contains("Page introuvable"));
    }

    async fn htmx_requests_get_a_toast_instead_of_a_page(db) {
        let app = TestApp::with_demo(db).await;
        let res = app.http.get(app.url("/pizzerias/999")).header("HX-Request", "true").send().await.unwrap();
        assert_eq!(res.status().as_u16(), 404);
        assert!(res.headers()["vary"].to_str().unwrap().contains("HX-Request"));
        assert_eq!(res.headers()["hx-retarget"], "#toasts");
        let body = res.text().await.unwrap();
        assert!(body.starts_with(r#"<div class="toast toast--error" role="alert""#), "{body}");
        assert!(!body.contains("<html"));
    }

    async fn static_assets_are_served_with_a_long_cache(db) {
        let app = TestApp::with_demo(db).await;
        for path in ["/assets/vendor/htmx-2.0.11.min.js", "/assets/vendor/htmx-ext-sse-2.2.4.js", "/assets/app.css"] {
            let res = app.http.get(app.url(path)).send().await.unwrap();
            assert_eq!(res.status().as_u16(), 200, "{path}");
            assert_eq!(res.headers()["cache-control"], "public, max-age=31536000, immutable");
        }
    }
}
