//! The outbox worker: sends every due e-mail, one at a time, then waits `poll_ms`. Several app
//! processes may run it on one database: a message is claimed by one of them only
//! (`services::mail`). It stops between two messages when the server shuts down.

use crate::config::MailSettings;
use crate::db::Db;
use crate::domain::mail;
use crate::notify::{self, Emails, Failure, Transport};
use crate::services::mail::{self as outbox, Delivery, RetryPolicy, ToSend};
use std::future::Future;
use std::time::Duration;

/// This process's worker name, as its claims show it.
fn worker_name() -> String {
    format!("{}-{:08x}", std::process::id(), rand::random::<u32>())
}

pub async fn run(
    db: Db,
    settings: MailSettings,
    templates: String,
    shutdown: impl Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    let emails = match Emails::load(&templates) {
        Ok(e) => e,
        Err(e) => {
            tracing::error!(error = %e, "e-mail templates unreadable: no e-mail is sent");
            return;
        }
    };
    let transport = match Transport::from_settings(&settings) {
        Ok(t) => t,
        Err(e) => {
            tracing::error!(error = %e, "e-mail transport unusable: no e-mail is sent");
            return;
        }
    };
    tracing::info!(
        transport = transport.describe(),
        "e-mails are sent by {}",
        transport.describe()
    );
    let worker = worker_name();
    let every = Duration::from_millis(settings.poll_ms);
    loop {
        loop {
            let name = worker.clone();
            let url = settings.public_url.clone();
            let next = db.run(move |c| outbox::claim_next(c, &name, &url)).await;
            let item = match next {
                Ok(Ok(Some(item))) => item,
                Ok(Ok(None)) => break,
                Ok(Err(e)) => {
                    tracing::warn!(error = %e, "outbox unreadable");
                    notify::report::worker_failed("mailer", &format!("outbox unreadable: {e}"));
                    break;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "outbox unreadable");
                    notify::report::worker_failed("mailer", &format!("outbox unreadable: {e}"));
                    break;
                }
            };
            deliver(&db, &emails, &transport, &settings, &worker, item).await;
            if futures_now(&mut shutdown) {
                return;
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {},
            _ = &mut shutdown => return,
        }
    }
}

/// Whether the shutdown has come (without waiting for it).
fn futures_now<F: Future<Output = ()>>(shutdown: &mut std::pin::Pin<&mut F>) -> bool {
    let waker = std::task::Waker::noop();
    let mut cx = std::task::Context::from_waker(waker);
    shutdown.as_mut().poll(&mut cx).is_ready()
}

/// Renders, sends and records one message.
async fn deliver(
    db: &Db,
    emails: &Emails,
    transport: &Transport,
    settings: &MailSettings,
    worker: &str,
    item: ToSend,
) {
    let m = &item.message;
    let id = mail::message_id(
        m.id,
        m.created_at.and_utc().timestamp_micros(),
        mail::domain_of(&settings.from),
    );
    let sent = match emails.render(&m.template, &item.values) {
        Ok(rendered) => match notify::message(settings, &m.recipient, rendered, id) {
            Ok(message) => transport.send(&message).await,
            Err(f) => Err(f),
        },
        Err(e) => Err(Failure {
            permanent: true,
            reason: format!(
                "template {}: {}",
                m.template,
                crate::domain::text::with_causes(&e)
            ),
        }),
    };
    let (row, attempts, template) = (m.id, m.attempts, m.template.clone());
    let policy = RetryPolicy {
        first_ms: settings.retry_ms,
        max_attempts: settings.max_attempts,
    };
    let name = worker.to_string();
    let claimed = item.message;
    let recorded = db
        .run(move |c| {
            let delivery = match &sent {
                Ok(()) => Delivery::Sent,
                Err(f) => Delivery::Refused {
                    permanent: f.permanent,
                    reason: &f.reason,
                },
            };
            let done = outbox::finish(c, &claimed, &name, delivery, policy);
            (done, sent.err())
        })
        .await;
    match recorded {
        Ok((Ok(true), None)) => tracing::info!(row, template, "e-mail sent"),
        Ok((Ok(true), Some(f))) => {
            tracing::warn!(row, template, attempts, permanent = f.permanent, error = %f.reason, "e-mail not sent")
        }
        Ok((Ok(false), _)) => tracing::warn!(row, "e-mail claim lapsed: another worker has it"),
        Ok((Err(e), _)) => {
            tracing::warn!(row, error = %e, "e-mail outcome not recorded: sent again after the lease")
        }
        Err(e) => {
            tracing::warn!(row, error = %e, "e-mail outcome not recorded: sent again after the lease")
        }
    }
}
