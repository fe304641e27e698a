//! Paying with PayPal, against a local stand-in that speaks PayPal's REST API and checks our
//! requests against PayPal's published OpenAPI schemas: the order created with our key, the
//! payer's approval, the capture that only we make (once, and only while the order still
//! waits), webhooks that PayPal itself vouches for, refunds, and PayPal down or declining.

use crate::customer::{Answer, Customer};
use crate::each_backend;
use crate::fake_paypal::{self, deliver, event, FakePaypal, Mode};
use crate::harness::TestDb;
use crate::ordering::{order_by_token, Shop};
use crate::payments::{counts, shop_paying_through, until};
use diesel::prelude::*;
use ocpizza::db::schema::{payments, webhook_events};
use ocpizza::domain::order::{OrderStatus, PaymentStatus};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

/// The demo shop, open all day, paying through the PayPal stand-in (webhooks sent here).
async fn paypal_shop(db: Arc<TestDb>, extra: &[(&'static str, Value)]) -> (Shop, FakePaypal) {
    let paypal = FakePaypal::start().await;
    let shop = shop_paying_through(db, paypal.settings(), extra).await;
    paypal.inner.lock().unwrap().webhook = Some(shop.app.url("/webhooks/paypal"));
    (shop, paypal)
}

/// A Margherita and a Regina (23,00 €), checked out paying with PayPal.
async fn paypal_checkout(s: &Shop, c: &mut Customer) -> Answer {
    c.add(s.bastille.0, s.margherita.0, 1).await;
    c.add(s.bastille.0, s.regina.0, 1).await;
    let form = c.open_checkout().await;
    c.checkout_with(&form, &[("payment", "paypal")]).await
}

/// PayPal's order id in an approval link, and the tracking token of the order it pays.
fn ids_of(paypal: &FakePaypal, link: &str) -> (String, String) {
    let id = link.split("token=").nth(1).unwrap().to_string();
    let url = paypal.order(&id)["experience_context"]["return_url"]
        .as_str()
        .unwrap()
        .to_string();
    (id.clone(), url.split("order=").nth(1).unwrap().to_string())
}

/// An order sent to the approval page, with webhooks off: shop, stand-in, customer, PayPal's
/// order id, tracking token.
async fn quiet_paypal_order(
    db: Arc<TestDb>,
    extra: &[(&'static str, Value)],
) -> (Shop, FakePaypal, Customer, String, String) {
    let (s, paypal) = paypal_shop(db, extra).await;
    paypal.inner.lock().unwrap().webhook = None;
    let mut c = Customer::new(&s.app).await;
    let link = paypal_checkout(&s, &mut c).await.location.unwrap();
    let (id, token) = ids_of(&paypal, &link);
    (s, paypal, c, id, token)
}

each_backend! {
    async fn paying_with_paypal_creates_the_order_with_our_key_and_captures_it_once_approved(db) {
        let (s, paypal) = paypal_shop(db, &[]).await;
        paypal.inner.lock().unwrap().webhook = None;
        let mut c = Customer::new(&s.app).await;

        let answer = paypal_checkout(&s, &mut c).await;

        assert_eq!(answer.status, 303, "{}", answer.body);
        let link = answer.location.clone().unwrap();
        assert!(link.starts_with(&format!("{}/checkoutnow?token=", paypal.base)), "{link}");
        let (id, token) = ids_of(&paypal, &link);
        let order = order_by_token(&s.app, &token).await;
        assert_eq!((order.status, order.payment_status), (OrderStatus::AwaitingPayment, PaymentStatus::Pending));
        assert_eq!(counts(&s.app, &order).await.confirmed, 0, "no confirmation before the payment");
        let creates = paypal.calls("/v2/checkout/orders");
        assert_eq!(creates.len(), 1);
        let key = format!("ocp-order-{}-attempt-1", order.id.0);
        assert_eq!(creates[0].headers.get("paypal-request-id"), Some(&key));
        let unit = &creates[0].body["purchase_units"][0];
        assert_eq!(unit["custom_id"], json!(key));
        assert_eq!(unit["amount"], json!({"currency_code": "EUR", "value": "23.00", "breakdown": {"item_total": {"currency_code": "EUR", "value": "23.00"}}}));
        let items: Vec<_> = unit["items"].as_array().unwrap().iter().map(|i| (i["name"].as_str().unwrap(), i["quantity"].as_str().unwrap(), i["unit_amount"]["value"].as_str().unwrap())).collect();
        assert_eq!(items, vec![("Margherita", "1", "10.50"), ("Regina", "1", "12.50")]);
        let page = c.get(&format!("/orders/{token}")).await;
        let csp = page.headers.get("content-security-policy").unwrap().to_str().unwrap().to_string();
        assert!(csp.contains(&format!("form-action 'self' {}", paypal.base)), "the checkout may lead to PayPal: {csp}");

        // The payer approves and comes back: the order is captured, once.
        paypal.handle().approve(&id);
        let back = c.get(&paypal.handle().return_url(&id).replace(&s.app.url(""), "")).await;

        assert_eq!(back.status, 303);
        assert_eq!(back.location.as_deref(), Some(format!("/orders/{token}").as_str()));
        let order = until(&s.app, &token, "captured", |o| o.payment_status == PaymentStatus::Paid).await;
        assert_eq!((order.status, order.payment_method.as_str()), (OrderStatus::Received, "paypal"));
        let captures = paypal.calls(&format!("/v2/checkout/orders/{id}/capture"));
        assert_eq!(captures.len(), 1);
        assert_eq!(captures[0].headers.get("paypal-request-id"), Some(&format!("{key}-capture")));
        assert_eq!(counts(&s.app, &order).await.confirmed, 1, "confirmed once paid");
        let charge: Option<String> = s.app.with_conn(move |c| payments::table.filter(payments::order_id.eq(order.id)).select(payments::charge_ref).first(c).unwrap()).await;
        assert!(charge.is_some_and(|c| c.starts_with("3C6")), "the capture is what a refund gives back");
        assert_eq!(paypal.calls("/v1/oauth2/token").len(), 1, "one token for every call");
        assert!(paypal.violations().is_empty(), "{:?}", paypal.violations());
        let page = c.get(&format!("/orders/{token}")).await;
        assert!(page.body.contains("<strong>Payée</strong>"), "{}", page.body);
    }

    async fn an_approval_told_by_webhook_alone_is_captured_and_each_event_counts_once(db) {
        let (s, paypal) = paypal_shop(db, &[]).await;
        let mut c = Customer::new(&s.app).await;
        let link = paypal_checkout(&s, &mut c).await.location.unwrap();
        let (id, token) = ids_of(&paypal, &link);

        // The payer approves and closes the tab: only PayPal's webhook tells us.
        assert_eq!(paypal.handle().approve_and_notify(&id).await, 200);

        let order = until(&s.app, &token, "captured", |o| o.payment_status == PaymentStatus::Paid).await;
        assert_eq!(order.status, OrderStatus::Received);
        // PayPal then tells of the capture (PAYMENT.CAPTURE.COMPLETED), and tells it again.
        let of_kind = |kind: &'static str| s.app.with_conn(move |c| webhook_events::table.filter(webhook_events::event_type.eq(kind)).count().get_result::<i64>(c).unwrap());
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        while of_kind("PAYMENT.CAPTURE.COMPLETED").await < 1 {
            assert!(tokio::time::Instant::now() < deadline, "the capture's webhook is taken");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let body = paypal.inner.lock().unwrap().bodies.iter().find(|b| b.contains("PAYMENT.CAPTURE.COMPLETED")).cloned().unwrap();
        for _ in 0..3 {
            let t = paypal.handle().transmission(&body);
            assert_eq!(deliver(&s.app.url("/webhooks/paypal"), &body, &t).await.0, 200);
        }
        assert_eq!(of_kind("PAYMENT.CAPTURE.COMPLETED").await, 1, "each event once");
        assert_eq!(of_kind("CHECKOUT.ORDER.APPROVED").await, 1);
        let n = counts(&s.app, &order).await;
        assert_eq!((n.confirmed, n.refunds), (1, 0), "one e-mail; nothing given back");
        assert_eq!(paypal.calls(&format!("/v2/checkout/orders/{id}/capture")).len(), 1, "captured once");
        let verified = paypal.calls("/v1/notifications/verify-webhook-signature");
        assert_eq!(verified.len(), 5, "PayPal asked about every delivery");
        assert_eq!(verified[0].body["webhook_id"], json!(fake_paypal::WEBHOOK_ID));
        assert!(paypal.violations().is_empty(), "{:?}", paypal.violations());
    }

    async fn a_webhook_paypal_does_not_vouch_for_is_refused_and_changes_nothing(db) {
        let (s, paypal, _c, id, token) = quiet_paypal_order(db, &[]).await;
        let order = paypal.handle().approve(&id);
        let body = event("CHECKOUT.ORDER.APPROVED", "checkout-order", &order);
        let url = s.app.url("/webhooks/paypal");
        let genuine = paypal.handle().transmission(&body);
        let mut forged = genuine.clone();
        forged[2].1 = "Zm9yZ2Vk".into();
        let other = event("CHECKOUT.ORDER.APPROVED", "checkout-order", &json!({"id": id, "status": "APPROVED", "purchase_units": [{"custom_id": "ocp-order-1-attempt-9"}]}));

        let refused = [
            deliver(&url, &body, &[]).await,
            deliver(&url, &body, &forged).await,
            deliver(&url, &other, &genuine).await,
            deliver(&url, &body, &genuine[1..]).await,
        ];

        for (status, text) in &refused {
            assert_eq!((*status, text.as_str()), (400, "Signature invalide."));
        }
        // PayPal unable to answer: 503, so that it sends the event again later.
        paypal.set_mode(Mode::VerifyDown);
        assert_eq!(deliver(&url, &body, &genuine).await.0, 503);
        let recorded: i64 = s.app.with_conn(|c| webhook_events::table.count().get_result(c).unwrap()).await;
        assert_eq!(recorded, 0);
        assert_eq!(order_by_token(&s.app, &token).await.status, OrderStatus::AwaitingPayment);
        assert!(paypal.calls(&format!("/v2/checkout/orders/{id}/capture")).is_empty(), "nothing captured");
        // Sent again when PayPal answers, the genuine one goes through.
        paypal.set_mode(Mode::Normal);
        assert_eq!(deliver(&url, &body, &genuine).await.0, 200);
        until(&s.app, &token, "captured", |o| o.payment_status == PaymentStatus::Paid).await;
    }

    async fn an_approval_after_the_order_stopped_waiting_is_never_captured(db) {
        let (s, paypal, mut c, id, token) = quiet_paypal_order(db, &[]).await;
        // The customer chooses to pay on delivery after all; the PayPal attempt is dropped.
        let by_hand = c.post(&format!("/orders/{token}/payment"), &[("payment", "on_delivery")]).await;
        assert_eq!(by_hand.status, 303);
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        loop {
            let status: String = s.app.with_conn(|c| payments::table.filter(payments::provider.eq("paypal")).select(payments::status).first(c).unwrap()).await;
            if status == "CANCELLED" {
                break;
            }
            assert!(tokio::time::Instant::now() < deadline, "attempt still {status}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }

        // The payer approves in the tab still open, and comes back.
        paypal.inner.lock().unwrap().webhook = Some(s.app.url("/webhooks/paypal"));
        assert_eq!(paypal.handle().approve_and_notify(&id).await, 200);
        let back = c.get(&paypal.handle().return_url(&id).replace(&s.app.url(""), "")).await;
        assert_eq!(back.status, 303);

        // Nothing is to be captured (the worker captures only approvals of orders still
        // waiting), nothing was: the order is paid on delivery.
        let approved: Option<chrono::NaiveDateTime> = s.app.with_conn(|c| payments::table.filter(payments::provider.eq("paypal")).select(payments::approved_at).first(c).unwrap()).await;
        assert_eq!(approved, None, "not marked for capture");
        assert!(paypal.calls(&format!("/v2/checkout/orders/{id}/capture")).is_empty(), "never captured");
        assert_eq!(paypal.calls(&format!("/v2/checkout/orders/{id}")).len(), 1, "its state was read on return");
        let order = order_by_token(&s.app, &token).await;
        assert_eq!((order.status, order.payment_status, order.payment_method.as_str()), (OrderStatus::Received, PaymentStatus::Unpaid, "on_delivery"));
    }

    async fn a_declined_capture_brings_the_customer_back_to_choose_again(db) {
        let (s, paypal, mut c, id, token) = quiet_paypal_order(db, &[]).await;
        paypal.set_mode(Mode::Declining);
        paypal.handle().approve(&id);

        c.get(&paypal.handle().return_url(&id).replace(&s.app.url(""), "")).await;

        let order = until(&s.app, &token, "declined", |o| o.payment_status == PaymentStatus::Failed).await;
        assert_eq!(order.status, OrderStatus::AwaitingPayment, "kept, for another choice");
        let page = c.get(&format!("/orders/{token}/payment")).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("Le paiement a été refusé."), "{}", page.body);
        assert!(page.body.contains(r#"value="paypal""#) && page.body.contains(r#"value="on_delivery""#), "{}", page.body);
        // Chosen again, a new attempt under a new key.
        paypal.set_mode(Mode::Normal);
        let again = c.post(&format!("/orders/{token}/payment"), &[("payment", "paypal")]).await;
        assert!(again.location.as_deref().is_some_and(|l| l.contains("/checkoutnow?token=")), "{:?}", again.location);
        let keys: Vec<String> = paypal.calls("/v2/checkout/orders").iter().filter_map(|c| c.headers.get("paypal-request-id").cloned()).collect();
        assert_eq!(keys, [1, 2].map(|n| format!("ocp-order-{}-attempt-{n}", order.id.0)));
    }

    async fn paypal_failing_or_a_revoked_token_is_handled_without_a_second_order(db) {
        let (s, paypal) = paypal_shop(db, &[]).await;
        let mut c = Customer::new(&s.app).await;
        paypal.set_mode(Mode::Failing);

        let failed = paypal_checkout(&s, &mut c).await;

        let choice = failed.location.clone().unwrap();
        assert!(choice.ends_with("/payment"), "{choice}");
        let page = c.get(&choice).await;
        assert!(page.body.contains("Rien n&#x27;a été débité"), "{}", page.body);
        // The token expires early (revoked): the next call is refused once, a new token is
        // asked for, and the call goes through.
        paypal.set_mode(Mode::Normal);
        paypal.revoke_tokens();
        let token = choice.split('/').nth(2).unwrap().to_string();
        let again = c.post(&format!("/orders/{token}/payment"), &[("payment", "paypal")]).await;
        assert!(again.location.as_deref().is_some_and(|l| l.contains("/checkoutnow?token=")), "{:?}", again.location);
        assert_eq!(paypal.calls("/v1/oauth2/token").len(), 2);
        assert_eq!(paypal.inner.lock().unwrap().orders.len(), 1, "one order that can be approved");
        assert!(!page.body.contains(fake_paypal::CLIENT_SECRET), "no secret on a page");
    }

    async fn cancelling_a_paid_paypal_order_refunds_its_capture(db) {
        let (s, paypal) = paypal_shop(db, &[]).await;
        let mut c = Customer::new(&s.app).await;
        let link = paypal_checkout(&s, &mut c).await.location.unwrap();
        let (id, token) = ids_of(&paypal, &link);
        assert_eq!(paypal.handle().approve_and_notify(&id).await, 200);
        until(&s.app, &token, "captured", |o| o.payment_status == PaymentStatus::Paid).await;

        let cancelled = c.post(&format!("/orders/{token}/cancel"), &[("confirm", "oui")]).await;

        assert_eq!(cancelled.status, 303, "{}", cancelled.body);
        let order = until(&s.app, &token, "refunded", |o| o.payment_status == PaymentStatus::Refunded).await;
        assert_eq!(order.status, OrderStatus::Cancelled);
        let capture = paypal.order(&id)["purchase_units"][0]["payments"]["captures"][0]["id"].as_str().unwrap().to_string();
        let sent = paypal.calls(&format!("/v2/payments/captures/{capture}/refund"));
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].body["amount"], json!({"currency_code": "EUR", "value": "23.00"}));
        let key = sent[0].headers.get("paypal-request-id").cloned().unwrap();
        assert!(key.starts_with("ocp-payment-"), "{key}");
        assert_eq!(sent[0].body["custom_id"], json!(key));
        // PayPal's PAYMENT.CAPTURE.REFUNDED afterwards changes nothing more; one of a refund
        // made in PayPal's dashboard (no key of ours) is taken and ignored.
        let refund = paypal.inner.lock().unwrap().refunds[0].clone();
        let told = paypal.handle().notify(&s.app.url("/webhooks/paypal"), "PAYMENT.CAPTURE.REFUNDED", "refund", &refund).await;
        assert_eq!(told.0, 200);
        let theirs = json!({"id": "7RF1DASHBOARD", "status": "COMPLETED", "amount": {"currency_code": "EUR", "value": "1.00"}});
        assert_eq!(paypal.handle().notify(&s.app.url("/webhooks/paypal"), "PAYMENT.CAPTURE.REFUNDED", "refund", &theirs).await.0, 200);
        let n = counts(&s.app, &order).await;
        assert_eq!((n.refunds, n.refunded_mails, n.confirmed), (1, 1, 1));
        assert_eq!(order_by_token(&s.app, &token).await.payment_status, PaymentStatus::Refunded);
        assert!(paypal.violations().is_empty(), "{:?}", paypal.violations());
    }

    async fn a_lost_approval_is_found_and_captured_by_reconciliation(db) {
        let (s, paypal, _c, id, token) = quiet_paypal_order(db, &[("payments.reconcile_after_s", json!(10))]).await;
        // Approved at PayPal, but neither the payer nor a webhook came back.
        paypal.handle().approve(&id);
        s.app.with_conn(|c| diesel::update(payments::table).set(payments::updated_at.eq(ocpizza::models::now() - chrono::Duration::minutes(1))).execute(c).unwrap()).await;

        let order = until(&s.app, &token, "reconciled", |o| o.payment_status == PaymentStatus::Paid).await;

        assert_eq!(order.status, OrderStatus::Received);
        assert_eq!(paypal.calls(&format!("/v2/checkout/orders/{id}/capture")).len(), 1);
        assert_eq!(counts(&s.app, &order).await.confirmed, 1);
    }

    async fn without_paypal_credentials_paypal_is_not_offered(db) {
        let s = crate::ordering::shop(db).await;
        let mut c = Customer::new(&s.app).await;
        c.add(s.bastille.0, s.margherita.0, 1).await;
        let form = c.open_checkout().await;
        assert!(!c.get("/checkout").await.body.contains(r#"value="paypal""#), "not offered");

        let refused = c.checkout_with(&form, &[("payment", "paypal")]).await;

        assert_eq!(refused.status, 422);
        let webhook = reqwest::Client::new().post(s.app.url("/webhooks/paypal")).body("{}").send().await.unwrap();
        assert_eq!(webhook.status().as_u16(), 404);
    }
}
