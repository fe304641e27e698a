//! The floor's pages carry a board rendered once for every screen: each viewer's copy has that
//! viewer's own token in every form, never another's nor the placeholder, and arrives whole.

use crate::customer::{Answer, Customer};
use crate::each_backend;
use crate::floor::{staff, web_order};
use crate::ordering::shop;

/// What a floor page must hold for its viewer: a complete page, of the length it announced,
/// whose every form carries this viewer's token and no one else's.
fn assert_own_board(page: &Answer, viewer: &Customer, other: &Customer, forms: &str) {
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.trim_end().ends_with("</html>"),
        "a whole page: {}",
        page.body
    );
    let length = page
        .headers
        .get("content-length")
        .map(|v| v.to_str().unwrap().to_string());
    assert_eq!(
        length,
        Some(page.body.len().to_string()),
        "the length announced is the page's"
    );
    let field = r#"name="csrf_token" value=""#;
    let own = format!("{field}{}\"", viewer.csrf);
    assert!(
        page.body.contains(forms),
        "the board's forms are there: {}",
        page.body
    );
    assert_eq!(
        page.body.matches(field).count(),
        page.body.matches(&own).count(),
        "every form carries the viewer's token: {}",
        page.body
    );
    assert!(
        page.body.contains(&own),
        "the board's forms carry it: {}",
        page.body
    );
    let layout = format!(r#""X-CSRF-Token": "{}""#, viewer.csrf);
    assert!(
        page.body.contains(&layout),
        "and the layout's htmx headers: {}",
        page.body
    );
    assert!(
        !page.body.contains(&other.csrf),
        "another viewer's token never shows"
    );
    assert!(!page.body.contains("__CSRF_TOKEN__") && !page.body.contains("<!--board-->"));
}

each_backend! {
    async fn each_floor_viewer_sees_the_shared_board_with_their_own_token(db) {
        let shop = shop(db).await;
        let (_, _, id) = web_order(&shop, 2).await;
        let p = shop.bastille;
        let mut cook = staff(&shop.app, "pizzaiolo", "bastille").await;
        let mut manager = staff(&shop.app, "manager", "bastille").await;
        assert_ne!(cook.csrf, manager.csrf);

        let start = format!("/staff/{p}/kitchen/{id}/start");
        let mine = cook.get(&format!("/staff/{p}/kitchen")).await;
        assert_own_board(&mine, &cook, &manager, &format!(r#"action="{start}""#));
        let theirs = manager.get(&format!("/staff/{p}/kitchen")).await;
        assert_own_board(&theirs, &manager, &cook, &format!(r#"action="{start}""#));

        // The token the cook's copy carries is the one the cook's plain form is taken with.
        let started = cook.post(&start, &[]).await;
        assert_eq!(started.status, 303, "{}", started.body);
        let ready = cook.post(&format!("/staff/{p}/kitchen/{id}/ready"), &[]).await;
        assert_eq!(ready.status, 303, "{}", ready.body);

        let mut driver = staff(&shop.app, "driver", "bastille").await;
        let out = format!(r#"action="/staff/{p}/delivery/"#);
        let mine = driver.get(&format!("/staff/{p}/delivery")).await;
        assert_own_board(&mine, &driver, &manager, &out);
        assert!(mine.body.contains("#001"), "the ready order waits for a driver: {}", mine.body);
        let theirs = manager.get(&format!("/staff/{p}/delivery")).await;
        assert_own_board(&theirs, &manager, &driver, &out);
    }
}
