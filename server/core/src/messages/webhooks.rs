//! Webhooks: a form's new submissions (and their deletion by retention or erasure)
//! announced to another system over HTTPS, in the Standard Webhooks format.
//!
//! Each event goes into the outbox in the transaction that stores (or deletes) the
//! submission, and is sent by the outbox's sender with three headers:
//! `webhook-id` (the message id, the same on every retry, for the receiver to drop
//! duplicates), `webhook-timestamp` (seconds, at each try) and
//! `webhook-signature`, which holds two signatures over `id.timestamp.body`:
//! `v1,` an HMAC-SHA256 with the webhook's secret, and `v1a,` an ed25519 signature
//! by the instance key, which anyone verifies with the public key from
//! `/.well-known/formseal-keys.json`.
//!
//! The database holds no webhook secret: each is derived from the instance secret
//! beside the signing keys, the webhook's id and a generation that "new secret"
//! raises. Replicas share that key directory, so they derive the same secret.
//!
//! Deliveries go to public addresses only: a webhook's address is checked when it
//! is added, and again at each delivery (every address its name resolves to), so
//! a name that later points inside the network is refused too. An instance started
//! with `--allow-private-webhooks` delivers to loopback and private networks (and
//! over plain http) as well.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signer as _, SigningKey};
use formseal_model::{Answers, SignedReceipt};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use super::smtp::Outcome;
use crate::audit::{self, Action};
use crate::error::{Error, Result};
use crate::permissions::{Operator, Permission};
use crate::state::AppState;
use crate::store::{MessageRow, NewMessage, NewWebhook, WebhookRow};
use crate::time::{now_ms, rfc3339_ms};

pub const SUBMISSION_CREATED: &str = "submission.created";
pub const SUBMISSION_DELETED: &str = "submission.deleted";
pub const TEST_EVENT: &str = "webhook.test";
/// The events a webhook may choose.
pub const EVENTS: [&str; 2] = [SUBMISSION_CREATED, SUBMISSION_DELETED];
/// Webhooks per form, at most.
pub const MAX_PER_FORM: usize = 10;
pub const MAX_URL_CHARS: usize = 2_000;
/// How long one delivery may take, connecting included.
const TIMEOUT: Duration = Duration::from_secs(15);
/// What of a receiver's answer the delivery log keeps.
const MAX_ANSWER_CHARS: usize = 200;

/// A webhook as its form's page shows it.
pub type Webhook = WebhookRow;

/// A form's webhooks.
pub async fn list(state: &AppState, operator: &Operator, form_id: &str) -> Result<Vec<Webhook>> {
    may_manage(state, operator, form_id).await?;
    state.store.webhooks(form_id).await
}

/// Adds a webhook; returns it with its secret (shown once: "new secret" makes another).
pub async fn add(
    state: &AppState,
    operator: &Operator,
    form_id: &str,
    url: &str,
    events: &[String],
    include_answers: bool,
) -> Result<(Webhook, String)> {
    may_manage(state, operator, form_id).await?;
    if include_answers {
        operator.require(Permission::ViewPersonalData)?;
    }
    let url = checked_target(url, state.config.allow_private_webhooks).await?;
    let mut chosen: Vec<String> = Vec::new();
    for event in events {
        if !EVENTS.contains(&event.as_str()) {
            return Err(Error::BadRequest(format!("{event:?} is not an event (choose from {})", EVENTS.join(", "))));
        }
        if !chosen.contains(event) {
            chosen.push(event.clone());
        }
    }
    if chosen.is_empty() {
        return Err(Error::BadRequest("choose at least one event".into()));
    }
    if state.store.webhooks(form_id).await?.len() >= MAX_PER_FORM {
        return Err(Error::Conflict(format!("a form has at most {MAX_PER_FORM} webhooks")));
    }
    let new = NewWebhook {
        webhook_id: uuid::Uuid::now_v7().to_string(),
        form_id: form_id.to_owned(),
        url: url.to_string(),
        events: chosen,
        include_answers,
        created_ms: now_ms(),
        created_by: operator.username.clone(),
    };
    state.store.create_webhook(&new).await?;
    let detail = format!("{} ({}){}", shown(&url), new.events.join(", "), answers_note(include_answers));
    audit::record(state, &operator.username, Action::WebhookAdded, &new.webhook_id, &detail).await?;
    let secret = secret_text(&secret(state, &new.webhook_id, 0)?);
    let webhook = WebhookRow {
        webhook_id: new.webhook_id,
        form_id: new.form_id,
        url: new.url,
        events: new.events,
        include_answers,
        enabled: true,
        secret_generation: 0,
        created_ms: new.created_ms,
        created_by: new.created_by,
    };
    Ok((webhook, secret))
}

