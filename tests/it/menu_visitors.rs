//! A menu page is rendered once for every visitor: each visitor's copy carries that visitor's
//! own token and cart, never another's; its header comes from the view cookie of this
//! browser's session; it answers "not modified" only for the same bytes, and shows a change made
//! by this process on the next page; a browser that takes gzip gets the same bytes gzipped.

use crate::customer::{own_copy, Answer, Customer};
use crate::each_backend;
use crate::ordering::shop;

each_backend! {
    async fn two_visitors_of_one_menu_each_see_their_own_token_and_cart(db) {
        let shop = shop(db).await;
        let menu = format!("/pizzerias/{}", shop.bastille);
        let mut filled = Customer::new(&shop.app).await;
        filled.get(&menu).await;
        let added = filled.add(shop.bastille.0, shop.margherita.0, 2).await;
        assert_eq!(added.status, 200, "{}", added.body);
        let mut empty = Customer::new(&shop.app).await;
        empty.get(&menu).await;
        assert_ne!(filled.csrf, empty.csrf);

        let forms = r#"action="/cart/lines""#;
        let page = own_copy(&mut filled, &menu, &empty.csrf.clone(), forms).await;
        assert!(page.body.contains(r#"id="header-cart">Panier (2)</a>"#), "{}", page.body);
        let page = own_copy(&mut empty, &menu, &filled.csrf.clone(), forms).await;
        assert!(page.body.contains(r#"id="header-cart">Panier</a>"#), "{}", page.body);
        // And the first again, after the other's visit: nothing of theirs stayed in the shared part.
        let page = own_copy(&mut filled, &menu, &empty.csrf.clone(), forms).await;
        assert!(page.body.contains(r#"id="header-cart">Panier (2)</a>"#), "{}", page.body);
    }
}

/// The value a response's `Set-Cookie` gives the cookie `name` (`None` if it sets none; an
/// empty value removes it).
fn set_cookie(answer: &Answer, name: &str) -> Option<String> {
    answer
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .find(|c| c.starts_with(&format!("{name}=")))
        .map(|c| c.split(';').next().unwrap()[name.len() + 1..].to_string())
}

fn header_cart(page: &Answer) -> &str {
    let at = page
        .body
        .find(r#"id="header-cart">"#)
        .expect("the header's cart")
        + 17;
    &page.body[at..at + page.body[at..].find("</a>").unwrap()]
}

each_backend! {
    async fn a_returning_visitors_menu_header_comes_from_the_view_cookie_and_follows_this_browsers_changes(db) {
        let shop = shop(db).await;
        let menu = format!("/pizzerias/{}", shop.bastille);
        let mut c = Customer::new(&shop.app).await;
        c.get(&menu).await;
        c.add(shop.bastille.0, shop.margherita.0, 2).await;
        // The first menu after the change reads the session, and leaves the view cookie.
        let page = c.get(&menu).await;
        assert_eq!(header_cart(&page), "Panier (2)");
        assert!(set_cookie(&page, "ocp_view").is_some_and(|v| !v.is_empty()), "{:?}", page.headers);
        // A change of this browser (a post) takes the cookie away: its next menu shows it.
        let added = c.add(shop.bastille.0, shop.regina.0, 1).await;
        assert_eq!(set_cookie(&added, "ocp_view").as_deref(), Some(""), "{:?}", added.headers);
        assert_eq!(header_cart(&c.get(&menu).await), "Panier (3)");

        // The menu's header comes from the cookie: with the session gone from the database
        // (signed out from another device), the menu still shows it until the cookie lapses,
        // while the cart page reads the session, says the truth, and mends the cookie.
        shop.app.with_conn(|conn| {
            use diesel::prelude::*;
            diesel::delete(ocpizza::db::schema::sessions::table).execute(conn).unwrap();
        }).await;
        assert_eq!(header_cart(&c.get(&menu).await), "Panier (3)");
        let cart = c.get("/cart").await;
        assert_eq!(cart.status, 200, "{}", cart.body);
        assert_eq!(header_cart(&cart), "Panier");
        assert_eq!(header_cart(&c.get(&menu).await), "Panier");
    }

    async fn a_view_cookie_counts_only_for_the_session_it_names(db) {
        let shop = shop(db).await;
        let menu = format!("/pizzerias/{}", shop.bastille);
        let mut a = Customer::new(&shop.app).await;
        a.add(shop.bastille.0, shop.margherita.0, 2).await;
        let view = set_cookie(&a.get(&menu).await, "ocp_view").expect("a view cookie");
        let mut b = Customer::new(&shop.app).await;
        let added = b.add(shop.bastille.0, shop.margherita.0, 1).await;
        let session = set_cookie(&added, "ocp_session").expect("b's session");
        // B's session with A's view cookie: B's own cart, read from B's session.
        let page = reqwest::Client::new()
            .get(shop.app.url(&menu))
            .header("Cookie", format!("ocp_session={session}; ocp_view={view}"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains(r#"id="header-cart">Panier (1)</a>"#), "{page}");
        // A forged (not encrypted by the app) cookie is not read either.
        let forged = "0123456789abcdef\t9999999999\t7\t1\tMallory";
        let page = reqwest::Client::new()
            .get(shop.app.url(&menu))
            .header("Cookie", format!("ocp_session={session}; ocp_view={}", forged.replace('\t', "%09")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains(r#"id="header-cart">Panier (1)</a>"#), "{page}");
        assert!(!page.contains("Mallory"));
    }

    async fn the_menu_answers_not_modified_only_when_the_bytes_are_the_same(db) {
        let shop = shop(db).await;
        let menu = format!("/pizzerias/{}", shop.bastille);
        let mut guest = Customer::new(&shop.app).await;
        let first = guest.get(&menu).await;
        let etag = first.headers.get("etag").expect("an entity tag").to_str().unwrap().to_string();
        let again = guest.get(&menu).await;
        assert_eq!(again.body, first.body, "the same bytes for the same visitor");
        assert_eq!(again.headers.get("etag").unwrap().to_str().unwrap(), etag);
        let held = guest.get_with(&menu, &[("If-None-Match", &etag)]).await;
        assert_eq!(held.status, 304);
        assert!(held.body.is_empty());
        assert_eq!(held.headers.get("etag").unwrap().to_str().unwrap(), etag);

        // Another visitor's page carries another token: never "not modified" on this tag.
        let mut other = Customer::new(&shop.app).await;
        let theirs = other.get_with(&menu, &[("If-None-Match", &etag)]).await;
        assert_eq!(theirs.status, 200);
        assert_ne!(theirs.headers.get("etag").unwrap().to_str().unwrap(), etag);

        // A stock change made here (an order placed): the next page shows it at once, and its
        // tag changed with its bytes.
        let montmartre = format!("/pizzerias/{}", shop.montmartre);
        let shown = guest.get(&montmartre).await;
        assert_eq!(crate::menu::availability_of(&shown.body, shop.bufalina.0), "Plus que 2");
        let mut buyer = Customer::new(&shop.app).await;
        buyer.add(shop.montmartre.0, shop.bufalina.0, 1).await;
        let placed = buyer.checkout().await;
        assert_eq!(placed.status, 303, "{}", placed.body);
        let shown = guest.get(&montmartre).await;
        let tag = shown.headers.get("etag").unwrap().to_str().unwrap().to_string();
        assert_eq!(crate::menu::availability_of(&shown.body, shop.bufalina.0), "Plus que 1");
        let mut later = Customer::new(&shop.app).await;
        later.add(shop.montmartre.0, shop.bufalina.0, 1).await;
        assert_eq!(later.checkout().await.status, 303);
        let after = guest.get_with(&montmartre, &[("If-None-Match", &tag)]).await;
        assert_eq!(after.status, 200, "the bytes changed: no 304");
        assert_eq!(crate::menu::availability_of(&after.body, shop.bufalina.0), "Épuisée");
        assert_ne!(after.headers.get("etag").unwrap().to_str().unwrap(), tag);

        // A menu edit made here (the manager takes the Margherita off): the next page of the
        // cached menu shows it, under a new tag.
        let shown = guest.get(&menu).await;
        let tag = shown.headers.get("etag").unwrap().to_str().unwrap().to_string();
        assert!(shown.body.contains(&format!(r#"id="product-{}""#, shop.margherita)));
        let mut manager = crate::floor::staff(&shop.app, "manager", "bastille").await;
        manager.get(&format!("/staff/{}/stock", shop.bastille)).await;
        let off = manager.post(&format!("/staff/{}/menu/{}", shop.bastille, shop.margherita), &[("enabled", "false")]).await;
        assert_eq!(off.status, 303, "{}", off.body);
        let after = guest.get_with(&menu, &[("If-None-Match", &tag)]).await;
        assert_eq!(after.status, 200);
        assert!(!after.body.contains(&format!(r#"id="product-{}""#, shop.margherita)));
        assert_ne!(after.headers.get("etag").unwrap().to_str().unwrap(), tag);
    }

    async fn a_browser_that_takes_gzip_gets_the_same_page_gzipped_under_its_own_tag(db) {
        use std::io::Read;
        let shop = shop(db).await;
        let menu = format!("/pizzerias/{}", shop.bastille);
        let mut c = Customer::new(&shop.app).await;
        c.add(shop.bastille.0, shop.margherita.0, 2).await;
        c.get(&menu).await;
        let plain = c.get(&menu).await;
        assert!(plain.headers.get("content-encoding").is_none(), "no gzip unasked");
        let tag = |a: &reqwest::header::HeaderMap| a.get("etag").unwrap().to_str().unwrap().to_string();
        let fetch = |encoding: &'static str, held: String| {
            let req = c.http.get(shop.app.url(&menu)).header("Accept-Encoding", encoding);
            async move { req.header("If-None-Match", held).send().await.unwrap() }
        };
        let res = fetch("gzip, deflate, br, zstd", String::new()).await;
        assert_eq!(res.status().as_u16(), 200);
        assert_eq!(res.headers()["content-encoding"], "gzip");
        assert!(res.headers()["vary"].to_str().unwrap().contains("Accept-Encoding"));
        assert!(plain.headers["vary"].to_str().unwrap().contains("Accept-Encoding"));
        let gz_tag = tag(res.headers());
        assert_ne!(gz_tag, tag(&plain.headers), "another representation, another tag");
        let packed = res.bytes().await.unwrap();
        let mut text = String::new();
        flate2::read::GzDecoder::new(&packed[..]).read_to_string(&mut text).expect("valid gzip, its checksum right");
        assert_eq!(text, plain.body, "the same bytes, this visitor's token and cart");
        assert!(text.contains(r#"id="header-cart">Panier (2)</a>"#) && text.contains(&c.csrf));
        assert!(packed.len() < plain.body.len() / 3, "{} of {}", packed.len(), plain.body.len());
        // 304 only for the representation the tag names.
        assert_eq!(fetch("gzip", gz_tag.clone()).await.status().as_u16(), 304);
        let identity = fetch("identity", gz_tag.clone()).await;
        assert_eq!(identity.status().as_u16(), 200);
        assert!(identity.headers().get("content-encoding").is_none());
        let refused = fetch("gzip;q=0, *", tag(&plain.headers)).await;
        assert_eq!(refused.status().as_u16(), 304, "gzip;q=0: the plain page, still the same");
    }
}
