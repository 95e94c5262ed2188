//! Email destinations over SMTP with lettre (tokio, rustls): TLS from the first byte, or STARTTLS
//! required, or (only with `allow_private`) no encryption. The host is resolved here under the
//! notification address policy and lettre connects to the checked address while verifying the
//! certificate for the configured name, so DNS rebinding cannot redirect the connection. SMTP 4xx
//! and connection trouble are retried; 5xx, refused logins and TLS failures are not.

use super::destination::SmtpSecurity;
use super::http::redact;
use super::outcome::DeliveryOutcome;
use super::resolve::{Lookup, ResolveError, resolve_allowed};
use crate::error_chain::error_chain;
use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

/// At most this many of a host's addresses are tried when connections fail.
const ADDRESSES_TRIED: usize = 3;

/// Everything one email needs, borrowed from the destination's config.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Mail<'a> {
    pub host: &'a str,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: Option<&'a str>,
    pub password: Option<&'a str>,
    pub from: &'a str,
    pub to: &'a [String],
    pub allow_private: bool,
}

#[derive(Clone)]
pub(crate) struct Smtp {
    pub timeout: Duration,
    pub extra_roots: Vec<Certificate>,
    pub lookup: Lookup,
}

impl Smtp {
    /// Sends one message with `subject` and plain-text `body` to every recipient.
    pub async fn send(&self, mail: Mail<'_>, subject: &str, body: &str) -> DeliveryOutcome {
        let message = match build_message(&mail, subject, body) {
            Ok(m) => m,
            Err(reason) => return DeliveryOutcome::Failed { reason },
        };
        if mail.security == SmtpSecurity::None && !mail.allow_private {
            return DeliveryOutcome::Failed {
                reason: "unencrypted SMTP is only allowed with \"allow private addresses\"".to_owned(),
            };
        }
        let host = mail.host.trim().trim_end_matches('.').to_ascii_lowercase();
        let addrs = match resolve_allowed(&self.lookup, &host, mail.allow_private).await {
            Ok(addrs) => addrs,
            Err(ResolveError::Refused(r)) => return DeliveryOutcome::Failed { reason: format!("refused: {r}") },
            Err(ResolveError::Lookup(e)) => {
                return DeliveryOutcome::Retry { after: None, reason: format!("could not resolve {host}: {e}") };
            }
        };
        let tls = match self.tls(&host, mail.security) {
            Ok(tls) => tls,
            Err(e) => return DeliveryOutcome::Failed { reason: format!("could not set up tls for {host}: {e}") },
        };
        let secrets: Vec<&str> = mail.password.into_iter().collect();
        let mut outcome = DeliveryOutcome::Retry { after: None, reason: format!("no address to try for {host}") };
        for addr in addrs.into_iter().take(ADDRESSES_TRIED) {
            let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(addr.to_string())
                .port(mail.port)
                .timeout(Some(self.timeout))
                .tls(tls.clone());
            if let (Some(user), Some(password)) = (mail.username, mail.password) {
                builder = builder.credentials(Credentials::new(user.to_owned(), password.to_owned()));
            }
            match builder.build().send(message.clone()).await {
                Ok(response) => return DeliveryOutcome::Delivered { status: u16::from(response.code()) },
                Err(e) => {
                    let connection_failed = is_connection_error(&e);
                    outcome = judge(&host, &e, &secrets);
                    if !connection_failed {
                        return outcome;
                    }
                }
            }
        }
        outcome
    }

    fn tls(&self, host: &str, security: SmtpSecurity) -> Result<Tls, lettre::transport::smtp::Error> {
        let parameters = || {
            let mut builder = TlsParameters::builder(host.to_owned());
            for root in &self.extra_roots {
                builder = builder.add_root_certificate(root.clone());
            }
            builder.build_rustls()
        };
        Ok(match security {
            SmtpSecurity::Tls => Tls::Wrapper(parameters()?),
            SmtpSecurity::StartTls => Tls::Required(parameters()?),
            SmtpSecurity::None => Tls::None,
        })
    }
}

/// The message, or why the addresses cannot be used.
fn build_message(mail: &Mail<'_>, subject: &str, body: &str) -> Result<Message, String> {
    let from: Mailbox = mail.from.trim().parse().map_err(|_| "the sender address is not a valid email address")?;
    if mail.to.is_empty() {
        return Err("there is no recipient".to_owned());
    }
    let mut builder = Message::builder().from(from).subject(subject).header(ContentType::TEXT_PLAIN);
    for to in mail.to {
        let to: Mailbox = to.trim().parse().map_err(|_| "a recipient is not a valid email address".to_owned())?;
        builder = builder.to(to);
    }
    builder.body(body.to_owned()).map_err(|e| format!("the message could not be built: {e}"))
}

/// The connection never got as far as an SMTP reply (refused, reset, unreachable).
fn is_connection_error(e: &lettre::transport::smtp::Error) -> bool {
    let answered = e.is_response() || e.is_client() || e.is_transient() || e.is_permanent() || e.is_timeout();
    !answered && !is_tls_error(e)
}

/// lettre reports a refused certificate as a connection error; rustls's error is in the chain.
fn is_tls_error(e: &lettre::transport::smtp::Error) -> bool {
    e.is_tls() || error_chain(e).iter().any(|err| err.downcast_ref::<rustls::Error>().is_some())
}

fn judge(host: &str, e: &lettre::transport::smtp::Error, secrets: &[&str]) -> DeliveryOutcome {
    let detail = redact(&describe(e), secrets);
    if e.is_permanent() {
        let hint = match e.status().map(u16::from) {
            Some(530 | 534 | 535 | 538) => " (the login was refused)",
            _ => "",
        };
        return DeliveryOutcome::Failed {
            reason: format!("the mail server {host} refused the message{hint}: {detail}"),
        };
    }
    if is_tls_error(e) {
        return DeliveryOutcome::Failed { reason: format!("tls with the mail server {host} failed: {detail}") };
    }
    if e.is_client() {
        return DeliveryOutcome::Failed { reason: format!("the mail server {host} cannot be used: {detail}") };
    }
    let reason = if e.is_transient() {
        format!("the mail server {host} asked to try later: {detail}")
    } else if e.is_timeout() {
        format!("the mail server {host} did not answer in time")
    } else {
        format!("could not talk to the mail server {host}: {detail}")
    };
    DeliveryOutcome::Retry { after: None, reason }
}

/// lettre's message (which includes the server's reply) on one short line.
fn describe(e: &lettre::transport::smtp::Error) -> String {
    e.to_string().chars().map(|c| if c.is_control() { ' ' } else { c }).take(300).collect()
}

#[cfg(test)]
mod tests;
