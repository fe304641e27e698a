//! Error reports to Sentry (`report`), and e-mail I/O: messages rendered from `templates/email/` (a template set of their own), sent
//! over SMTP or written as .eml files on a local run, by the outbox worker
//! (`workers::mailer`). Nothing here runs inside a transaction: the outbox rows are written by
//! services in the transaction that causes them.

mod render;
pub mod report;
mod transport;

pub use render::{Emails, Rendered};
pub use transport::{message, Failure, Transport};
