//! The cart never holds what the stock cannot make together: products share ingredients, and
//! someone else's order can take what a cart needs.

use crate::customer::{csrf_in, Customer};
use crate::each_backend;
use crate::fixtures;
use crate::live::SseReader;
use crate::ordering::shop;
use std::time::Duration;

each_backend! {
    async fn adding_a_line_checks_the_whole_cart_against_the_stock(db) {
        let s = shop(db).await;
        let parma = s.app.with_conn(|c| fixtures::product(c, "Parma")).await;
        // Montmartre has 240 g of buffalo mozzarella: a Bufalina takes 120 g, a Parma 100 g; the
        // menu says "plus que 2" for each.
        let mut c = Customer::new(&s.app).await;
        assert_eq!(c.add(s.montmartre.0, s.bufalina.0, 1).await.status, 200);
        assert_eq!(c.add(s.montmartre.0, parma.0, 1).await.status, 200);
        let refused = c.add(s.montmartre.0, parma.0, 1).await;
        assert_eq!(refused.status, 409);
        assert!(refused.body.contains("« Parma » : il n&#x27;en reste qu&#x27;un exemplaire pour votre panier (vous en demandez 2)."), "{}", refused.body);
        let set = c.htmx_post(&format!("/cart/lines/{parma}"), &[("quantity", "2")]).await;
        assert_eq!(set.status, 409);
        let cart = c.get("/cart").await.body;
        assert!(cart.contains(r#"id="qty-"#) && cart.contains(&format!(r#"id="qty-{parma}" name="quantity" type="number" inputmode="numeric" min="0" max="20" value="1""#)), "{cart}");
    }

    async fn an_order_placed_elsewhere_shows_on_the_open_cart_live(db) {
        let s = shop(db).await;
        let parma = s.app.with_conn(|c| fixtures::product(c, "Parma")).await;
        let mut c = Customer::new(&s.app).await;
        c.add(s.montmartre.0, s.bufalina.0, 1).await;
        c.add(s.montmartre.0, parma.0, 1).await;
        let page = c.get("/cart").await.body;
        let at = page.find("/cart/events?w=").expect("the cart page is live") + "/cart/events?w=".len();
        let version = &page[at..at + page[at..].find('"').unwrap()];
        assert!(csrf_in(&page).is_some());
        let mut sse = SseReader::open_with(&c.http, &format!("{}/cart/events?w={version}", c.base)).await;
        assert!(sse.next(Duration::from_millis(300)).await.is_none(), "silent while the page is right");
        // Another customer's order takes 120 g of the 240 g.
        let (p, bufala) = (s.montmartre, s.app.with_conn(|c| fixtures::ingredient(c, "Mozzarella di bufala")).await);
        s.app.with_conn(move |c| ocpizza::services::stock::reserve(c, p, &[ocpizza::services::stock::Need { ingredient: bufala, qty: 120 }], Default::default())).await.unwrap();
        let warned = sse.wait_for("warnings", Duration::from_secs(10)).await.expect("the cart is told");
        assert!(warned.data.contains("« Bufalina » n&#x27;est plus disponible pour votre panier."), "{warned:?}");
        assert!(warned.data.contains("« Parma »"), "{warned:?}");
        assert!(c.get("/cart").await.body.contains("« Bufalina » n&#x27;est plus disponible pour votre panier."));
    }
}
