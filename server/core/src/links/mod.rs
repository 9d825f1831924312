//! Personal links: `/f/<link id>#<secret>`. Each link has its own ed25519 key; the
//! server stores only the public key, and the secret is handed out once, in the
//! URL, at creation (and in the bulk CSV). The link page proves it holds the
//! secret by signing the request to open the link and the submission envelope.
//!
//! Prefill values are personal data: they live in `link_prefill`, are deleted when
//! the link expires, is revoked, or (single use) is used.
//!
//! This module is a link's lifecycle (create, list, revoke, extend, open, the
//! checks of a submission); bulk creation from a CSV is in `csv`, the QR codes in
//! `qr`. Both are re-exported here, so callers keep writing `links::parse_csv`.

use chrono::{DateTime, Utc};
use ed25519_dalek::SigningKey;
use formseal_model::link::{LinkView, SignedLinkOpen, check_locked, public_key_of, secret_of};
use formseal_model::{Answers, FieldError, FieldKind, FormDef, Problem, ValidationContext, check_field};
use serde::Serialize;
use serde_json::Value;

use crate::audit::{self, Action};
use crate::error::{Error, LinkClosed, Result};
use crate::permissions::{Operator, Permission};
use crate::state::AppState;
use crate::store::{LinkRow, NewLink};
use crate::time::{now_ms, rfc3339_ms};
use crate::{forms, random};

mod csv;
mod mail;
mod qr;
pub mod reminders;
pub mod sealed;
pub mod template;

// `self::`: a bare `csv` in a `use` would be ambiguous with the csv crate.
pub use self::csv::{
    BulkSettings, CsvPreview, CsvRow, MAX_ROWS, import_csv, links_csv, parse_csv, parse_csv_for_mail, preview_csv,
};
pub use self::mail::{
    DEFAULT_ADDRESS_COLUMN, FormTemplate, LinkMail, MAX_REMIND_DAYS, MAX_REMINDERS, MailCheck, MailSettings, MailShown,
    MailedLinks, PREVIEWED, PURPOSE, REMINDER_PURPOSE, Recipients, check_mail, send_mail, set_template, templates,
};
pub use self::qr::{data_url, qr_png, qr_svg};

/// Longest a link may stay open.
pub const MAX_DAYS: u32 = 366;
/// How far the link page's clock may be off when it opens a link.
const OPEN_SKEW_MS: i64 = 10 * 60 * 1000;

/// What the operator chooses for one link.
#[derive(Debug, Clone, Default)]
pub struct LinkSpec {
    pub label: Option<String>,
    pub note: Option<String>,
    pub prefill: Answers,
    /// Prefilled answers the customer cannot change.
    pub locked: Vec<String>,
    pub single_use: bool,
    pub days: u32,
}

/// A new link, with the secret: shown once, never stored.
#[derive(Debug, Clone, Serialize)]
pub struct CreatedLink {
    pub link_id: String,
    pub label: Option<String>,
    /// `<public url>/f/<id>#<secret>`.
    pub url: String,
    pub expires_at: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkStatus {
    Created,
    Opened,
    Submitted,
    Expired,
    Revoked,
}

impl LinkStatus {
    pub const ALL: [LinkStatus; 5] =
        [LinkStatus::Created, LinkStatus::Opened, LinkStatus::Submitted, LinkStatus::Expired, LinkStatus::Revoked];

    pub fn as_str(self) -> &'static str {
        match self {
            LinkStatus::Created => "created",
            LinkStatus::Opened => "opened",
            LinkStatus::Submitted => "submitted",
            LinkStatus::Expired => "expired",
            LinkStatus::Revoked => "revoked",
        }
    }

