//! The floor's pages carry a board rendered once for every screen: each viewer's copy has that
//! viewer's own token in every form, never another's nor the placeholder, and arrives whole.

use crate::customer::assert_own_copy;
use crate::each_backend;
use crate::floor::{staff, web_order};
use crate::ordering::shop;

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
        assert_own_copy(&mine, &cook, &manager, &format!(r#"action="{start}""#));
        let theirs = manager.get(&format!("/staff/{p}/kitchen")).await;
        assert_own_copy(&theirs, &manager, &cook, &format!(r#"action="{start}""#));

        // The token the cook's copy carries is the one the cook's plain form is taken with.
        let started = cook.post(&start, &[]).await;
        assert_eq!(started.status, 303, "{}", started.body);
        let ready = cook.post(&format!("/staff/{p}/kitchen/{id}/ready"), &[]).await;
        assert_eq!(ready.status, 303, "{}", ready.body);

        let mut driver = staff(&shop.app, "driver", "bastille").await;
        let out = format!(r#"action="/staff/{p}/delivery/"#);
        let mine = driver.get(&format!("/staff/{p}/delivery")).await;
        assert_own_copy(&mine, &driver, &manager, &out);
        assert!(mine.body.contains("#001"), "the ready order waits for a driver: {}", mine.body);
        let theirs = manager.get(&format!("/staff/{p}/delivery")).await;
        assert_own_copy(&theirs, &manager, &driver, &out);
    }
}
