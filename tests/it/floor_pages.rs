//! The floor's pages carry a board rendered once for every screen: each viewer's copy has that
//! viewer's own token in every form, never another's nor the placeholder, and the page arrives whole.

use crate::customer::own_copy;
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

        // The kitchen's board is one for every screen, the manager's included.
        let start = format!("/staff/{p}/kitchen/{id}/start");
        let kitchen = format!("/staff/{p}/kitchen");
        let forms = format!(r#"action="{start}""#);
        own_copy(&mut cook, &kitchen, &manager.csrf.clone(), &forms).await;
        own_copy(&mut manager, &kitchen, &cook.csrf.clone(), &forms).await;
        own_copy(&mut cook, &kitchen, &manager.csrf.clone(), &forms).await;

        // The token the cook's copy carries is the one the cook's plain forms are taken with.
        let started = cook.post(&start, &[]).await;
        assert_eq!(started.status, 303, "{}", started.body);
        let ready = cook.post(&format!("/staff/{p}/kitchen/{id}/ready"), &[]).await;
        assert_eq!(ready.status, 303, "{}", ready.body);

        // A driver's board is one for each of the driver's screens (the phone and the tablet).
        let mut phone = staff(&shop.app, "driver", "bastille").await;
        let mut tablet = staff(&shop.app, "driver", "bastille").await;
        assert_ne!(phone.csrf, tablet.csrf);
        let delivery = format!("/staff/{p}/delivery");
        let out = format!(r#"action="/staff/{p}/delivery/"#);
        let mine = own_copy(&mut phone, &delivery, &tablet.csrf.clone(), &out).await;
        assert!(mine.body.contains("#001"), "the ready order waits for a driver: {}", mine.body);
        own_copy(&mut tablet, &delivery, &phone.csrf.clone(), &out).await;
        own_copy(&mut manager, &delivery, &phone.csrf.clone(), &out).await;
    }
}
