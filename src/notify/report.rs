//! Error reports to Sentry: off without a DSN. Server errors of handlers (with their route and
//! request id), panics anywhere (handlers and workers) and the errors a worker meets are sent
//! with the release; `scrub` runs on every event before it leaves, so that no password,
//! token, payment data, cookie, e-mail address, phone number or address is ever in one.

use crate::config::Settings;
use crate::domain::scrub;
use sentry::protocol::{Event, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Starts reporting (before the runtime, so that every thread reports); keep the guard for the
/// process's life: dropping it sends what is left.
pub fn init(settings: &Settings) -> Option<sentry::ClientInitGuard> {
    if settings.sentry_dsn.is_empty() {
        return None;
    }
    let dsn = match settings.sentry_dsn.parse() {
        Ok(dsn) => dsn,
        Err(e) => {
            tracing::warn!(error = %e, "OCPIZZA_SENTRY_DSN is not a DSN: no error report is sent");
            return None;
        }
    };
    let options = sentry::ClientOptions {
        dsn: Some(dsn),
        release: Some(concat!("ocpizza@", env!("CARGO_PKG_VERSION")).into()),
        environment: Some(settings.sentry_environment.clone().into()),
        send_default_pii: false,
        before_send: Some(Arc::new(|event| Some(clean(event)))),
        before_breadcrumb: Some(Arc::new(|mut crumb| {
            crumb.message = crumb.message.map(|m| scrub::text(&m));
            crumb.data = clean_map(std::mem::take(&mut crumb.data));
            Some(crumb)
        })),
        ..Default::default()
    };
    Some(sentry::init(options))
}

/// A server error of a request, with what finds it again in the logs.
pub fn request_failed(message: &str, route: &str, request_id: &str) {
    sentry::with_scope(
        |scope| {
            scope.set_tag("route", route);
            scope.set_tag("request_id", request_id);
        },
        || sentry::capture_message(message, sentry::Level::Error),
    );
}

/// An error a worker met (it goes on).
pub fn worker_failed(worker: &str, message: &str) {
    sentry::with_scope(
        |scope| scope.set_tag("worker", worker),
        || sentry::capture_message(message, sentry::Level::Error),
    );
}

fn clean_value(v: Value) -> Value {
    match v {
        Value::String(s) => Value::String(scrub::text(&s)),
        Value::Array(items) => Value::Array(items.into_iter().map(clean_value).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(k, _)| !scrub::is_sensitive(k))
                .map(|(k, v)| (k, clean_value(v)))
                .collect(),
        ),
        other => other,
    }
}

fn clean_map(map: BTreeMap<String, Value>) -> BTreeMap<String, Value> {
    map.into_iter()
        .filter(|(k, _)| !scrub::is_sensitive(k))
        .map(|(k, v)| (k, clean_value(v)))
        .collect()
}

/// The event as it may leave.
pub fn clean(mut event: Event<'static>) -> Event<'static> {
    event.message = event.message.map(|m| scrub::text(&m));
    if let Some(entry) = event.logentry.as_mut() {
        entry.message = scrub::text(&entry.message);
    }
    for e in &mut event.exception.values {
        e.value = e.value.as_ref().map(|v| scrub::text(v));
    }
    event.user = None;
    if let Some(req) = event.request.as_mut() {
        req.cookies = None;
        req.data = None;
        req.query_string = None;
        req.headers.retain(|k, _| !scrub::is_sensitive(k));
        req.env.clear();
        if let Some(url) = req.url.as_mut() {
            url.set_query(None);
            let path = scrub::text(url.path());
            url.set_path(&path);
        }
    }
    event.extra = clean_map(std::mem::take(&mut event.extra));
    event.tags = std::mem::take(&mut event.tags)
        .into_iter()
        .filter(|(k, _)| !scrub::is_sensitive(k))
        .map(|(k, v)| (k, scrub::text(&v)))
        .collect();
    for crumb in &mut event.breadcrumbs.values {
        crumb.message = crumb.message.take().map(|m| scrub::text(&m));
        crumb.data = clean_map(std::mem::take(&mut crumb.data));
    }
    event
}

#[cfg(test)]
mod tests {
    use super::*;
    use sentry::protocol::{Request, User};

    #[test]
    fn an_event_leaves_without_cookies_credentials_or_contact_details() {
        let mut headers = BTreeMap::new();
        for (k, v) in [
            ("Cookie", "ocpizza_session=sessionsecret"),
            ("Authorization", "Bearer bearersecret"),
            ("X-CSRF-Token", "t0k3n"),
            ("Accept", "text/html"),
        ] {
            headers.insert(k.to_string(), v.to_string());
        }
        let event = Event {
            message: Some("checkout failed for lea@example.fr, card 4111111111111111".into()),
            user: Some(User { email: Some("lea@example.fr".into()), ..Default::default() }),
            request: Some(Request {
                url: "https://ocpizza.fr/orders/5L97RXdVRb3py0XJN8PuASWIBmhnkHotAzHuLffhdQ?password=hunter2".parse().ok(),
                cookies: Some("ocpizza_session=sessionsecret".into()),
                data: Some("password=hunter2".into()),
                headers,
                ..Default::default()
            }),
            extra: [("customer_email".to_string(), Value::from("lea@example.fr")), ("detail".to_string(), Value::from("call 06 12 34 56 78"))].into_iter().collect(),
            ..Default::default()
        };
        let clean = clean(event);
        let shown = serde_json::to_string(&clean).unwrap();
        for secret in [
            "lea@example.fr",
            "4111111111111111",
            // Not hexadecimal: the event's random id never holds them by chance.
            "sessionsecret",
            "bearersecret",
            "t0k3n",
            "hunter2",
            "5L97RXdVRb3py0XJN8PuASWIBmhnkHotAzHuLffhdQ",
            "06 12 34 56 78",
        ] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert!(
            shown.contains("[e-mail]")
                && shown.contains("[carte]")
                && shown.contains("[téléphone]"),
            "{shown}"
        );
        assert!(
            shown.contains("text/html"),
            "harmless headers stay: {shown}"
        );
    }
}