/// Switches a webhook on or off, and chooses whether it carries the answers.
pub async fn set(
    state: &AppState,
    operator: &Operator,
    webhook_id: &str,
    enabled: bool,
    include_answers: bool,
) -> Result<()> {
    let webhook = found(state, operator, webhook_id).await?;
    if include_answers {
        operator.require(Permission::ViewPersonalData)?;
    }
    if !state.store.set_webhook(webhook_id, enabled, include_answers).await? {
        return Err(Error::NotFound("webhook"));
    }
    let detail = format!(
        "{}: {}{}",
        shown_text(&webhook.url),
        if enabled { "on" } else { "off" },
        answers_note(include_answers)
    );
    audit::record(state, &operator.username, Action::WebhookChanged, webhook_id, &detail).await
}

/// Gives a webhook a new secret (the old one stops working at once); returns it.
pub async fn new_secret(state: &AppState, operator: &Operator, webhook_id: &str) -> Result<String> {
    found(state, operator, webhook_id).await?;
    let generation = state.store.next_webhook_secret(webhook_id).await?.ok_or(Error::NotFound("webhook"))?;
    audit::record(state, &operator.username, Action::WebhookChanged, webhook_id, "new secret").await?;
    Ok(secret_text(&secret(state, webhook_id, generation)?))
}

pub async fn remove(state: &AppState, operator: &Operator, webhook_id: &str) -> Result<()> {
    let webhook = found(state, operator, webhook_id).await?;
    if !state.store.remove_webhook(webhook_id).await? {
        return Err(Error::NotFound("webhook"));
    }
    audit::record(state, &operator.username, Action::WebhookRemoved, webhook_id, &shown_text(&webhook.url)).await
}

/// Sends a test event (no submission in it) to see that deliveries arrive and
/// verify; returns the message's id (its fate shows in the outbox).
pub async fn send_test(state: &AppState, operator: &Operator, webhook_id: &str) -> Result<String> {
    let webhook = found(state, operator, webhook_id).await?;
    let data = json!({ "form": webhook.form_id, "webhook": webhook.webhook_id });
    let message = message(state, &webhook, TEST_EVENT, data, &operator.username)?;
    let id = message.message_id.clone();
    state.store.enqueue(std::slice::from_ref(&message)).await?;
    state.outbox_wake.notify_one();
    let detail = format!("test webhook to {}", shown_text(&webhook.url));
    audit::record(state, &operator.username, Action::MessageQueued, &id, &detail).await?;
    Ok(id)
}

/// Owners and admins manage a form's webhooks (they send its data out).
async fn may_manage(state: &AppState, operator: &Operator, form_id: &str) -> Result<()> {
    operator.require(Permission::ManageMessages)?;
    if !operator.sees_form(form_id) {
        return Err(Error::NotFound("form"));
    }
    crate::forms::form(state, form_id).await.map(drop)
}

async fn found(state: &AppState, operator: &Operator, webhook_id: &str) -> Result<Webhook> {
    operator.require(Permission::ManageMessages)?;
    let webhook = state.store.webhook(webhook_id).await?.ok_or(Error::NotFound("webhook"))?;
    may_manage(state, operator, &webhook.form_id).await?;
    Ok(webhook)
}

fn answers_note(include_answers: bool) -> &'static str {
    if include_answers { "; WITH THE ANSWERS (personal data leaves the instance)" } else { "" }
}

/// An address as the audit log and the server's log show it: no query (receivers
/// sometimes put a token there).
fn shown(url: &url::Url) -> String {
    format!("{}://{}{}", url.scheme(), url.host_str().unwrap_or_default(), url.path())
}

fn shown_text(url: &str) -> String {
    url::Url::parse(url).map(|u| shown(&u)).unwrap_or_default()
}

// ---- The events -------------------------------------------------------------

/// What a new submission's webhook messages need, prepared before the submission
/// takes its place in the chain (built once its receipt exists).
#[derive(Debug, Clone)]
pub(crate) struct HookNotice {
    hooks: Vec<WebhookRow>,
    answers: Value,
}

