//! A menu's product list is rendered once for every visitor: each visitor's copy carries that
//! visitor's own token and cart, never another's.

use crate::customer::{own_copy, Customer};
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
