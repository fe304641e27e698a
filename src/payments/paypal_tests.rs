//! PayPal's amounts and order states, read as ours.

use super::*;

#[test]
fn amounts_go_as_decimal_strings_and_come_back_as_cents() {
    assert_eq!(decimal(Money::from_cents(2350)), "23.50");
    assert_eq!(decimal(Money::from_cents(5)), "0.05");
    assert_eq!(decimal(Money::from_cents(-120)), "-1.20");
    assert_eq!(cents("23.50"), Some(2350));
    assert_eq!(cents("23.5"), Some(2350));
    assert_eq!(cents("23"), Some(2300));
    for bad in ["", ".5", "23.", "23.505", "-1.00", "1e3", "2 3"] {
        assert_eq!(cents(bad), None, "{bad}");
    }
}

#[test]
fn an_order_read_says_approved_paid_or_pending() {
    let approved = json!({"id":"5O1","status":"APPROVED","purchase_units":[{"custom_id":"k"}]});
    let e = order_event(&approved, "5O1", "retrieved");
    assert_eq!(e.happened, Happened::Approved);
    assert_eq!(e.attempt.as_deref(), Some("k"));
    let paid = json!({"status":"COMPLETED","purchase_units":[{"payments":{"captures":[
        {"id":"CAP1","status":"COMPLETED","amount":{"currency_code":"EUR","value":"23.50"}}]}}]});
    assert_eq!(
        order_event(&paid, "5O1", "captured").happened,
        Happened::Paid {
            amount: Some(Money::from_cents(2350)),
            charge: Some("CAP1".into())
        }
    );
    let held = json!({"status":"COMPLETED","purchase_units":[{"payments":{"captures":[
        {"id":"CAP1","status":"PENDING"}]}}]});
    assert_eq!(
        order_event(&held, "5O1", "captured").happened,
        Happened::Pending
    );
    let created = json!({"status":"PAYER_ACTION_REQUIRED"});
    assert_eq!(
        order_event(&created, "5O1", "retrieved").happened,
        Happened::Pending
    );
}
