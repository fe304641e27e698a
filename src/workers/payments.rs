//! The payments worker, every `payments.poll_s` (or at once when woken): cancels the online
//! orders whose payment never came and closes their pages at the provider, asks providers
//! about attempts pending too long (a lost webhook) and applies the answer as a webhook would
//! be, captures what payers approved (PayPal), sends the refunds asked for. Every provider call happens between transactions.

use crate::config::PaymentSettings;
use crate::db::Db;
use crate::domain::order::PaymentMethod;
use crate::domain::payment::Happened;
use crate::live::Hub;
use crate::payments::{ProviderError, Providers};
use crate::services::payments::{self, Applied, RefundJob};
use chrono::Utc;
use std::future::Future;
use std::time::Duration;

pub async fn run(
    db: Db,
    hub: Hub,
    providers: Providers,
    settings: PaymentSettings,
    shutdown: impl Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    let every = Duration::from_secs(settings.poll_s);
    loop {
        tokio::select! {
            _ = tokio::time::sleep(every) => {},
            _ = providers.woken() => {},
            _ = &mut shutdown => return,
        }
        let worker = Worker {
            db: &db,
            hub: &hub,
            providers: &providers,
        };
        worker.expire(&settings).await;
        worker.close().await;
        worker.reconcile(&settings).await;
        worker.capture().await;
        worker.refund().await;
    }
}

struct Worker<'a> {
    db: &'a Db,
    hub: &'a Hub,
    providers: &'a Providers,
}

fn ago(seconds: u64) -> chrono::NaiveDateTime {
    (Utc::now() - chrono::Duration::seconds(seconds as i64)).naive_utc()
}

impl Worker<'_> {
    async fn expire(&self, s: &PaymentSettings) {
        let before = ago(s.expire_after_min * 60);
        match self
            .db
            .run(move |c| payments::expire_unpaid(c, before))
            .await
        {
            Ok(Ok(expired)) => expired.into_iter().for_each(|p| self.hub.order_changed(p)),
            Ok(Err(e)) => tracing::warn!(error = %e, "payment expiry failed"),
            Err(e) => tracing::warn!(error = %e, "payment expiry failed"),
        }
    }

    /// Pages of orders that no longer wait for them (cancelled, expired, paid by hand) are
    /// closed, so that nobody pays them.
    async fn close(&self) {
        let pages = match self.db.run(payments::pages_to_close).await {
            Ok(Ok(pages)) => pages,
            Ok(Err(e)) => return tracing::warn!(error = %e, "pages to close not read"),
            Err(e) => return tracing::warn!(error = %e, "pages to close not read"),
        };
        for (attempt, provider, page) in pages {
            match self.providers.close(provider, &page).await {
                Ok(true) => {
                    let closed = self
                        .db
                        .run(move |c| payments::page_closed(c, attempt))
                        .await;
                    if let Ok(Err(e)) = closed {
                        tracing::warn!(error = %e, "closed page not recorded");
                    }
                }
                // Not open any more: perhaps paid just before. What it became is applied.
                Ok(false) => self.settle(provider, &page).await,
                Err(e) => {
                    tracing::warn!(error = %e, provider = provider.as_str(), "payment page not closed")
                }
            }
        }
    }

    async fn reconcile(&self, s: &PaymentSettings) {
        let before = ago(s.reconcile_after_s);
        let due = match self
            .db
            .run(move |c| payments::reconcile_due(c, before))
            .await
        {
            Ok(Ok(due)) => due,
            Ok(Err(e)) => return tracing::warn!(error = %e, "reconciliation failed"),
            Err(e) => return tracing::warn!(error = %e, "reconciliation failed"),
        };
        for (provider, page) in due {
            self.settle(provider, &page).await;
        }
    }

    /// Asks the provider what became of a page and applies it as a webhook would be.
    async fn settle(&self, provider: PaymentMethod, page: &str) {
        match self.providers.state(provider, page).await {
            Ok(event) => {
                let applied = self
                    .db
                    .run(move |c| payments::apply(c, provider, &event))
                    .await;
                self.changed(applied.ok().and_then(Result::ok));
            }
            Err(e) => {
                tracing::warn!(error = %e, provider = provider.as_str(), "payment state not read")
            }
        }
    }

    /// Takes the money of the attempts their payers approved (PayPal), while their orders
    /// still wait for them; applies the answer as a webhook would be.
    async fn capture(&self) {
        let due = match self.db.run(payments::captures_due).await {
            Ok(Ok(due)) => due,
            Ok(Err(e)) => return tracing::warn!(error = %e, "captures not read"),
            Err(e) => return tracing::warn!(error = %e, "captures not read"),
        };
        for job in due {
            let event = match self
                .providers
                .capture(job.provider, &job.page, &job.key)
                .await
            {
                Ok(event) => event,
                // Asked again at the next run, under the same key: taken once at most.
                Err(e) => {
                    tracing::warn!(error = %e, attempt = job.attempt, "capture not made");
                    continue;
                }
            };
            let held = event.happened == Happened::Pending;
            let provider = job.provider;
            let applied = self
                .db
                .run(move |c| payments::apply(c, provider, &event))
                .await;
            self.changed(applied.ok().and_then(Result::ok));
            if held {
                let attempt = job.attempt;
                let answered = self
                    .db
                    .run(move |c| payments::capture_answered(c, attempt))
                    .await;
                if let Ok(Err(e)) = answered {
                    tracing::warn!(error = %e, "capture answer not recorded");
                }
            }
        }
    }

    async fn refund(&self) {
        let due = match self.db.run(payments::refunds_due).await {
            Ok(Ok(due)) => due,
            Ok(Err(e)) => return tracing::warn!(error = %e, "refunds not read"),
            Err(e) => return tracing::warn!(error = %e, "refunds not read"),
        };
        for job in due {
            self.send_refund(job).await;
        }
    }

    async fn send_refund(&self, job: RefundJob) {
        let Some(charge) = job.charge.clone() else {
            // The payment's id comes with its confirmation; a refund waits for it.
            return tracing::warn!(refund = job.refund, "refund waits for the payment's id");
        };
        let reply = self
            .providers
            .refund(job.provider, &charge, job.amount, &job.key)
            .await;
        match reply {
            Ok(reply) => {
                let applied = self
                    .db
                    .run(move |c| payments::refund_sent(c, &job, &reply))
                    .await;
                self.changed(applied.ok().and_then(Result::ok));
            }
            // Refused for good (4xx but a conflict or a rate limit): to be taken up by hand.
            Err(ProviderError::Refused { status, detail })
                if (400..500).contains(&status) && status != 409 && status != 429 =>
            {
                tracing::warn!(status, detail, refund = job.refund, "refund refused");
                let applied = self
                    .db
                    .run(move |c| payments::refund_refused(c, &job))
                    .await;
                self.changed(applied.ok().and_then(Result::ok));
            }
            // Sent again at the next run, under the same key: never twice at the provider.
            Err(e) => tracing::warn!(error = %e, refund = job.refund, "refund not sent"),
        }
    }

    fn changed(&self, applied: Option<Applied>) {
        if let Some(Applied::Done(p)) = applied {
            self.hub.order_changed(p);
        }
    }
}
