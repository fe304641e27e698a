use super::*;

fn event(resource: &str, action: &str, links: Value, meta: Value) -> Value {
    json!({ "id": format!("EV{resource}{action}"), "created_at": "2026-12-03T19:00:00.000Z",
        "resource_type": resource, "action": action, "links": links,
        "resource_metadata": meta, "details": { "origin": "gocardless" } })
}

#[test]
fn a_batch_gives_the_events_about_our_attempts_and_refunds() {
    let key = json!({ "attempt": "ocp-order-1-attempt-1" });
    let body = json!({ "events": [
        event("payments", "confirmed", json!({ "payment": "PM1" }), key.clone()),
        event("billing_requests", "fulfilled", json!({ "billing_request": "BRQ1" }), key.clone()),
        event("billing_requests", "fulfilled", json!({ "billing_request": "BRQ1", "payment_request_payment": "PM1" }), key),
        event("payments", "confirmed", json!({ "payment": "PM9" }), json!({})),
        event("mandates", "created", json!({ "mandate": "MD1" }), json!({})),
        event("refunds", "paid", json!({ "refund": "RF1" }), json!({ "key": "ocp-payment-1-refund-1" })),
        event("refunds", "paid", json!({ "refund": "RF2" }), json!({})),
    ]});

    let events = parse_events(body.to_string().as_bytes()).unwrap();

    let seen: Vec<_> = events
        .iter()
        .map(|e| (e.event_type.as_str(), e.happened.clone()))
        .collect();
    assert_eq!(
        seen,
        vec![
            (
                "payments.confirmed",
                Happened::Paid {
                    amount: None,
                    charge: Some("PM1".into())
                }
            ),
            ("billing_requests.fulfilled", Happened::Approved),
            (
                "billing_requests.fulfilled",
                Happened::InFlight {
                    charge: "PM1".into()
                }
            ),
            (
                "refunds.paid",
                Happened::Refund {
                    key: "ocp-payment-1-refund-1".into(),
                    succeeded: true
                }
            ),
        ]
    );
    assert_eq!(events[1].provider_ref.as_deref(), Some("BRQ1"));
    assert!(parse_events(b"{\"events\": 1}").is_err());
}

#[test]
fn a_signature_is_the_hex_hmac_of_the_raw_body() {
    let s = GocardlessSettings {
        access_token: "t".into(),
        webhook_secret: "secret".into(),
        ..GocardlessSettings::default()
    };
    let g = Gocardless::new(reqwest::Client::new(), &s);
    let body = br#"{"events":[]}"#;
    let sig = sign("secret", body);

    assert!(g.verify(Some(&sig), body));
    assert!(!g.verify(Some(&sig), br#"{"events": []}"#), "another body");
    assert!(
        !g.verify(Some(&sign("other", body)), body),
        "another secret"
    );
    assert!(!g.verify(Some("zz"), body) && !g.verify(None, body) && !g.verify(Some(""), body));
}

#[test]
fn an_idempotency_conflict_names_what_the_first_create_made() {
    let conflict = json!({ "error": { "type": "invalid_state", "code": 409,
        "errors": [{ "reason": "idempotent_creation_conflict", "message": "A resource has already been created with this idempotency key",
            "links": { "conflicting_resource_id": "BRQ123" } }] } });
    assert_eq!(
        error_detail(&conflict).as_deref(),
        Some("idempotent_creation_conflict:BRQ123")
    );
    let invalid = json!({ "error": { "type": "validation_failed", "errors": [{ "field": "amount", "message": "is invalid" }] } });
    assert_eq!(error_detail(&invalid).as_deref(), Some("validation_failed"));
}
