//! How a message leaves: SMTP (STARTTLS, implicit TLS, or plain to a local relay) or, with no
//! SMTP configured, an .eml file in a folder.

use super::Rendered;
use crate::config::MailSettings;
use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>, String),
    Files(AsyncFileTransport<Tokio1Executor>, String),
}

/// Why a message did not leave: permanent (a 5xx reply, an invalid address) or worth trying
/// again (no connection, a timeout, a 4xx reply).
#[derive(Debug, Clone)]
pub struct Failure {
    pub permanent: bool,
    pub reason: String,
}

impl Failure {
    fn permanent(reason: impl Into<String>) -> Failure {
        Failure {
            permanent: true,
            reason: reason.into(),
        }
    }
}

impl Transport {
    pub fn from_settings(m: &MailSettings) -> Result<Transport, String> {
        if m.smtp_host.is_empty() {
            std::fs::create_dir_all(&m.folder)
                .map_err(|e| format!("cannot create the mail folder {:?}: {e}", m.folder))?;
            let shown = format!(".eml files in {}", m.folder);
            return Ok(Transport::Files(AsyncFileTransport::new(&m.folder), shown));
        }
        let host = m.smtp_host.as_str();
        let builder = match m.smtp_tls.as_str() {
            "tls" => AsyncSmtpTransport::<Tokio1Executor>::relay(host),
            "starttls" => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host),
            _ => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(
                host,
            )),
        }
        .map_err(|e| format!("SMTP relay {host}: {e}"))?;
        let mut builder = builder
            .port(m.smtp_port)
            .timeout(Some(Duration::from_secs(m.timeout_s)));
        if !m.smtp_user.is_empty() {
            builder = builder.credentials(Credentials::new(
                m.smtp_user.clone(),
                m.smtp_password.clone(),
            ));
        }
        let shown = format!("SMTP {host}:{} ({})", m.smtp_port, m.smtp_tls);
        Ok(Transport::Smtp(builder.build(), shown))
    }

    /// What the operator reads at start.
    pub fn describe(&self) -> &str {
        match self {
            Transport::Smtp(_, shown) | Transport::Files(_, shown) => shown,
        }
    }

    pub async fn send(&self, message: &Message) -> Result<(), Failure> {
        match self {
            Transport::Smtp(smtp, _) => {
                smtp.send(message.clone())
                    .await
                    .map(drop)
                    .map_err(|e| Failure {
                        permanent: e.is_permanent(),
                        reason: e.to_string(),
                    })
            }
            Transport::Files(files, _) => {
                files
                    .send(message.clone())
                    .await
                    .map(drop)
                    .map_err(|e| Failure {
                        permanent: false,
                        reason: e.to_string(),
                    })
            }
        }
    }
}

/// The message of a rendered e-mail to `to`, with both parts and its stable `Message-ID`.
pub fn message(
    m: &MailSettings,
    to: &str,
    rendered: Rendered,
    message_id: String,
) -> Result<Message, Failure> {
    let to: Mailbox = to
        .parse()
        .map_err(|e| Failure::permanent(format!("adresse invalide « {to} » : {e}")))?;
    let from: Mailbox = m
        .from
        .parse()
        .map_err(|e| Failure::permanent(format!("expéditeur invalide : {e}")))?;
    let mut builder = Message::builder()
        .from(from)
        .to(to)
        .subject(rendered.subject)
        .message_id(Some(message_id));
    if let Ok(reply) = m.reply_to.parse::<Mailbox>() {
        builder = builder.reply_to(reply);
    }
    let body = MultiPart::alternative()
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_PLAIN)
                .body(rendered.text),
        )
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_HTML)
                .body(rendered.html),
        );
    builder
        .multipart(body)
        .map_err(|e| Failure::permanent(e.to_string()))
}
