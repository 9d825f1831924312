//! Mail over SMTP (lettre): `--smtp-url` read once at start, one message per send.

use std::time::Duration;

use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::error::{Error, Result};

/// How the connection to the mail server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// TLS from the first byte (`smtps://`, port 465).
    Implicit,
    /// STARTTLS, refused if the server does not offer it.
    StartTls,
    /// STARTTLS when offered, plain otherwise (no password is sent then).
    Opportunistic,
    /// Plain text: only to this machine.
    None,
}

/// A parsed `--smtp-url`; `describe` is what logs and the console may show.
#[derive(Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: Security,
    username: Option<String>,
    password: Option<String>,
}

impl std::fmt::Debug for SmtpSettings {
    // The password never reaches a log line, not even a debug one.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

impl SmtpSettings {
    /// `smtp://user:pass@host:587` (STARTTLS), `smtps://user:pass@host` (implicit
    /// TLS), `smtp://localhost:25` (no password: STARTTLS if offered). `?tls=required`,
    /// `opportunistic` or `none` overrides; a password is only ever sent encrypted,
    /// except to a server on this machine.
    pub fn parse(text: &str) -> Result<SmtpSettings> {
        let bad = |why: &str| Error::BadRequest(format!("--smtp-url: {why}"));
        let url = url::Url::parse(text.trim()).map_err(|e| bad(&e.to_string()))?;
        let host = url.host_str().filter(|h| !h.is_empty()).ok_or_else(|| bad("no host"))?;
        let host = host.trim_start_matches('[').trim_end_matches(']').to_owned();
        let decode =
            |s: &str| percent_decode(s).ok_or_else(|| bad("the user or password is not valid percent-encoding"));
        let username = Some(decode(url.username())?).filter(|u| !u.is_empty());
        let password = url.password().map(decode).transpose()?;
        let tls = url.query_pairs().find(|(k, _)| k == "tls").map(|(_, v)| v.into_owned());
        let loopback = host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
        let security = match (url.scheme(), tls.as_deref()) {
            ("smtps", None) => Security::Implicit,
            ("smtps", Some(_)) => return Err(bad("smtps:// is always TLS; leave out ?tls=")),
            ("smtp", Some("required")) => Security::StartTls,
            ("smtp", Some("opportunistic")) => Security::Opportunistic,
            ("smtp", Some("none")) => Security::None,
            ("smtp", Some(other)) => return Err(bad(&format!("tls={other}: use required, opportunistic or none"))),
            ("smtp", None) if username.is_some() && !loopback => Security::StartTls,
            ("smtp", None) => Security::Opportunistic,
            (scheme, _) => return Err(bad(&format!("{scheme}:// is not SMTP; use smtp:// or smtps://"))),
        };
        if username.is_some() && !loopback && matches!(security, Security::None | Security::Opportunistic) {
            return Err(bad("a password would travel unencrypted; use STARTTLS (the default) or smtps://"));
        }
        let port = url.port().unwrap_or(match security {
            Security::Implicit => 465,
            _ if username.is_some() => 587,
            _ => 25,
        });
        Ok(SmtpSettings { host, port, security, username, password })
    }

    /// `smtp.example.org:587, STARTTLS, as user "forms"`: never the password.
    pub fn describe(&self) -> String {
        let security = match self.security {
            Security::Implicit => "TLS",
            Security::StartTls => "STARTTLS",
            Security::Opportunistic => "STARTTLS if offered",
            Security::None => "no encryption",
        };
        let user = self.username.as_deref().map(|u| format!(", as user {u:?}")).unwrap_or_default();
        format!("{}:{}, {security}{user}", self.host, self.port)
    }
}

fn percent_decode(text: &str) -> Option<String> {
    percent_encoding::percent_decode_str(text).decode_utf8().ok().map(|s| s.into_owned())
}

/// What one try to hand a message to the mail server came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The server took it; its answer ("250 2.0.0 Ok: queued as …").
    Accepted(String),
    /// Worth another try later (4xx, connection trouble); the reason.
    Transient(String),
    /// Will not work however often it is tried (5xx, a malformed address).
    Permanent(String),
}

/// The mail server connection (pooled) and the sender address.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    settings: SmtpSettings,
}

