//! Paying online with Stripe, against a local stand-in that speaks Stripe's API: the hosted
//! page, the webhook as the source of truth (signed, applied once), the return that asks at
//! once, expiry, reconciliation of a lost webhook, refunds, and a provider down at create.

use crate::customer::{Answer, Customer};
use crate::each_backend;
use crate::fake_stripe::{self, deliver, deliver_signed, event, FakeStripe, Mode};
use crate::fixtures;
use crate::harness::{TestApp, TestDb};
use crate::ordering::{order_by_token, Shop};
use diesel::prelude::*;
use ocpizza::db::schema::{
    email_outbox, order_events, payments, refunds, stock_movements, webhook_events,
};
use ocpizza::domain::order::{OrderStatus, PaymentStatus};
use ocpizza::models::order::OrderRow;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

/// The demo shop, open all day, paying through the stand-in (which sends its webhooks here).
pub async fn paying_shop(db: Arc<TestDb>, extra: &[(&'static str, Value)]) -> (Shop, FakeStripe) {
    let stripe = FakeStripe::start().await;
    let shop = shop_paying_through(db, stripe.settings(), extra).await;
    stripe.inner.lock().unwrap().webhook = Some(shop.app.url("/webhooks/stripe"));
    (shop, stripe)
}

/// The demo shop, open all day, with a provider's `settings` (pointing at its stand-in).
pub async fn shop_paying_through(
    db: Arc<TestDb>,
    mut settings: Vec<(&'static str, Value)>,
    extra: &[(&'static str, Value)],
) -> Shop {
    let port = crate::nginx::free_port();
    settings.push(("port", json!(port)));
    settings.push(("mail.public_url", json!(format!("http://127.0.0.1:{port}"))));
    settings.extend(extra.iter().cloned());
    let app = TestApp::serve_configured(db, true, &settings, |r| r).await;
    let ids = app
        .with_conn(|c| {
            fixtures::open_all_day(c);
            (
                fixtures::pizzeria(c, "bastille"),
                fixtures::product(c, "Margherita"),
                fixtures::product(c, "Regina"),
            )
        })
        .await;
    Shop {
        app,
        bastille: ids.0,
        montmartre: ids.0,
        marais: ids.0,
        margherita: ids.1,
        regina: ids.2,
        bufalina: ids.1,
    }
}

/// A Margherita and a Regina (23,00 €), checked out paying by card: the answer (a redirect).
pub async fn card_checkout(s: &Shop, c: &mut Customer) -> Answer {
    c.add(s.bastille.0, s.margherita.0, 1).await;
    c.add(s.bastille.0, s.regina.0, 1).await;
    let form = c.open_checkout().await;
    c.checkout_with(&form, &[("payment", "stripe")]).await
}

/// A card order sent to the stand-in's page, with no webhook sent by itself: the shop, the
/// stand-in, the customer, the session and the order's tracking token.
async fn quiet_card_order(
    db: Arc<TestDb>,
    extra: &[(&'static str, Value)],
) -> (Shop, FakeStripe, Customer, String, String) {
    let (s, stripe) = paying_shop(db, extra).await;
    stripe.inner.lock().unwrap().webhook = None;
    let mut c = Customer::new(&s.app).await;
    let session = session_of(&card_checkout(&s, &mut c).await.location.unwrap());
    let token = token_of_session(&stripe, &session);
    (s, stripe, c, session, token)
}

/// The session id of a hosted page's URL.
fn session_of(location: &str) -> String {
    location.rsplit('/').next().unwrap().to_string()
}

/// The tracking token of the order the stand-in's session is for.
fn token_of_session(stripe: &FakeStripe, session: &str) -> String {
    let url = stripe.session(session)["success_url"]
        .as_str()
        .unwrap()
        .to_string();
    url.split("order=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_string()
}

pub struct Counts {
    pub events: i64,
    pub confirmed: i64,
    pub refunded_mails: i64,
    pub refunds: i64,
    pub webhooks: i64,
}

pub async fn counts(app: &TestApp, order: &OrderRow) -> Counts {
    let id = order.id;
    app.with_conn(move |c| {
        let mails = |c: &mut ocpizza::db::DbConn, t: &str| {
            email_outbox::table
                .filter(email_outbox::order_id.eq(id))
                .filter(email_outbox::template.eq(t.to_string()))
                .count()
                .get_result::<i64>(c)
                .unwrap()
        };
        let confirmed = mails(c, "order_confirmed");
        let refunded_mails = mails(c, "order_refunded");
        Counts {
            events: order_events::table
                .filter(order_events::order_id.eq(id))
                .count()
                .get_result(c)
                .unwrap(),
            confirmed,
            refunded_mails,
            refunds: refunds::table
                .inner_join(payments::table)
                .filter(payments::order_id.eq(id))
                .count()
                .get_result(c)
                .unwrap(),
            webhooks: webhook_events::table.count().get_result(c).unwrap(),
        }
    })
    .await
}

/// Waits (polling the database, at most 15 s) until the order satisfies `done`.
pub async fn until(
    app: &TestApp,
    token: &str,
    what: &str,
    done: impl Fn(&OrderRow) -> bool,
) -> OrderRow {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let order = order_by_token(app, token).await;
        if done(&order) {
            return order;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what}: still {:?} / {:?}",
            order.status,
            order.payment_status
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

each_backend! {
    async fn paying_by_card_sends_the_customer_to_stripe_and_the_webhook_confirms_the_order(db) {
        let (s, stripe) = paying_shop(db, &[]).await;
        let mut c = Customer::new(&s.app).await;

        let answer = card_checkout(&s, &mut c).await;

        assert_eq!(answer.status, 303, "{}", answer.body);
        let hosted = answer.location.clone().unwrap();
        assert!(hosted.starts_with(&format!("{}/c/pay/cs_test_", stripe.base)), "{hosted}");
        let session = session_of(&hosted);
        let token = token_of_session(&stripe, &session);
        let order = order_by_token(&s.app, &token).await;
        assert_eq!((order.status, order.payment_status), (OrderStatus::AwaitingPayment, PaymentStatus::Pending));
        let before = counts(&s.app, &order).await;
        assert_eq!(before.confirmed, 0, "no confirmation before the payment");
        // What Stripe was asked: one create, with our key, lines adding up to the total.
        let creates = stripe.calls("/v1/checkout/sessions");
        assert_eq!(creates.len(), 1);
        let create = &creates[0];
        let key = format!("ocp-order-{}-attempt-1", order.id.0);
        assert_eq!(create.headers.get("idempotency-key"), Some(&key));
        assert_eq!(create.field("client_reference_id"), Some(key.as_str()));
        let lines = fake_stripe::line_items(create);
        assert_eq!(lines.iter().map(|(_, _, u, q)| u * q).sum::<i64>(), order.total.cents());
        assert_eq!(lines.iter().map(|l| (l.0.as_str(), l.2, l.3)).collect::<Vec<_>>(), vec![("Margherita", 1050, 1), ("Regina", 1250, 1)]);
        assert!(create.field("success_url").unwrap().starts_with(&s.app.url("/payments/stripe/return?order=")));
        assert!(stripe.violations().is_empty(), "{:?}", stripe.violations());
        // The tracking page says the payment is being checked.
        let page = c.get(&format!("/orders/{token}")).await;
        assert!(page.body.contains("Paiement en cours de vérification"), "{}", page.body);
        let csp = page.headers.get("content-security-policy").unwrap().to_str().unwrap().to_string();
        assert!(csp.contains(&format!("form-action 'self' {}", stripe.base)), "the checkout may lead to the hosted page: {csp}");

        let delivered = stripe.handle().pay_and_notify(&session).await;

        assert_eq!(delivered, 200);
        let order = order_by_token(&s.app, &token).await;
        assert_eq!((order.status, order.payment_status), (OrderStatus::Received, PaymentStatus::Paid));
        assert_eq!(order.payment_method.as_str(), "stripe");
        let after = counts(&s.app, &order).await;
        assert_eq!(after.confirmed, 1, "confirmed once paid");
        let page = c.get(&format!("/orders/{token}")).await;
        assert!(page.body.contains(r#"id="payment-state""#) && page.body.contains("<strong>Payée</strong>"), "{}", page.body);
        assert!(page.body.contains("Paiement en ligne confirmé"), "in the timeline");
    }

    async fn the_same_event_delivered_ten_times_also_at_once_counts_once(db) {
        let (s, stripe, _c, session, token) = quiet_card_order(db, &[]).await;
        let paid = stripe.handle().pay(&session);
        let body = event("checkout.session.completed", &paid);
        let url = s.app.url("/webhooks/stripe");

        let at_once: Vec<_> = (0..5).map(|_| { let (u, b) = (url.clone(), body.clone()); tokio::spawn(async move { deliver(&u, &b).await.0 }) }).collect();
        for task in at_once {
            assert_eq!(task.await.unwrap(), 200);
        }
        for _ in 0..5 {
            assert_eq!(deliver(&url, &body).await.0, 200);
        }

        let order = order_by_token(&s.app, &token).await;
        assert_eq!((order.status, order.payment_status), (OrderStatus::Received, PaymentStatus::Paid));
        let n = counts(&s.app, &order).await;
        assert_eq!(n.webhooks, 1, "the event recorded once");
        assert_eq!(n.confirmed, 1, "one confirmation e-mail");
        assert_eq!(n.refunds, 0, "nothing to give back");
        // Placed, then received: two events, not eleven.
        assert_eq!(n.events, 2);
    }

    async fn a_bad_missing_stale_or_replayed_signature_is_refused_and_changes_nothing(db) {
        let (s, stripe, _c, session, token) = quiet_card_order(db, &[]).await;
        let paid = stripe.handle().pay(&session);
        let body = event("checkout.session.completed", &paid);
        let url = s.app.url("/webhooks/stripe");
        let now = chrono::Utc::now().timestamp();
        let sign = ocpizza::payments::stripe::sign;
        let other_body = event("checkout.session.completed", &json!({"id": session, "status": "complete", "payment_status": "paid", "amount_total": 1, "client_reference_id": paid["client_reference_id"]}));
        let replayed = sign(fake_stripe::WEBHOOK_SECRET, &other_body, now);

        let refused = [
            deliver_signed(&url, &body, None).await,
            deliver_signed(&url, &body, Some(&sign("whsec_someone_else", &body, now))).await,
            deliver_signed(&url, &body, Some(&sign(fake_stripe::WEBHOOK_SECRET, &body, now - 301))).await,
            deliver_signed(&url, &body, Some(&replayed)).await,
            deliver_signed(&url, &body, Some("t=abc,v1=zz")).await,
        ];

        for (status, text) in &refused {
            assert_eq!(*status, 400, "{text}");
            assert_eq!(text, "Signature invalide.");
        }
        let order = order_by_token(&s.app, &token).await;
        assert_eq!(order.status, OrderStatus::AwaitingPayment, "nothing changed");
        assert_eq!(counts(&s.app, &order).await.webhooks, 0);
        // The genuine one still passes afterwards.
        assert_eq!(deliver(&url, &body).await.0, 200);
        assert_eq!(order_by_token(&s.app, &token).await.payment_status, PaymentStatus::Paid);
    }

    async fn coming_back_from_stripe_asks_its_state_so_a_late_webhook_never_leaves_the_customer_waiting(db) {
        let (s, stripe, mut c, session, token) = quiet_card_order(db, &[]).await;
        stripe.handle().pay(&session);

        let back = c.get(&format!("/payments/stripe/return?order={token}&session_id={session}")).await;

        assert_eq!(back.status, 303);
        assert_eq!(back.location.as_deref(), Some(format!("/orders/{token}").as_str()));
        let order = order_by_token(&s.app, &token).await;
        assert_eq!((order.status, order.payment_status), (OrderStatus::Received, PaymentStatus::Paid));
        assert_eq!(stripe.calls(&format!("/v1/checkout/sessions/{session}")).len(), 1, "asked once");
        // The webhook arriving afterwards changes nothing more.
        let body = event("checkout.session.completed", &stripe.session(&session));
        assert_eq!(deliver(&s.app.url("/webhooks/stripe"), &body).await.0, 200);
        let n = counts(&s.app, &order).await;
        assert_eq!((n.confirmed, n.events, n.refunds), (1, 2, 0));
    }

    async fn a_lost_webhook_is_settled_by_reconciliation(db) {
        let (s, stripe, _c, session, token) = quiet_card_order(db, &[("payments.reconcile_after_s", json!(10))]).await;
        stripe.handle().pay(&session);
        // The attempt has been pending for a minute, and no webhook ever came.
        s.app.with_conn(|c| diesel::update(payments::table).set(payments::updated_at.eq(ocpizza::models::now() - chrono::Duration::minutes(1))).execute(c).unwrap()).await;

        let order = until(&s.app, &token, "reconciled", |o| o.payment_status == PaymentStatus::Paid).await;

        assert_eq!(order.status, OrderStatus::Received);
        assert_eq!(counts(&s.app, &order).await.confirmed, 1);
    }

    async fn a_payment_confirmed_after_the_order_expired_is_refunded(db) {
        let (s, stripe, _c, session, token) = quiet_card_order(db, &[]).await;
        // Placed 16 minutes ago (the delay is 15): the worker cancels it and releases its stock.
        s.app.with_conn(|c| diesel::update(ocpizza::db::schema::orders::table).set(ocpizza::db::schema::orders::created_at.eq(ocpizza::models::now() - chrono::Duration::minutes(16))).execute(c).unwrap()).await;
        let order = until(&s.app, &token, "expired", |o| o.status == OrderStatus::Cancelled).await;
        assert_eq!(order.payment_status, PaymentStatus::Failed);
        let released = s.app.with_conn(move |c| stock_movements::table.filter(stock_movements::order_id.eq(order.id)).filter(stock_movements::reason.eq("release")).count().get_result::<i64>(c).unwrap()).await;
        assert!(released > 0, "its stock released");
        // Its page at Stripe is closed, so that nobody pays it…
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        while stripe.session(&session)["status"] != "expired" {
            assert!(tokio::time::Instant::now() < deadline, "page closed at Stripe");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // …but the customer had paid just before: the payment arrives after the cancellation.
        stripe.inner.lock().unwrap().sessions.get_mut(&session).unwrap()["status"] = json!("open");
        let paid = stripe.handle().pay(&session);
        assert_eq!(deliver(&s.app.url("/webhooks/stripe"), &event("checkout.session.completed", &paid)).await.0, 200);

        let order = until(&s.app, &token, "refunded", |o| o.payment_status == PaymentStatus::Refunded).await;

        assert_eq!(order.status, OrderStatus::Cancelled, "still cancelled");
        let sent = stripe.calls("/v1/refunds");
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].field("payment_intent"), paid["payment_intent"].as_str());
        assert_eq!(sent[0].field("amount"), Some("2300"));
        assert!(sent[0].headers.get("idempotency-key").is_some_and(|k| k.starts_with("ocp-payment-")));
        let n = counts(&s.app, &order).await;
        assert_eq!((n.refunds, n.refunded_mails, n.confirmed), (1, 1, 0));
        assert!(stripe.violations().is_empty(), "{:?}", stripe.violations());
    }

    async fn a_page_paid_just_before_the_order_expired_is_refunded_even_without_a_webhook(db) {
        let (s, stripe, _c, session, token) = quiet_card_order(db, &[]).await;
        // Paid at the last second, and the webhook lost.
        let paid = stripe.handle().pay(&session);
        s.app.with_conn(|c| diesel::update(ocpizza::db::schema::orders::table).set(ocpizza::db::schema::orders::created_at.eq(ocpizza::models::now() - chrono::Duration::minutes(16))).execute(c).unwrap()).await;

        // Cancelled for want of payment; closing its page finds it paid, and the money goes back.
        let order = until(&s.app, &token, "refunded", |o| o.payment_status == PaymentStatus::Refunded).await;

        assert_eq!(order.status, OrderStatus::Cancelled);
        let sent = stripe.calls("/v1/refunds");
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].field("payment_intent"), paid["payment_intent"].as_str());
        assert_eq!(counts(&s.app, &order).await.confirmed, 0);
    }

    async fn cancelling_a_paid_order_refunds_it_through_stripe(db) {
        let (s, stripe) = paying_shop(db, &[]).await;
        let mut c = Customer::new(&s.app).await;
        let session = session_of(&card_checkout(&s, &mut c).await.location.unwrap());
        let token = token_of_session(&stripe, &session);
        assert_eq!(stripe.handle().pay_and_notify(&session).await, 200);

        let cancelled = c.post(&format!("/orders/{token}/cancel"), &[("confirm", "oui")]).await;

        assert_eq!(cancelled.status, 303, "{}", cancelled.body);
        let order = until(&s.app, &token, "refunded", |o| o.payment_status == PaymentStatus::Refunded).await;
        assert_eq!(order.status, OrderStatus::Cancelled);
        let sent = stripe.calls("/v1/refunds");
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].field("amount"), Some("2300"));
        // Stripe's own refund.updated afterwards changes nothing more.
        let refund = stripe.inner.lock().unwrap().refunds[0].clone();
        assert_eq!(deliver(&s.app.url("/webhooks/stripe"), &event("refund.updated", &refund)).await.0, 200);
        // The customer opens the return link again, after the refund: nothing is refunded twice.
        let again = c.get(&format!("/payments/stripe/return?order={token}&session_id={session}")).await;
        assert_eq!(again.status, 303);
        // A refund made by hand in Stripe's Dashboard (not ours) is taken and ignored.
        let theirs = json!({"id": "re_dashboard", "object": "refund", "status": "succeeded", "amount": 100, "metadata": {}});
        assert_eq!(deliver(&s.app.url("/webhooks/stripe"), &event("refund.created", &theirs)).await.0, 200);
        let n = counts(&s.app, &order).await;
        assert_eq!((n.refunds, n.refunded_mails), (1, 1));
        assert_eq!(order_by_token(&s.app, &token).await.payment_status, PaymentStatus::Refunded);
        let page = c.get(&format!("/orders/{token}")).await;
        assert!(page.body.contains("<strong>Remboursée</strong>"), "{}", page.body);
        // The direction sees the attempt, its refund and the events received.
        let mut admin = crate::floor::staff(&s.app, "admin", "bastille").await;
        let seen = admin.get("/admin/payments").await;
        assert_eq!(seen.status, 200);
        let from = seen.body.find(r#"id="payment-attempts""#).expect("the attempts table");
        let attempts = &seen.body[from..from + seen.body[from..].find("</table>").unwrap()];
        assert!(attempts.contains(&session) && attempts.contains("REFUNDED") && attempts.contains("23,00\u{a0}€ · SUCCEEDED"), "{attempts}");
        assert!(seen.body.contains("checkout.session.completed") && seen.body.contains("refund.updated"), "{}", seen.body);
    }

    async fn a_payment_confirmed_before_the_create_reply_is_kept(db) {
        let (s, stripe) = paying_shop(db, &[]).await;
        stripe.set_mode(Mode::PaidBeforeReply);
        let mut c = Customer::new(&s.app).await;

        let answer = card_checkout(&s, &mut c).await;

        // Paid already: the customer goes to the order, not to a page to pay again.
        assert_eq!(answer.status, 303);
        let location = answer.location.unwrap();
        assert!(location.starts_with("/orders/"), "{location}");
        let order = order_by_token(&s.app, location.rsplit('/').next().unwrap()).await;
        assert_eq!((order.status, order.payment_status), (OrderStatus::Received, PaymentStatus::Paid));
        let id = order.id;
        let session_ref: Option<String> = s.app.with_conn(move |c| payments::table.filter(payments::order_id.eq(id)).select(payments::provider_ref).first(c).unwrap()).await;
        assert!(session_ref.is_some_and(|r| r.starts_with("cs_test_")));
    }

    async fn stripe_down_slow_or_failing_at_create_leaves_the_order_and_a_new_choice(db) {
        let (s, stripe) = paying_shop(db, &[("payments.timeout_s", json!(1))]).await;
        let mut c = Customer::new(&s.app).await;
        stripe.set_mode(Mode::Failing);

        let failed = card_checkout(&s, &mut c).await;

        assert_eq!(failed.status, 303);
        let choice = failed.location.clone().unwrap();
        assert!(choice.ends_with("/payment"), "{choice}");
        let token = choice.split('/').nth(2).unwrap().to_string();
        let page = c.get(&choice).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("Le paiement en ligne n&#x27;a pas pu être ouvert (le prestataire de paiement a refusé la demande). Rien n&#x27;a été débité"), "{}", page.body);
        let order = order_by_token(&s.app, &token).await;
        assert_eq!((order.status, order.payment_status), (OrderStatus::AwaitingPayment, PaymentStatus::Failed));

        // Slow past the timeout: the same, said so.
        stripe.set_mode(Mode::Slow(Duration::from_millis(1500)));
        let slow = c.post(&format!("/orders/{token}/payment"), &[("payment", "stripe")]).await;
        assert_eq!(slow.location.as_deref(), Some(choice.as_str()));
        assert!(c.get(&choice).await.body.contains("trop longtemps"));

        // Back to normal: a new attempt with its own key opens a page.
        stripe.set_mode(Mode::Normal);
        let again = c.post(&format!("/orders/{token}/payment"), &[("payment", "stripe")]).await;
        assert!(again.location.as_deref().is_some_and(|l| l.contains("/c/pay/cs_test_")), "{:?}", again.location);
        let keys: Vec<String> = stripe.calls("/v1/checkout/sessions").iter().filter_map(|c| c.headers.get("idempotency-key").cloned()).collect();
        let id = order.id.0;
        assert_eq!(keys, [1, 2, 3].map(|n| format!("ocp-order-{id}-attempt-{n}")));
        assert_eq!(stripe.inner.lock().unwrap().sessions.len(), 1, "one page that can be paid");

        // Or the customer pays on delivery after all: the order goes to the kitchen.
        let by_hand = c.post(&format!("/orders/{token}/payment"), &[("payment", "on_delivery")]).await;
        assert_eq!(by_hand.location.as_deref(), Some(format!("/orders/{token}").as_str()));
        let order = order_by_token(&s.app, &token).await;
        assert_eq!((order.status, order.payment_status, order.payment_method.as_str()), (OrderStatus::Received, PaymentStatus::Unpaid, "on_delivery"));
        assert_eq!(counts(&s.app, &order).await.confirmed, 1);
        // The page left open at Stripe is closed.
        let session = session_of(again.location.as_deref().unwrap());
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        while stripe.session(&session)["status"] != "expired" {
            assert!(tokio::time::Instant::now() < deadline, "page closed at Stripe");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn stripe_unreachable_is_said_and_nothing_is_lost(db) {
        let closed = crate::nginx::free_port();
        let (s, _stripe) = paying_shop(db, &[("payments.stripe.api_base", json!(format!("http://127.0.0.1:{closed}")))]).await;
        let mut c = Customer::new(&s.app).await;

        let failed = card_checkout(&s, &mut c).await;

        let choice = failed.location.clone().unwrap();
        let token = choice.split('/').nth(2).unwrap().to_string();
        let page = c.get(&choice).await;
        assert!(page.body.contains("ne répond pas"), "{}", page.body);
        let order = order_by_token(&s.app, &token).await;
        assert_eq!(order.status, OrderStatus::AwaitingPayment, "the order is kept");
        assert!(!page.body.contains(fake_stripe::SECRET_KEY), "no secret on a page");
    }

    async fn a_paid_order_made_smaller_is_refunded_the_difference_and_one_made_bigger_is_refused(db) {
        let (s, stripe) = paying_shop(db, &[]).await;
        let mut c = Customer::new(&s.app).await;
        let session = session_of(&card_checkout(&s, &mut c).await.location.unwrap());
        let token = token_of_session(&stripe, &session);
        // Waiting for its payment, the order cannot change (the page shows the old amount).
        let (m, r) = (format!("qty[{}]", s.margherita), format!("qty[{}]", s.regina));
        let waiting = c.post(&format!("/orders/{token}/edit"), &[(&m, "1")]).await;
        assert_eq!(waiting.status, 409);
        assert!(waiting.body.contains("paiement en ligne de cette commande est en cours"), "{}", waiting.body);
        assert_eq!(stripe.handle().pay_and_notify(&session).await, 200);

        let bigger = c.post(&format!("/orders/{token}/edit"), &[(&m, "2"), (&r, "1")]).await;

        assert_eq!(bigger.status, 409);
        assert!(bigger.body.contains("déjà payée en ligne (23,00\u{a0}€)"), "{}", bigger.body);
        assert_eq!(order_by_token(&s.app, &token).await.total.cents(), 2300, "nothing changed");

        let smaller = c.post(&format!("/orders/{token}/edit"), &[(&m, "1")]).await;

        assert_eq!(smaller.status, 303, "{}", smaller.body);
        let order = until(&s.app, &token, "partly refunded", |o| o.payment_status == PaymentStatus::PartiallyRefunded).await;
        assert_eq!((order.status, order.total.cents()), (OrderStatus::Received, 1050));
        let sent = stripe.calls("/v1/refunds");
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].field("amount"), Some("1250"), "the Regina taken off");
        // Cancelled afterwards: what is left goes back too, and no more.
        assert_eq!(c.post(&format!("/orders/{token}/cancel"), &[("confirm", "oui")]).await.status, 303);
        let order = until(&s.app, &token, "refunded", |o| o.payment_status == PaymentStatus::Refunded).await;
        assert_eq!(order.status, OrderStatus::Cancelled);
        let amounts: Vec<_> = stripe.calls("/v1/refunds").iter().map(|c| c.field("amount").unwrap().to_string()).collect();
        assert_eq!(amounts, ["1250", "1050"]);
        assert!(stripe.violations().is_empty(), "{:?}", stripe.violations());
    }

    async fn without_stripe_keys_card_payment_is_not_offered(db) {
        let s = crate::ordering::shop(db).await;
        let mut c = Customer::new(&s.app).await;
        c.add(s.bastille.0, s.margherita.0, 1).await;
        let form = c.open_checkout().await;
        let page = c.get("/checkout").await;
        assert!(!page.body.contains(r#"value="stripe""#), "not offered");

        let refused = c.checkout_with(&form, &[("payment", "stripe")]).await;

        assert_eq!(refused.status, 422);
        assert!(refused.body.contains("n&#x27;est pas proposé en ce moment"), "{}", refused.body);
        let webhook = reqwest::Client::new().post(s.app.url("/webhooks/stripe")).body("{}").send().await.unwrap();
        assert_eq!(webhook.status().as_u16(), 404);
    }
}