/// The notice for a new submission with `answers`, if a webhook of its form wants it.
pub(crate) fn notice(hooks: &[WebhookRow], answers: &Answers) -> Result<Option<HookNotice>> {
    let hooks: Vec<WebhookRow> = hooks.iter().filter(|h| h.wants(SUBMISSION_CREATED)).cloned().collect();
    if hooks.is_empty() {
        return Ok(None);
    }
    let answers = if hooks.iter().any(|h| h.include_answers) {
        serde_json::to_value(answers).map_err(|e| Error::Internal(e.to_string()))?
    } else {
        Value::Null
    };
    Ok(Some(HookNotice { hooks, answers }))
}

impl HookNotice {
    /// One message per webhook for the stored submission of `signed`.
    pub(crate) fn messages(&self, state: &AppState, signed: &SignedReceipt) -> Result<Vec<NewMessage>> {
        let receipt = &signed.receipt;
        let receipt_json = serde_json::to_value(signed).map_err(|e| Error::Internal(e.to_string()))?;
        self.hooks
            .iter()
            .map(|hook| {
                let mut data = json!({
                    "form": receipt.form,
                    "submission": receipt.submission,
                    "version": receipt.version,
                    "sequence": receipt.sequence,
                    "received_at": receipt.received_at,
                    "envelope_digest": receipt.envelope,
                    "receipt": receipt_json,
                    "console_url": format!(
                        "{}/admin/forms/{}/submissions/{}",
                        state.config.public_url, receipt.form, receipt.submission
                    ),
                });
                if hook.include_answers {
                    data["answers"] = self.answers.clone();
                }
                let mut message = message(state, hook, SUBMISSION_CREATED, data, "system")?;
                // Carrying answers: erasing them cancels it while it waits.
                if hook.include_answers {
                    message.submission_id = Some(receipt.submission.clone());
                }
                Ok(message)
            })
            .collect()
    }
}

/// The webhooks of each form that hear of deletions, read once per form (a sweep
/// deletes many submissions of few forms).
#[derive(Default)]
pub(crate) struct DeletionNotices(std::collections::HashMap<String, Vec<WebhookRow>>);

impl DeletionNotices {
    /// The messages announcing that `tombstone` (signed, as stored) deleted a
    /// submission of `form_id`.
    pub(crate) async fn messages(
        &mut self,
        state: &AppState,
        form_id: &str,
        tombstone: &Value,
        by: &str,
    ) -> Result<Vec<NewMessage>> {
        if !self.0.contains_key(form_id) {
            let hooks = state.store.webhooks(form_id).await?;
            self.0.insert(form_id.to_owned(), hooks.into_iter().filter(|h| h.wants(SUBMISSION_DELETED)).collect());
        }
        let hooks = self.0.get(form_id).map(Vec::as_slice).unwrap_or_default();
        let statement = &tombstone["tombstone"];
        let data = json!({
            "form": form_id,
            "submission": statement["submission"],
            "reason": statement["reason"],
            "deleted_at": statement["deleted_at"],
            "tombstone": tombstone,
        });
        hooks.iter().map(|hook| message(state, hook, SUBMISSION_DELETED, data.clone(), by)).collect()
    }
}

/// A webhook message for the outbox: the Standard Webhooks payload
/// `{type, timestamp, data}` as its body, fixed for every retry.
fn message(state: &AppState, hook: &WebhookRow, event: &str, data: Value, by: &str) -> Result<NewMessage> {
    let now = now_ms();
    let payload = json!({ "type": event, "timestamp": rfc3339_ms(now), "data": data });
    Ok(NewMessage {
        message_id: format!("msg_{}", uuid::Uuid::now_v7().simple()),
        kind: "webhook".into(),
        purpose: event.into(),
        form_id: Some(hook.form_id.clone()),
        link_id: None,
        webhook_id: Some(hook.webhook_id.clone()),
        submission_id: None,
        to_address: Some(hook.url.clone()),
        to_account: None,
        subject: event.into(),
        body_text: serde_json::to_string(&payload).map_err(|e| Error::Internal(e.to_string()))?,
        body_html: None,
        created_ms: now,
        give_up_ms: now + state.config.message_give_up_ms,
        created_by: by.into(),
    })
}

