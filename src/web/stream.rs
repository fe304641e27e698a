//! The one way a live page streams server-sent events: subscribe to the hub before reading the
//! page's state, send that state first, then for each broadcast that concerns the page send
//! what changed; after a lag, read everything again from the database (never trust a lagged
//! broadcast). Keep-alives every 15 s; when the server shuts down the stream asks the browser to
//! reconnect within half a second, then ends.

use crate::live::{Hub, LiveEvent};
use rocket::response::stream::{Event, EventStream};
use rocket::tokio::select;
use rocket::tokio::sync::broadcast::error::RecvError;
use rocket::tokio::sync::broadcast::Receiver;
use rocket::Shutdown;
use std::future::Future;
use std::time::Duration;

pub const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// When the server stops, how soon the browser is asked to reconnect.
pub const RECONNECT_AFTER: Duration = Duration::from_millis(500);

/// Taken before the page's first state is read, so that no change falls in between.
pub struct Subscription(Receiver<LiveEvent>);

impl Subscription {
    pub fn to(hub: &Hub) -> Subscription {
        Subscription(hub.subscribe())
    }
}

/// What a live page does with the hub's events.
pub trait LivePage: Send {
    /// Whether the event concerns this page. No query: events carry their pizzeria and order.
    fn concerns(&self, event: &LiveEvent) -> bool;

    /// The events that bring the browser up to date after `event`, or after a lag (`None`:
    /// read again from the database). An error ends the stream; the browser reconnects.
    fn update(
        &mut self,
        event: Option<&LiveEvent>,
    ) -> impl Future<Output = Result<Vec<Event>, ()>> + Send;

    /// When the page changes by itself, with no event (a struck ticket leaves, a later order
    /// enters the queue): `update(None)` is called then.
    fn wake_at(&self) -> Option<rocket::tokio::time::Instant> {
        None
    }
}

/// The stream of a live page: `first` (the state the browser lacks), then the updates.
pub fn live_stream<'r, P: LivePage + 'r>(
    subscription: Subscription,
    first: Vec<Event>,
    mut page: P,
    mut end: Shutdown,
) -> EventStream![Event + 'r] {
    let Subscription(mut rx) = subscription;
    EventStream! {
        for event in first {
            yield event;
        }
        loop {
            let wake = page.wake_at();
            let timer = async move {
                match wake {
                    Some(at) => rocket::tokio::time::sleep_until(at).await,
                    None => std::future::pending::<()>().await,
                }
            };
            let cause = select! {
                message = rx.recv() => match message {
                    Ok(e) if page.concerns(&e) => Some(e),
                    Ok(_) => continue,
                    Err(RecvError::Lagged(_)) => None,
                    Err(RecvError::Closed) => break,
                },
                _ = timer => None,
                _ = &mut end => {
                    // The server is stopping (an update, a restart): the browser comes back
                    // soon, to this process or another.
                    yield Event::retry(RECONNECT_AFTER);
                    break;
                }
            };
            match page.update(cause.as_ref()).await {
                Ok(events) => for event in events {
                    yield event;
                },
                Err(()) => break,
            }
        }
    }
    .heartbeat(KEEP_ALIVE)
}
