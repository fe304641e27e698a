//! A real headless Chromium on a phone: the customer pays by card on Stripe's hosted page, or
//! from their bank on GoCardless's (the local stand-ins), comes back, and sees the order turn
//! "Payée" without reloading, when the payment settles after the return (a bank that confirms
//! later).

use crate::browser::{check_out_a_margherita, click, text_of, wait_text, Driver};
use crate::each_backend;
use crate::payments::paying_shop;

each_backend! {
    async fn paying_on_the_stripe_page_brings_back_a_tracking_page_that_turns_paid_live(db) {
        let (s, stripe) = paying_shop(db, &[]).await;
        stripe.inner.lock().unwrap().async_payments = true;
        let driver = Driver::start().await;
        let b = driver.phone().await;
        check_out_a_margherita(&s, &b, Some("stripe")).await;

        // On the provider's page: the amount, and the button that pays.
        wait_text(&b, "h1", "Payer 10,50 €").await;
        assert!(b.current_url().await.unwrap().as_str().starts_with(&stripe.base));
        click(&b, "#pay").await;

        // Back on the tracking page, which says the payment is being checked.
        wait_text(&b, "#payment-state", "Paiement en cours de vérification").await;
        let url = b.current_url().await.unwrap();
        assert!(url.path().starts_with("/orders/"), "{url}");
        b.execute("window.__stillTheSamePage = true; return true;", vec![]).await.unwrap();
        let session = stripe.inner.lock().unwrap().sessions.keys().next().unwrap().clone();

        assert_eq!(stripe.handle().settle_async(&session).await, 200);

        wait_text(&b, "#payment-state", "Payée").await;
        assert!(text_of(&b, ".order-status__now").await.contains("Reçue"));
        let same = b.execute("return window.__stillTheSamePage === true;", vec![]).await.unwrap();
        assert_eq!(same, serde_json::Value::Bool(true), "updated without reload");
        b.close().await.unwrap();
    }
}

each_backend! {
    async fn paying_from_the_bank_on_the_gocardless_page_turns_the_tracking_page_paid_live(db) {
        let (s, gc) = crate::gocardless::gocardless_shop(db, &[]).await;
        gc.inner.lock().unwrap().confirms_later = true;
        let driver = Driver::start().await;
        let b = driver.phone().await;
        check_out_a_margherita(&s, &b, Some("gocardless")).await;

        // On GoCardless's page: the amount, and the button that pays from the bank.
        wait_text(&b, "h1", "Payer 10,50 € par virement instantané").await;
        assert!(b.current_url().await.unwrap().as_str().starts_with(&gc.base));
        click(&b, "#pay").await;

        // Back: the payment is submitted, not confirmed yet.
        wait_text(&b, "#payment-state", "Paiement en cours de vérification").await;
        b.execute("window.__stillTheSamePage = true; return true;", vec![]).await.unwrap();
        let payment = gc.inner.lock().unwrap().payments.keys().next().unwrap().clone();

        assert_eq!(gc.handle().confirm_and_notify(&payment).await, 200);

        wait_text(&b, "#payment-state", "Payée").await;
        assert!(text_of(&b, ".order-status__now").await.contains("Reçue"));
        let same = b.execute("return window.__stillTheSamePage === true;", vec![]).await.unwrap();
        assert_eq!(same, serde_json::Value::Bool(true), "updated without reload");
        assert!(gc.violations().is_empty(), "{:?}", gc.violations());
        b.close().await.unwrap();
    }
}