/// One mail to send.
pub struct Mail<'a> {
    pub message_id: &'a str,
    pub to: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    pub html: Option<&'a str>,
}

impl Mailer {
    pub fn new(settings: SmtpSettings, from: &str) -> Result<Mailer> {
        let from: Mailbox =
            from.parse().map_err(|e| Error::BadRequest(format!("--mail-from {from:?} is not a mail address: {e}")))?;
        let tls = |host: &str| {
            TlsParameters::new(host.to_owned()).map_err(|e| Error::Internal(format!("TLS set-up for {host}: {e}")))
        };
        let tls = match settings.security {
            Security::Implicit => Tls::Wrapper(tls(&settings.host)?),
            Security::StartTls => Tls::Required(tls(&settings.host)?),
            Security::Opportunistic => Tls::Opportunistic(tls(&settings.host)?),
            Security::None => Tls::None,
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(settings.host.clone())
            .port(settings.port)
            .tls(tls)
            // A server that stops answering must not hold the sender for long.
            .timeout(Some(Duration::from_secs(30)));
        if let (Some(user), Some(password)) = (&settings.username, &settings.password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(Mailer { transport: builder.build(), from, settings })
    }

    pub fn describe(&self) -> String {
        format!("{} from {}", self.settings.describe(), self.from)
    }

    pub async fn send(&self, mail: &Mail<'_>) -> Outcome {
        let to: Mailbox = match mail.to.parse() {
            Ok(to) => to,
            Err(e) => return Outcome::Permanent(format!("{:?} is not a mail address: {e}", mail.to)),
        };
        let domain = self.from.email.domain().to_owned();
        let builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject)
            // The outbox's id: a receiver that got a message twice (see
            // docs/messages.md) can tell.
            .message_id(Some(format!("<{}@{domain}>", mail.message_id)));
        let message = match mail.html {
            Some(html) => builder.multipart(MultiPart::alternative_plain_html(mail.text.to_owned(), html.to_owned())),
            None => builder.singlepart(SinglePart::plain(mail.text.to_owned())),
        };
        let message = match message {
            Ok(message) => message,
            Err(e) => return Outcome::Permanent(format!("the message could not be built: {e}")),
        };
        match self.transport.send(message).await {
            Ok(response) => {
                let text: Vec<&str> = response.message().collect();
                Outcome::Accepted(format!("{} {}", response.code(), text.join(" ")).trim().to_owned())
            }
            Err(e) if e.is_permanent() => Outcome::Permanent(e.to_string()),
            Err(e) => Outcome::Transient(e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_choose_encryption_and_never_show_the_password() {
        let s = SmtpSettings::parse("smtp://forms:s%40cret@smtp.example.org:587").unwrap();
        assert_eq!((s.host.as_str(), s.port, s.security), ("smtp.example.org", 587, Security::StartTls));
        assert_eq!(s.password.as_deref(), Some("s@cret"));
        assert!(!s.describe().contains("cret") && !format!("{s:?}").contains("cret"), "{}", s.describe());
        let s = SmtpSettings::parse("smtps://forms:x@smtp.example.org").unwrap();
        assert_eq!((s.port, s.security), (465, Security::Implicit));
        let s = SmtpSettings::parse("smtp://localhost:25").unwrap();
        assert_eq!((s.port, s.security), (25, Security::Opportunistic));
        let s = SmtpSettings::parse("smtp://127.0.0.1:2525?tls=none").unwrap();
        assert_eq!((s.host.as_str(), s.port, s.security), ("127.0.0.1", 2525, Security::None));
        let s = SmtpSettings::parse("smtp://mail.example.org").unwrap();
        assert_eq!((s.port, s.security), (25, Security::Opportunistic));
        for bad in [
            "smtp://u:p@mail.example.org?tls=none",
            "smtp://u:p@mail.example.org?tls=opportunistic",
            "http://mail.example.org",
            "smtps://mail.example.org?tls=none",
            "smtp://mail.example.org?tls=maybe",
            "smtp://",
            "not a url",
        ] {
            assert!(SmtpSettings::parse(bad).is_err(), "{bad}");
        }
        // To this machine a password may go in the clear (a local relay).
        assert_eq!(SmtpSettings::parse("smtp://u:p@127.0.0.1:25").unwrap().security, Security::Opportunistic);
    }
}