// ---- Secrets and signatures -------------------------------------------------

/// The webhook's HMAC secret: derived from the instance secret, never stored.
pub fn secret(state: &AppState, webhook_id: &str, generation: u32) -> Result<[u8; 32]> {
    let generation = generation.to_string();
    state.keys.derived_key(&[b"formseal/webhook-secret/v1\0", webhook_id.as_bytes(), b"\0", generation.as_bytes()])
}

/// A secret as receivers' Standard Webhooks libraries take it.
pub fn secret_text(secret: &[u8]) -> String {
    format!("whsec_{}", STANDARD.encode(secret))
}

/// The `webhook-signature` header: `v1,` HMAC-SHA256 with `secret` and `v1a,`
/// ed25519 by `key`, both over `id.timestamp.body`, base64.
pub fn signature_header(secret: &[u8], key: &SigningKey, id: &str, timestamp: i64, body: &str) -> Result<String> {
    let content = format!("{id}.{timestamp}.{body}");
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret)
        .map_err(|e| Error::Internal(format!("webhook signature: {e}")))?;
    mac.update(content.as_bytes());
    let hmac = STANDARD.encode(mac.finalize().into_bytes());
    let ed25519 = STANDARD.encode(key.sign(content.as_bytes()).to_bytes());
    Ok(format!("v1,{hmac} v1a,{ed25519}"))
}

// ---- Where deliveries may go ------------------------------------------------

/// Loopback, private, link-local, shared, multicast, documentation and reserved
/// addresses: inside somebody's network, never a webhook receiver on the internet.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            v4.is_unspecified()
                || v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                // Shared address space (carrier-grade NAT), 100.64.0.0/10.
                || (a == 100 && (64..128).contains(&b))
                // IETF protocol assignments 192.0.0.0/24; benchmarking 198.18.0.0/15.
                || (a == 192 && b == 0 && c == 0)
                || (a == 198 && (b == 18 || b == 19))
                // Reserved 240.0.0.0/4.
                || a >= 240
        }
        IpAddr::V6(v6) => {
            let segments = v6.segments();
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_private(IpAddr::V4(v4));
            }
            v6.is_unspecified()
                || v6.is_loopback()
                || v6.is_multicast()
                // Unique local fc00::/7, link-local fe80::/10, documentation 2001:db8::/32.
                || (segments[0] & 0xfe00) == 0xfc00
                || (segments[0] & 0xffc0) == 0xfe80
                || (segments[0] == 0x2001 && segments[1] == 0x0db8)
                // NAT64 64:ff9b::/96 and IPv4-compatible ::/96 carry an IPv4 address.
                || (segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] && is_private(embedded_v4(segments)))
                || (segments[..6] == [0, 0, 0, 0, 0, 0])
        }
    }
}

fn embedded_v4(segments: [u16; 8]) -> IpAddr {
    let [hi, lo] = [segments[6], segments[7]];
    IpAddr::V4(std::net::Ipv4Addr::new((hi >> 8) as u8, hi as u8, (lo >> 8) as u8, lo as u8))
}

/// Why a delivery's target was refused (found in the HTTP client's error chain).
#[derive(Debug)]
struct PrivateTarget(String);

impl std::fmt::Display for PrivateTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} is a private address; this instance delivers webhooks to public addresses only \
             (start it with --allow-private-webhooks to allow them)",
            self.0
        )
    }
}

impl std::error::Error for PrivateTarget {}

/// A webhook's address as typed, checked: https (http too where private targets
/// are allowed), no user or password in it, a host that resolves, and (unless
/// allowed) only to public addresses.
pub(crate) async fn checked_target(text: &str, allow_private: bool) -> Result<url::Url> {
    let text = text.trim();
    if text.chars().count() > MAX_URL_CHARS {
        return Err(Error::BadRequest(format!("a webhook address has at most {MAX_URL_CHARS} characters")));
    }
    let url = url::Url::parse(text)
        .map_err(|_| Error::BadRequest(format!("{text:?} is not a web address (https://example.org/hooks)")))?;
    match url.scheme() {
        "https" => {}
        "http" if allow_private => {}
        _ => return Err(Error::BadRequest("a webhook address starts with https://".into())),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::BadRequest("a webhook address holds no user name or password".into()));
    }
    let Some(host) = url.host_str().filter(|h| !h.is_empty()) else {
        return Err(Error::BadRequest("a webhook address needs a host".into()));
    };
    let port = url.port_or_known_default().unwrap_or(443);
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let addresses: Vec<SocketAddr> = match tokio::time::timeout(TIMEOUT, tokio::net::lookup_host((host, port))).await {
        Ok(Ok(found)) => found.collect(),
        Ok(Err(e)) => return Err(Error::BadRequest(format!("{host} cannot be found ({e})"))),
        Err(_) => return Err(Error::BadRequest(format!("{host} cannot be found (no answer in time)"))),
    };
    if !allow_private && let Some(private) = addresses.iter().find(|a| is_private(a.ip())) {
        return Err(Error::BadRequest(PrivateTarget(format!("{host} ({})", private.ip())).to_string()));
    }
    Ok(url)
}

