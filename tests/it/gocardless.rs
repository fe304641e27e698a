//! Paying by instant bank transfer with GoCardless, against a local stand-in that speaks its
//! API: the billing request made under our key and its flow, batches of signed events applied
//! once, 498 for a signature that does not hold, the return that reads the payment at once,
//! reconciliation of a lost webhook, refunds, and GoCardless down at create.

use crate::customer::{Answer, Customer};
use crate::each_backend;
use crate::fake_gocardless::{self, deliver, FakeGocardless};
use crate::harness::TestDb;
use crate::ordering::{order_by_token, Shop};
use crate::payments::{counts, shop_paying_through, until};
use diesel::prelude::*;
use ocpizza::db::schema::{payments, webhook_events};
use ocpizza::domain::order::{OrderStatus, PaymentStatus};
use ocpizza::payments::gocardless::sign;
use serde_json::{json, Value};
use std::sync::Arc;

/// The demo shop, open all day, paying through the GoCardless stand-in (webhooks sent here).
pub async fn gocardless_shop(
    db: Arc<TestDb>,
    extra: &[(&'static str, Value)],
) -> (Shop, FakeGocardless) {
    let gc = FakeGocardless::start().await;
    let shop = shop_paying_through(db, gc.settings(), extra).await;
    gc.inner.lock().unwrap().webhook = Some(shop.app.url("/webhooks/gocardless"));
    (shop, gc)
}

/// A Margherita and a Regina (23,00 €), checked out paying by instant transfer.
async fn transfer_checkout(s: &Shop, c: &mut Customer) -> Answer {
    c.add(s.bastille.0, s.margherita.0, 1).await;
    c.add(s.bastille.0, s.regina.0, 1).await;
    let form = c.open_checkout().await;
    c.checkout_with(&form, &[("payment", "gocardless")]).await
}

/// The billing request a flow page is for, and the tracking token of the order it pays.
fn ids_of(gc: &FakeGocardless, link: &str) -> (String, String) {
    let flow = link.rsplit('/').next().unwrap();
    let i = gc.inner.lock().unwrap();
    let f = &i.flows[flow];
    let back = f["redirect_uri"].as_str().unwrap();
    let request = f["links"]["billing_request"].as_str().unwrap().to_string();
    (request, back.split("order=").nth(1).unwrap().to_string())
}

/// An order sent to the flow page, webhooks off: shop, stand-in, customer, billing request,
/// tracking token.
async fn quiet_transfer(
    db: Arc<TestDb>,
    extra: &[(&'static str, Value)],
) -> (Shop, FakeGocardless, Customer, String, String) {
    let (s, gc) = gocardless_shop(db, extra).await;
    gc.inner.lock().unwrap().webhook = None;
    let mut c = Customer::new(&s.app).await;
    let link = transfer_checkout(&s, &mut c).await.location.unwrap();
    let (request, token) = ids_of(&gc, &link);
    (s, gc, c, request, token)
}

/// A hex signature with its first digit changed: one bit of the digest differs.
fn flip_first(hex: &str) -> String {
    let first = if hex.starts_with('0') { '1' } else { '0' };
    format!("{first}{}", &hex[1..])
}

async fn of_kind(s: &Shop, kind: &'static str) -> i64 {
    s.app
        .with_conn(move |c| {
            webhook_events::table
                .filter(webhook_events::event_type.eq(kind))
                .count()
                .get_result::<i64>(c)
                .unwrap()
        })
        .await
}

each_backend! {
    async fn paying_by_transfer_opens_a_billing_request_under_our_key_and_a_signed_batch_confirms_it(db) {
        let (s, gc) = gocardless_shop(db, &[]).await;
        let mut c = Customer::new(&s.app).await;

        let answer = transfer_checkout(&s, &mut c).await;

        assert_eq!(answer.status, 303, "{}", answer.body);
        let link = answer.location.clone().unwrap();
        assert!(link.starts_with(&format!("{}/flow/BRF", gc.base)), "{link}");
        let (request, token) = ids_of(&gc, &link);
        let order = order_by_token(&s.app, &token).await;
        assert_eq!((order.status, order.payment_status), (OrderStatus::AwaitingPayment, PaymentStatus::Pending));
        let creates = gc.calls("POST", "/billing_requests");
        assert_eq!(creates.len(), 1);
        let key = format!("ocp-order-{}-attempt-1", order.id.0);
        assert_eq!(creates[0].headers.get("idempotency-key"), Some(&key));
        assert_eq!(creates[0].headers.get("gocardless-version").map(String::as_str), Some("2015-07-06"));
        let pr = &creates[0].body["billing_requests"]["payment_request"];
        assert_eq!((pr["amount"].clone(), pr["currency"].clone(), pr["metadata"]["attempt"].clone()), (json!(2300), json!("EUR"), json!(key)));
        let flow = &gc.calls("POST", "/billing_request_flows")[0].body["billing_request_flows"];
        assert_eq!(flow["links"]["billing_request"], json!(request));
        assert!(flow["exit_uri"].as_str().unwrap().ends_with(&format!("/orders/{token}/payment?annule=1")));
        let page = c.get(&format!("/orders/{token}")).await;
        let csp = page.headers.get("content-security-policy").unwrap().to_str().unwrap().to_string();
        assert!(csp.contains(&gc.base), "the checkout may lead to GoCardless: {csp}");

        // The payer pays at their bank; GoCardless sends its batch, then sends it again, ten
        // times at once.
        let body = gc.handle().pay(&request);
        let signature = sign(fake_gocardless::WEBHOOK_SECRET, body.as_bytes());
        let url = s.app.url("/webhooks/gocardless");
        assert_eq!(deliver(&url, &body, Some(&signature)).await.0, 200);
        let again = futures_util::future::join_all((0..10).map(|_| deliver(&url, &body, Some(&signature)))).await;

        assert!(again.iter().all(|(status, _)| *status == 200), "{again:?}");
        let order = until(&s.app, &token, "paid", |o| o.payment_status == PaymentStatus::Paid).await;
        assert_eq!((order.status, order.payment_method.as_str()), (OrderStatus::Received, "gocardless"));
        assert_eq!(of_kind(&s, "payments.confirmed").await, 1, "each event once");
        assert_eq!(of_kind(&s, "billing_requests.fulfilled").await, 1);
        let n = counts(&s.app, &order).await;
        assert_eq!((n.confirmed, n.refunds), (1, 0), "one e-mail, nothing given back");
        let charge: Option<String> = s.app.with_conn(move |c| payments::table.filter(payments::order_id.eq(order.id)).select(payments::charge_ref).first(c).unwrap()).await;
        assert!(charge.is_some_and(|c| c.starts_with("PM")), "the payment is what a refund gives back");
        assert!(gc.violations().is_empty(), "{:?}", gc.violations());
        let page = c.get(&format!("/orders/{token}")).await;
        assert!(page.body.contains("<strong>Payée</strong>"), "{}", page.body);
    }

    async fn a_signature_that_does_not_hold_gets_498_and_changes_nothing(db) {
        let (s, gc, _c, request, token) = quiet_transfer(db, &[]).await;
        let body = gc.handle().pay(&request);
        let url = s.app.url("/webhooks/gocardless");
        let genuine = sign(fake_gocardless::WEBHOOK_SECRET, body.as_bytes());
        let other_body = body.replace("confirmed", "paid_out");

        let refused = [
            deliver(&url, &body, None).await,
            deliver(&url, &body, Some("")).await,
            deliver(&url, &body, Some(&sign("another-secret", body.as_bytes()))).await,
            deliver(&url, &other_body, Some(&genuine)).await,
            deliver(&url, &body, Some(&flip_first(&genuine))).await,
        ];

        for (status, text) in &refused {
            assert_eq!((*status, text.as_str()), (498, "Signature invalide."));
        }
        let recorded: i64 = s.app.with_conn(|c| webhook_events::table.count().get_result(c).unwrap()).await;
        assert_eq!(recorded, 0);
        assert_eq!(order_by_token(&s.app, &token).await.status, OrderStatus::AwaitingPayment);
        // Signed, an unreadable batch is a 400; the genuine one goes through.
        let junk = "{\"events\": 3}";
        assert_eq!(deliver(&url, junk, Some(&sign(fake_gocardless::WEBHOOK_SECRET, junk.as_bytes()))).await.0, 400);
        assert_eq!(deliver(&url, &body, Some(&genuine)).await.0, 200);
        until(&s.app, &token, "paid", |o| o.payment_status == PaymentStatus::Paid).await;
    }

    async fn back_from_the_bank_the_payment_is_read_at_once_without_a_webhook(db) {
        let (s, gc, mut c, request, token) = quiet_transfer(db, &[]).await;
        gc.handle().pay(&request);

        let back = c.get(&format!("/payments/gocardless/return?order={token}")).await;

        assert_eq!(back.status, 303);
        assert_eq!(back.location.as_deref(), Some(format!("/orders/{token}").as_str()));
        let order = order_by_token(&s.app, &token).await;
        assert_eq!((order.status, order.payment_status), (OrderStatus::Received, PaymentStatus::Paid), "settled before the redirect");
        assert_eq!(gc.calls("GET", &format!("/billing_requests/{request}")).len(), 1);
        assert_eq!(counts(&s.app, &order).await.confirmed, 1);
        // A return with a token that is not one is a 404, nothing asked.
        assert_eq!(c.get("/payments/gocardless/return?order=nope").await.status, 404);
        assert!(gc.violations().is_empty(), "{:?}", gc.violations());
    }

    async fn a_lost_webhook_is_settled_by_reconciliation(db) {
        let (s, gc, _c, request, token) = quiet_transfer(db, &[("payments.reconcile_after_s", json!(10))]).await;
        // Paid at the bank, but neither the payer nor a webhook came back.
        gc.handle().pay(&request);
        s.app.with_conn(|c| diesel::update(payments::table).set(payments::updated_at.eq(ocpizza::models::now() - chrono::Duration::minutes(1))).execute(c).unwrap()).await;

        let order = until(&s.app, &token, "reconciled", |o| o.payment_status == PaymentStatus::Paid).await;

        assert_eq!(order.status, OrderStatus::Received);
        assert_eq!(counts(&s.app, &order).await.confirmed, 1);
    }

    async fn cancelling_a_paid_transfer_refunds_its_payment_under_our_key(db) {
        let (s, gc) = gocardless_shop(db, &[]).await;
        let mut c = Customer::new(&s.app).await;
        let link = transfer_checkout(&s, &mut c).await.location.unwrap();
        let (request, token) = ids_of(&gc, &link);
        assert_eq!(gc.handle().pay_and_notify(&request).await, 200);
        until(&s.app, &token, "paid", |o| o.payment_status == PaymentStatus::Paid).await;

        let cancelled = c.post(&format!("/orders/{token}/cancel"), &[("confirm", "oui")]).await;

        assert_eq!(cancelled.status, 303, "{}", cancelled.body);
        let order = until(&s.app, &token, "refunded", |o| o.payment_status == PaymentStatus::Refunded).await;
        assert_eq!(order.status, OrderStatus::Cancelled);
        let sent = gc.calls("POST", "/refunds");
        assert_eq!(sent.len(), 1);
        let r = &sent[0].body["refunds"];
        let payment = gc.inner.lock().unwrap().payments.keys().next().cloned().unwrap();
        assert_eq!((r["amount"].clone(), r["links"]["payment"].clone()), (json!(2300), json!(payment)));
        let key = sent[0].headers.get("idempotency-key").cloned().unwrap();
        assert!(key.starts_with("ocp-payment-"), "{key}");
        assert_eq!(r["metadata"]["key"], json!(key));
        assert_eq!(r["total_amount_confirmation"], json!(2300), "the payment's refunds, this one included");
        assert_eq!(of_kind(&s, "refunds.paid").await, 1, "settled by GoCardless's event");
        let n = counts(&s.app, &order).await;
        assert_eq!((n.refunds, n.refunded_mails, n.confirmed), (1, 1, 1));
        assert!(gc.violations().is_empty(), "{:?}", gc.violations());
    }

    async fn gocardless_down_at_create_lets_the_customer_choose_again(db) {
        let (s, gc) = gocardless_shop(db, &[]).await;
        let mut c = Customer::new(&s.app).await;
        gc.inner.lock().unwrap().failing = true;

        let failed = transfer_checkout(&s, &mut c).await;

        let choice = failed.location.clone().unwrap();
        assert!(choice.ends_with("/payment"), "{choice}");
        let page = c.get(&choice).await;
        assert!(page.body.contains("Rien n&#x27;a été débité"), "{}", page.body);
        assert!(page.body.contains(r#"value="gocardless""#) && page.body.contains(r#"value="on_delivery""#), "{}", page.body);
        assert!(!page.body.contains(fake_gocardless::ACCESS_TOKEN), "no secret on a page");
        gc.inner.lock().unwrap().failing = false;
        let token = choice.split('/').nth(2).unwrap().to_string();
        let again = c.post(&format!("/orders/{token}/payment"), &[("payment", "gocardless")]).await;
        assert!(again.location.as_deref().is_some_and(|l| l.contains("/flow/BRF")), "{:?}", again.location);
        assert_eq!(gc.calls("POST", "/billing_requests").len(), 2, "asked twice");
        assert_eq!(gc.inner.lock().unwrap().billing_requests.len(), 1, "the failed create left nothing to pay");
    }

    async fn a_transfer_the_customer_gave_up_is_cancelled_at_gocardless(db) {
        let (s, gc, mut c, request, token) = quiet_transfer(db, &[]).await;

        let by_hand = c.post(&format!("/orders/{token}/payment"), &[("payment", "on_delivery")]).await;

        assert_eq!(by_hand.status, 303);
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(15);
        while gc.inner.lock().unwrap().billing_requests[&request]["status"] != "cancelled" {
            assert!(tokio::time::Instant::now() < deadline, "the billing request is cancelled");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let order = order_by_token(&s.app, &token).await;
        assert_eq!((order.status, order.payment_method.as_str()), (OrderStatus::Received, "on_delivery"));
    }

    async fn a_transfer_on_its_way_outlives_the_delay_and_cannot_be_paid_twice(db) {
        let (s, gc, mut c, request, token) = quiet_transfer(db, &[]).await;
        gc.inner.lock().unwrap().confirms_later = true;
        gc.inner.lock().unwrap().webhook = Some(s.app.url("/webhooks/gocardless"));
        // Authorised at the bank: the billing request is fulfilled, the payment submitted.
        assert_eq!(gc.handle().pay_and_notify(&request).await, 200);
        let payment = gc.inner.lock().unwrap().payments.keys().next().cloned().unwrap();
        let charge: Option<String> = s.app.with_conn(|c| payments::table.select(payments::charge_ref).first(c).unwrap()).await;
        assert_eq!(charge, Some(payment.clone()), "the payment on its way is known");

        // Past the delay, the order is not cancelled; paying again is not offered.
        let later = ocpizza::models::now() + chrono::Duration::minutes(30);
        let expired = s.app.with_conn(move |c| ocpizza::services::payments::expire_unpaid(c, later).unwrap()).await;
        assert!(expired.is_empty(), "{expired:?}");
        let again = c.post(&format!("/orders/{token}/payment"), &[("payment", "gocardless")]).await;
        assert_eq!(again.location.as_deref(), Some(format!("/orders/{token}").as_str()));
        assert_eq!(gc.calls("POST", "/billing_requests").len(), 1, "no second payment");
        let pages = s.app.with_conn(|c| ocpizza::services::payments::pages_to_close(c).unwrap()).await;
        assert!(pages.is_empty(), "nothing to cancel at GoCardless: {pages:?}");

        // The bank confirms: the order goes to the kitchen.
        assert_eq!(gc.handle().confirm_and_notify(&payment).await, 200);
        let order = until(&s.app, &token, "paid", |o| o.payment_status == PaymentStatus::Paid).await;
        assert_eq!(order.status, OrderStatus::Received);
    }

    async fn an_event_not_ours_does_not_hold_back_the_rest_of_its_batch(db) {
        let (s, gc, _c, request, token) = quiet_transfer(db, &[]).await;
        let body = gc.handle().pay(&request);
        // An event about a refund we never asked for (another integration on the account), first in
        // the batch, then ours.
        let foreign = fake_gocardless::batch(&[("refunds", "paid", json!({ "refund": "RF9" }), json!({ "key": "ocp-payment-999-refund-1" }))]);
        let mut events: Vec<Value> = serde_json::from_str::<Value>(&foreign).unwrap()["events"].as_array().unwrap().clone();
        events.extend(serde_json::from_str::<Value>(&body).unwrap()["events"].as_array().unwrap().iter().cloned());
        let batch = json!({ "events": events }).to_string();

        let told = deliver(&s.app.url("/webhooks/gocardless"), &batch, Some(&sign(fake_gocardless::WEBHOOK_SECRET, batch.as_bytes()))).await;

        assert_eq!(told.0, 200, "{}", told.1);
        let order = until(&s.app, &token, "paid", |o| o.payment_status == PaymentStatus::Paid).await;
        assert_eq!(order.status, OrderStatus::Received);
    }

    async fn without_gocardless_credentials_the_transfer_is_not_offered(db) {
        let s = crate::ordering::shop(db).await;
        let mut c = Customer::new(&s.app).await;
        c.add(s.bastille.0, s.margherita.0, 1).await;
        let form = c.open_checkout().await;
        assert!(!c.get("/checkout").await.body.contains(r#"value="gocardless""#), "not offered");

        let refused = c.checkout_with(&form, &[("payment", "gocardless")]).await;

        assert_eq!(refused.status, 422);
        let webhook = reqwest::Client::new().post(s.app.url("/webhooks/gocardless")).body("{}").send().await.unwrap();
        assert_eq!(webhook.status().as_u16(), 404);
    }
}

/// A create retried under the same key (its first answer lost to a timeout) reads what the
/// first one made: one billing request, never two.
#[tokio::test]
async fn a_retried_create_reads_the_first_billing_request_instead_of_making_a_second() {
    let gc = FakeGocardless::start().await;
    let settings = ocpizza::config::GocardlessSettings {
        access_token: fake_gocardless::ACCESS_TOKEN.into(),
        webhook_secret: fake_gocardless::WEBHOOK_SECRET.into(),
        api_base: gc.base.clone(),
        checkout_origin: gc.base.clone(),
    };
    let client = ocpizza::payments::gocardless::Gocardless::new(reqwest::Client::new(), &settings);
    let charge = ocpizza::domain::payment::Charge {
        key: "ocp-order-7-attempt-1".into(),
        order_token: "t".into(),
        order_label: "#007".into(),
        pizzeria: "Bastille".into(),
        amount: ocpizza::domain::money::Money::from_cents(1050),
        lines: vec![],
        email: String::new(),
        expires_at: 0,
    };

    let first = client
        .create_billing_request(&charge, "http://127.0.0.1")
        .await
        .unwrap();
    let again = client
        .create_billing_request(&charge, "http://127.0.0.1")
        .await
        .unwrap();

    assert_eq!(first.provider_ref, again.provider_ref);
    assert_eq!(gc.inner.lock().unwrap().billing_requests.len(), 1);
    assert_eq!(
        gc.calls("POST", "/billing_requests").len(),
        2,
        "asked twice, made once"
    );
    assert_eq!(
        gc.calls("GET", &format!("/billing_requests/{}", first.provider_ref))
            .len(),
        1
    );
    assert!(gc.violations().is_empty(), "{:?}", gc.violations());
}
