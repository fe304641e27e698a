//! E-mail I/O: messages rendered from `templates/email/`, sent over SMTP (or written to files on
//! a local run) by the outbox worker. Nothing here runs inside a transaction: the outbox rows
//! are written by services in the transaction that causes them. Empty until e-mails are sent.