/// Resolves a delivery's host name to its public addresses only, so a name that
/// points inside the network is refused at connection time (no second lookup
/// between the check and the connection).
struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        Box::pin(public_addresses(name.as_str().to_owned()))
    }
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

async fn public_addresses(host: String) -> std::result::Result<reqwest::dns::Addrs, BoxError> {
    let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
    if let Some(private) = found.iter().find(|a| is_private(a.ip())) {
        return Err(Box::new(PrivateTarget(format!("{host} ({})", private.ip()))));
    }
    Ok(Box::new(found.into_iter()))
}

// ---- Delivery ---------------------------------------------------------------

/// The HTTP client deliveries go out with (one per sender: it pools connections).
pub struct Deliverer {
    client: reqwest::Client,
    allow_private: bool,
}

impl Deliverer {
    pub fn new(allow_private: bool) -> Result<Self> {
        let mut builder = reqwest::Client::builder()
            // A redirect would be a second target nobody checked.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(TIMEOUT)
            .connect_timeout(Duration::from_secs(5))
            .user_agent(concat!("Formseal-Webhooks/", env!("CARGO_PKG_VERSION")));
        if !allow_private {
            builder = builder.dns_resolver(Arc::new(PublicOnly));
        }
        let client = builder.build().map_err(|e| Error::Internal(format!("the webhook client: {e}")))?;
        Ok(Deliverer { client, allow_private })
    }

    /// One try to deliver `message` (a webhook message).
    pub(crate) async fn deliver(&self, state: &AppState, message: &MessageRow) -> Outcome {
        match self.try_deliver(state, message).await {
            Ok(outcome) => outcome,
            Err(e) => Outcome::Transient(e.to_string()),
        }
    }