    pub fn parse(text: &str) -> Option<LinkStatus> {
        LinkStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

fn expired(row: &LinkRow, now: DateTime<Utc>) -> bool {
    DateTime::parse_from_rfc3339(&row.expires_at).map_or(true, |t| t.with_timezone(&Utc) <= now)
}

/// Where a link stands now.
pub fn status(row: &LinkRow, now: DateTime<Utc>) -> LinkStatus {
    if row.revoked_at.is_some() {
        LinkStatus::Revoked
    } else if row.single_use && row.uses > 0 {
        LinkStatus::Submitted
    } else if expired(row, now) {
        LinkStatus::Expired
    } else if row.uses > 0 {
        LinkStatus::Submitted
    } else if row.opened_at.is_some() {
        LinkStatus::Opened
    } else {
        LinkStatus::Created
    }
}

/// Why a link takes no (more) submissions, if it does not.
pub fn closed(row: &LinkRow, now: DateTime<Utc>) -> Option<LinkClosed> {
    if row.revoked_at.is_some() {
        Some(LinkClosed::Revoked)
    } else if row.single_use && row.uses > 0 {
        Some(LinkClosed::Used)
    } else if expired(row, now) {
        Some(LinkClosed::Expired)
    } else {
        None
    }
}

/// A prefill value from what was typed (a form input or a CSV cell) for `field`.
pub fn prefill_value(kind: &FieldKind, text: &str) -> Result<Value, Problem> {
    let text = text.trim();
    Ok(match kind {
        FieldKind::YesNo => match text.to_ascii_lowercase().as_str() {
            "yes" | "true" | "ja" | "1" => Value::Bool(true),
            "no" | "false" | "nein" | "0" => Value::Bool(false),
            _ => return Err(Problem::WrongType { expected: "yes or no".into() }),
        },
        FieldKind::MultipleChoice { .. } => Value::Array(
            text.split(';').map(str::trim).filter(|s| !s.is_empty()).map(|s| Value::String(s.into())).collect(),
        ),
        FieldKind::Address { .. } => {
            // "street; postcode; city; country"
            let parts: Vec<&str> = text.split(';').map(str::trim).collect();
            if parts.len() != 4 {
                return Err(Problem::WrongType { expected: "street; postcode; city; country".into() });
            }
            serde_json::json!({"street": parts[0], "postcode": parts[1], "city": parts[2], "country": parts[3]})
        }
        // The visitor's own act, or the form's own computation: never given by a link.
        FieldKind::Consent { .. } | FieldKind::Signature { .. } | FieldKind::Calculation { .. } => {
            return Err(Problem::NoAnswerExpected);
        }
        // Most preferred first: "a; b; c".
        FieldKind::Ranking { .. } => Value::Array(
            text.split(';').map(str::trim).filter(|s| !s.is_empty()).map(|s| Value::String(s.into())).collect(),
        ),
        // "row=column; row=column"
        FieldKind::Matrix { .. } => {
            let mut chosen = serde_json::Map::new();
            for pair in text.split(';').map(str::trim).filter(|s| !s.is_empty()) {
                let Some((row, column)) = pair.split_once('=') else {
                    return Err(Problem::WrongType { expected: "row=column; row=column".into() });
                };
                chosen.insert(row.trim().to_owned(), Value::String(column.trim().to_owned()));
            }
            Value::Object(chosen)
        }
        kind if kind.is_static() => {
            return Err(Problem::NoAnswerExpected);
        }
        _ => Value::String(text.to_owned()),
    })
}

/// Checks one link's choices against the form; problems by field.
pub fn check_spec(form: &FormDef, spec: &LinkSpec) -> std::result::Result<(), Vec<FieldError>> {
    let ctx = ValidationContext { today: Utc::now().date_naive(), slack_days: 1 };
    let mut errors = Vec::new();
    for (key, value) in &spec.prefill {
        let problem = match form.field(key) {
            None => Some(Problem::UnknownField),
            Some(field) if matches!(field.kind, FieldKind::Consent { .. } | FieldKind::Signature { .. }) => {
                // Agreeing and signing are the customer's own acts.
                Some(Problem::NoAnswerExpected)
            }
            Some(field) => check_field(field, Some(value), &ctx).err(),
        };
        if let Some(problem) = problem {
            errors.push(FieldError { field: key.clone(), problem });
        }
    }
    for key in &spec.locked {
        if !spec.prefill.contains_key(key) {
            errors.push(FieldError { field: key.clone(), problem: Problem::Required });
        }
    }
    let too_long = |text: &Option<String>, max: u32| text.as_ref().is_some_and(|t| t.chars().count() > max as usize);
    if too_long(&spec.label, 200) {
        errors.push(FieldError { field: "label".into(), problem: Problem::TooLong { max: 200 } });
    }
    if too_long(&spec.note, 1000) {
        errors.push(FieldError { field: "note".into(), problem: Problem::TooLong { max: 1000 } });
    }
    if spec.days == 0 || spec.days > MAX_DAYS {
        errors.push(FieldError { field: "days".into(), problem: Problem::AboveMax { max: MAX_DAYS.to_string() } });
    }
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

/// The form a link may be made for: published, not archived, visible to the
/// operator, who may manage links.
/// The current definition of a form `operator` may make links for. The access is
/// checked before the form is looked at, so a form the operator is not assigned to
/// looks exactly like one that does not exist.
pub async fn linkable_form(state: &AppState, operator: &Operator, form_id: &str) -> Result<FormDef> {
    operator.require(Permission::ManageLinks)?;
    if !operator.sees_form(form_id) {
        return Err(Error::NotFound("form"));
    }
    let form = forms::form(state, form_id).await?;
    if form.is_archived() {
        return Err(Error::Archived);
    }
    Ok(forms::current(state, form_id).await?.definition)
}

fn new_link(
    state: &AppState,
    operator: &Operator,
    form_id: &str,
    spec: LinkSpec,
    batch: Option<&str>,
) -> Result<(NewLink, CreatedLink)> {
    let key = SigningKey::from_bytes(&random::bytes::<32>()?);
    let link_id = random::token(16)?;
    let expires_at = rfc3339_ms(now_ms() + i64::from(spec.days) * 86_400_000);
    let url = format!("{}/f/{link_id}#{}", state.config.public_url, secret_of(&key));
    let row = NewLink {
        link_id: link_id.clone(),
        form_id: form_id.to_owned(),
        label: spec.label.clone().filter(|l| !l.trim().is_empty()),
        note: spec.note.filter(|n| !n.trim().is_empty()),
        public_key: public_key_of(&key),
        single_use: spec.single_use,
        expires_at: expires_at.clone(),
        created_by: operator.username.clone(),
        batch: batch.map(str::to_owned),
        prefill: serde_json::to_value(&spec.prefill).map_err(|e| Error::Internal(e.to_string()))?,
        locked: spec.locked,
    };
    Ok((row, CreatedLink { link_id, label: spec.label, url, expires_at }))
}

/// Creates one link. The answer carries the secret; nothing else ever will.
pub async fn create(state: &AppState, operator: &Operator, form_id: &str, spec: LinkSpec) -> Result<CreatedLink> {
    let form = linkable_form(state, operator, form_id).await?;
    check_spec(&form, &spec).map_err(Error::Validation)?;
    let detail = format!(
        "{}, {} days, {} prefilled ({} locked)",
        if spec.single_use { "single use" } else { "multi use" },
        spec.days,
        spec.prefill.len(),
        spec.locked.len()
    );
    let (row, created) = new_link(state, operator, form_id, spec, None)?;
    audit::record(state, &operator.username, Action::LinkCreated, &created.link_id, &format!("{form_id}: {detail}"))
        .await?;
    state.store.create_links(std::slice::from_ref(&row)).await?;
    Ok(created)
}

/// What the console lists about a link (no prefill values, no secret).
#[derive(Debug, Clone, Serialize)]
pub struct LinkInfo {
    pub link_id: String,
    pub label: Option<String>,
    pub note: Option<String>,
    pub status: LinkStatus,
    pub single_use: bool,
    pub uses: u64,
    pub created_at: String,
    pub created_by: String,
    pub expires_at: String,
    pub opened_at: Option<String>,
    pub submitted_at: Option<String>,
    /// Sent by mail: the fate of its mail and reminders (from the outbox).
    pub mail: Option<LinkMail>,
}

/// A form's links, optionally only those in one status.
pub async fn list(
    state: &AppState,
    operator: &Operator,
    form_id: &str,
    only: Option<LinkStatus>,
) -> Result<Vec<LinkInfo>> {
    // Labels and notes name the recipients (a customer number, "Mrs Meier's
    // claim"): a reader with the compact view, who may not see personal answers,
    // does not see them either.
    let compact = operator.form_access(form_id)?.is_compact();
    let now = Utc::now();
    let rows = state.store.links_of_form(form_id).await?;
    let mut mails = mail::statuses(state, form_id).await?;
    Ok(rows
        .into_iter()
        .map(|r| LinkInfo {
            status: status(&r, now),
            mail: mails.remove(&r.link_id),
            link_id: r.link_id,
            label: r.label.filter(|_| !compact),
            note: r.note.filter(|_| !compact),
            single_use: r.single_use,
            uses: r.uses,
            created_at: r.created_at,
            created_by: r.created_by,
            expires_at: r.expires_at,
            opened_at: r.opened_at,
            submitted_at: r.submitted_at,
        })
        .filter(|l| only.is_none_or(|s| l.status == s))
        .collect())
}

/// The link, if the operator may manage links of its form.
async fn managed(state: &AppState, operator: &Operator, link_id: &str) -> Result<LinkRow> {
    operator.require(Permission::ManageLinks)?;
    let row = state.store.link(link_id).await?.ok_or(Error::NotFound("link"))?;
    if !operator.sees_form(&row.form_id) {
        return Err(Error::NotFound("link"));
    }
    Ok(row)
}

pub async fn revoke(state: &AppState, operator: &Operator, link_id: &str) -> Result<()> {
    let row = managed(state, operator, link_id).await?;
    if row.revoked_at.is_some() {
        return Ok(()); // revoked before (a second click): nothing to do
    }
    audit::record(state, &operator.username, Action::LinkRevoked, link_id, &row.form_id).await?;
    state.store.revoke_link(link_id).await?;
    Ok(())
}

/// Sets the link to expire `days` from now; 0 ends it now (a revoked link stays
/// revoked).
pub async fn extend(state: &AppState, operator: &Operator, link_id: &str, days: u32) -> Result<String> {
    let row = managed(state, operator, link_id).await?;
    if days > MAX_DAYS {
        return Err(Error::BadRequest(format!("a link stays open at most {MAX_DAYS} days")));
    }
    let expires_at = rfc3339_ms(now_ms() + i64::from(days) * 86_400_000);
    audit::record(
        state,
        &operator.username,
        Action::LinkExtended,
        link_id,
        &format!("{}: until {expires_at}", row.form_id),
    )
    .await?;
    if !state.store.extend_link(link_id, &expires_at).await? {
        return Err(Error::Conflict("a revoked link cannot be extended".into()));
    }
    Ok(expires_at)
}

/// Opens a link for the page that holds its secret: checks the signed request,
/// notes the first opening, and hands out the form and the prefill.
pub async fn open(state: &AppState, link_id: &str, request: &SignedLinkOpen) -> Result<LinkView> {
    let row = state.store.link(link_id).await?.ok_or(Error::NotFound("link"))?;
    if request.open.link != link_id || request.open.v != 1 {
        return Err(Error::BadRequest("the request is for another link".into()));
    }
    let key = formseal_model::signed::parse_public_key(&row.public_key)?;
    request.verify(&key).map_err(|_| Error::Forbidden)?;
    let time = DateTime::parse_from_rfc3339(&request.open.time)
        .map_err(|_| Error::BadRequest("time must be an RFC 3339 time".into()))?;
    if (time.timestamp_millis() - now_ms()).abs() > OPEN_SKEW_MS {
        return Err(Error::BadRequest("the device's clock is more than 10 minutes off; please correct it".into()));
    }
    if let Some(why) = closed(&row, Utc::now()) {
        return Err(Error::LinkClosed(why));
    }
    // The answer holds the prefill (personal data): a captured request must not get
    // it a second time. The page signs a fresh one at every load.
    let seen = formseal_model::b64_encode(&formseal_model::digest(request.signature.as_bytes()));
    if !state.store.first_link_open(&seen, time.timestamp_millis() + OPEN_SKEW_MS).await? {
        return Err(Error::Conflict("this link was opened with this request already; please reload the page".into()));
    }
    let form = forms::current(state, &row.form_id).await?;
    let prefill = state.store.link_prefill(link_id).await?;
    if state.store.mark_link_opened(link_id).await? {
        audit::record(state, "link holder", Action::LinkOpened, link_id, &row.form_id).await?;
    }
    let (prefill, locked) = match prefill {
        Some(p) => (serde_json::from_value(p.answers).unwrap_or_default(), p.locked),
        None => (Answers::new(), Vec::new()),
    };
    Ok(LinkView { link: row.link_id, form, prefill, locked, expires_at: row.expires_at, single_use: row.single_use })
}

/// For the link page's shell: the link's form and whether it is still open.
pub async fn page_state(state: &AppState, link_id: &str) -> Result<(LinkRow, Option<LinkClosed>)> {
    let row = state.store.link(link_id).await?.ok_or(Error::NotFound("link"))?;
    let why = closed(&row, Utc::now());
    Ok((row, why))
}

/// Checks a submission signed for link `link_id` before it is stored: the link
/// belongs to the form, the envelope is signed with the link's key, the link is
/// open, and locked prefill answers are unchanged.
pub async fn check_submission(
    state: &AppState,
    form_id: &str,
    link_id: &str,
    public_key: &str,
    answers: &Answers,
) -> Result<()> {
    let row = state.store.link(link_id).await?.ok_or(Error::NotFound("link"))?;
    if row.form_id != form_id {
        return Err(Error::BadRequest("the personal link is for another form".into()));
    }
    if row.public_key != public_key {
        return Err(Error::BadRequest("the envelope names a personal link but is not signed with its key".into()));
    }
    if let Some(why) = closed(&row, Utc::now()) {
        return Err(Error::LinkClosed(why));
    }
    if let Some(prefill) = state.store.link_prefill(link_id).await? {
        let values: Answers = serde_json::from_value(prefill.answers).unwrap_or_default();
        check_locked(&values, &prefill.locked, answers).map_err(Error::Validation)?;
    }
    Ok(())
}

/// The general link of a form (no prefill, no personal key): `/f/form/<id>`.
pub fn form_url(state: &AppState, form_id: &str) -> String {
    format!("{}/f/form/{form_id}", state.config.public_url)
}

/// Deletes prefill values whose link expired, and the reminders (with the sealed
/// secrets) of expired links (the retention sweep calls this).
pub async fn erase_expired_prefill(state: &AppState) -> Result<u64> {
    let reminders = state.store.forget_expired_reminders().await?;
    Ok(state.store.erase_expired_prefill().await? + reminders)
}