    async fn try_deliver(&self, state: &AppState, message: &MessageRow) -> Result<Outcome> {
        let Some(webhook_id) = &message.webhook_id else {
            return Ok(Outcome::Permanent("the message names no webhook".into()));
        };
        let Some(hook) = state.store.webhook(webhook_id).await? else {
            return Ok(Outcome::Permanent("the webhook was removed".into()));
        };
        if !hook.enabled && message.purpose != TEST_EVENT {
            return Ok(Outcome::Permanent("the webhook is switched off".into()));
        }
        let url = match url::Url::parse(&hook.url) {
            Ok(url) => url,
            Err(e) => return Ok(Outcome::Permanent(format!("the webhook's address is not valid: {e}"))),
        };
        // An address given as a number is not resolved, so the resolver cannot check it.
        if let Some(ip) = literal_ip(&url)
            && !self.allow_private
            && is_private(ip)
        {
            return Ok(Outcome::Permanent(PrivateTarget(ip.to_string()).to_string()));
        }
        let body = message.body_text.clone().unwrap_or_default();
        let timestamp = now_ms() / 1000;
        let secret = secret(state, &hook.webhook_id, hook.secret_generation)?;
        let key = state.keys.active();
        let signature = signature_header(&secret, key.signing_key(), &message.message_id, timestamp, &body)?;
        let sent = self
            .client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("webhook-id", &message.message_id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(body)
            .send()
            .await;
        let response = match sent {
            Ok(response) => response,
            Err(e) => {
                let why = error_chain(&e);
                return Ok(if refused_as_private(&e) { Outcome::Permanent(why) } else { Outcome::Transient(why) });
            }
        };
        let status = response.status();
        let answer = answer_excerpt(response).await;
        let said = if answer.is_empty() { String::new() } else { format!(": {answer}") };
        let code = format!("HTTP {}{said}", status.as_u16());
        Ok(if status.is_success() {
            Outcome::Accepted(code)
        } else if status == reqwest::StatusCode::GONE {
            // Standard Webhooks: 410 says the receiver wants no more of these.
            Outcome::Permanent(format!("{code} (the receiver wants no more events)"))
        } else {
            Outcome::Transient(code)
        })
    }
}

fn literal_ip(url: &url::Url) -> Option<IpAddr> {
    match url.host()? {
        url::Host::Ipv4(v4) => Some(IpAddr::V4(v4)),
        url::Host::Ipv6(v6) => Some(IpAddr::V6(v6)),
        url::Host::Domain(_) => None,
    }
}

fn refused_as_private(e: &reqwest::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(error) = source {
        if error.is::<PrivateTarget>() {
            return true;
        }
        source = error.source();
    }
    false
}

/// What went wrong, with its causes: reqwest's own text names the address, whose
/// query may hold a receiver's token, so it is left out.
fn error_chain(e: &reqwest::Error) -> String {
    let mut text = if e.is_timeout() {
        "no answer in time"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "the request failed"
    }
    .to_owned();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The first characters of the receiver's answer, on one line.
async fn answer_excerpt(mut response: reqwest::Response) -> String {
    let mut bytes = Vec::new();
    while bytes.len() < 4 * MAX_ANSWER_CHARS {
        match response.chunk().await {
            Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
            _ => break,
        }
    }
    let text = String::from_utf8_lossy(&bytes);
    let one_line: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    one_line.trim().chars().take(MAX_ANSWER_CHARS).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hmac_signature_matches_the_standard_webhooks_vector() {
        // The example of the Standard Webhooks specification.
        let secret = STANDARD.decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let key = SigningKey::from_bytes(&[7; 32]);
        let header =
            signature_header(&secret, &key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, r#"{"test": 2432232314}"#)
                .unwrap();
        let (hmac, ed25519) = header.split_once(' ').unwrap();
        assert_eq!(hmac, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        let signature = STANDARD.decode(ed25519.strip_prefix("v1a,").unwrap()).unwrap();
        let signature = ed25519_dalek::Signature::from_slice(&signature).unwrap();
        let content = br#"msg_p5jXN8AQM9LWM0D4loKWxJek.1614265330.{"test": 2432232314}"#;
        key.verifying_key().verify_strict(content, &signature).unwrap();
        assert!(key.verifying_key().verify_strict(b"other", &signature).is_err());
    }

    #[test]
    fn private_and_special_addresses_are_recognised() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
            "2001:db8::1",
        ] {
            assert!(is_private(private.parse().unwrap()), "{private}");
        }
        for public in ["93.184.216.34", "1.1.1.1", "100.128.0.1", "2606:4700:4700::1111", "64:ff9b::5db8:d822"] {
            assert!(!is_private(public.parse().unwrap()), "{public}");
        }
    }

    #[tokio::test]
    async fn targets_are_checked_before_they_are_stored() {
        let refused = |r: Result<url::Url>| match r {
            Err(Error::BadRequest(why)) => why,
            other => panic!("accepted: {other:?}"),
        };
        assert!(refused(checked_target("http://93.184.216.34/h", false).await).contains("https://"));
        assert!(refused(checked_target("https://127.0.0.1:9/h", false).await).contains("private address"));
        assert!(refused(checked_target("https://[::1]/h", false).await).contains("private address"));
        assert!(refused(checked_target("https://localhost/h", false).await).contains("private address"));
        assert!(refused(checked_target("https://u:p@93.184.216.34/h", false).await).contains("password"));
        assert!(refused(checked_target("ftp://93.184.216.34/h", false).await).contains("https://"));
        assert!(refused(checked_target("not a url", false).await).contains("not a web address"));
        assert!(refused(checked_target(&format!("https://a.org/{}", "x".repeat(2_000)), false).await).contains("2000"));
        assert_eq!(
            checked_target(" https://93.184.216.34/h?t=1 ", false).await.unwrap().as_str(),
            "https://93.184.216.34/h?t=1"
        );
        // Where the instance allows private targets (tests, a closed network).
        assert_eq!(checked_target("http://127.0.0.1:9/h", true).await.unwrap().as_str(), "http://127.0.0.1:9/h");
    }
}
