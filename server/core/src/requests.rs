//! Data-subject requests: the register (who asked, when, the one-month due date,
//! the identity check, the status), finding the person across every form through
//! the person index, the review of each hit, the access report (Art. 15), erasure
//! (Art. 17) and rectification (Art. 16). Only operators with
//! [`Permission::HandleRequests`] (owner, DPO) do any of it, and all of it is
//! audited, without personal values in the audit log.

use chrono::{Months, NaiveDate};
use formseal_model::access_report::{
    AccessReport, Deletion, ReportAnswer, ReportCorrection, ReportEntry, RequestSummary,
};
use formseal_model::correction::{Correction, SignedCorrection};
use formseal_model::person::{self, KeyKind};
use formseal_model::reader::{self, FormAccess};
use formseal_model::{Answers, FieldError, Lang, ValidationContext, check_field};
use serde_json::Value;

use crate::audit::{self, Action};
use crate::error::{Error, Result};
use crate::permissions::{Operator, Permission};
use crate::person_index;
use crate::state::AppState;
use crate::store::{NewRequest, RequestRow};
use crate::time::{now_ms, rfc3339_ms};

pub const STATUSES: [&str; 3] = ["received", "in_review", "answered"];

/// What the operator writes into the register.
#[derive(Clone, Debug, Default)]
pub struct RequestInput {
    pub requester: String,
    pub contact: String,
    /// `YYYY-MM-DD`.
    pub received_on: String,
    pub identity_check: String,
}

/// What a search looks for; empty fields are ignored.
#[derive(Clone, Debug, Default)]
pub struct Criteria {
    pub email: String,
    pub phone: String,
    pub name: String,
    pub birth_date: String,
}

/// What an erasure did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Erasure {
    pub erased: u64,
    /// Deleted before (retention or an earlier erasure).
    pub already: u64,
    /// Kept because of a legal hold (Art. 17 (3)); submission ids.
    pub held: Vec<String>,
}

fn text(value: &str, what: &str, max: usize, required: bool) -> Result<String> {
    let v = value.trim();
    if required && v.is_empty() {
        return Err(Error::BadRequest(format!("{what} is required")));
    }
    if v.chars().count() > max {
        return Err(Error::BadRequest(format!("{what} is longer than {max} characters")));
    }
    Ok(v.to_owned())
}

/// The date a request is due: one month after it arrived (Art. 12 (3)).
pub fn due_on(received: NaiveDate) -> NaiveDate {
    received.checked_add_months(Months::new(1)).unwrap_or(received)
}

pub async fn register(state: &AppState, by: &Operator, input: &RequestInput) -> Result<String> {
    by.require(Permission::HandleRequests)?;
    let requester = text(&input.requester, "who asked", 200, true)?;
    let contact = text(&input.contact, "the contact", 200, false)?;
    let identity_check = text(&input.identity_check, "the identity check", 1000, false)?;
    let received = NaiveDate::parse_from_str(input.received_on.trim(), "%Y-%m-%d")
        .map_err(|_| Error::BadRequest("the date received must be a date (YYYY-MM-DD)".into()))?;
    let today = chrono::Utc::now().date_naive();
    if received > today + chrono::Days::new(1) {
        return Err(Error::BadRequest("the date received lies in the future".into()));
    }
    let request_id = uuid::Uuid::now_v7().to_string();
    let row = NewRequest {
        request_id: request_id.clone(),
        requester,
        contact,
        received_on: received.to_string(),
        due_on: due_on(received).to_string(),
        identity_check,
        created_by: by.username.clone(),
        created_ms: now_ms(),
    };
    state.store.create_request(&row).await?;
    audit::record(state, &by.username, Action::RequestRegistered, &request_id, &format!("due {}", row.due_on)).await?;
    Ok(request_id)
}

pub async fn list(state: &AppState, by: &Operator) -> Result<Vec<RequestRow>> {
    by.require(Permission::HandleRequests)?;
    state.store.requests().await
}

pub async fn get(state: &AppState, by: &Operator, request_id: &str) -> Result<RequestRow> {
    by.require(Permission::HandleRequests)?;
    state.store.request(request_id).await?.ok_or(Error::NotFound("request"))
}

pub async fn set_status(state: &AppState, by: &Operator, request_id: &str, status: &str) -> Result<()> {
    by.require(Permission::HandleRequests)?;
    if !STATUSES.contains(&status) {
        return Err(Error::BadRequest(format!("the status must be one of {}", STATUSES.join(", "))));
    }
    if !state.store.set_request_status(request_id, status, &by.username, now_ms()).await? {
        return Err(Error::NotFound("request"));
    }
    audit::record(state, &by.username, Action::RequestStatus, request_id, status).await
}

/// Finds the person in every form and version; returns how many submissions the
/// request now lists. Hits found before keep their review decisions.
pub async fn search(state: &AppState, by: &Operator, request_id: &str, criteria: &Criteria) -> Result<usize> {
    get(state, by, request_id).await?;
    let phone = criteria.phone.trim();
    if !phone.is_empty() && !formseal_model::phone::normalize_phone(phone, None).starts_with('+') {
        return Err(Error::BadRequest("give the phone number with its country code, e.g. +49 171 2345678".into()));
    }
    if !criteria.name.trim().is_empty() && criteria.birth_date.trim().is_empty() {
        return Err(Error::BadRequest("a name is searched together with a birth date".into()));
    }
    let keys = person::lookup_keys(&criteria.email, phone, &criteria.name, &criteria.birth_date, None);
    if keys.is_empty() {
        return Err(Error::BadRequest("give an e-mail address, a phone number, or a name with a birth date".into()));
    }
    let tokens = person_index::tokens(&state.keys, &keys)?;
    let found = state.store.submissions_by_tokens(&tokens).await?;
    let mut kinds: Vec<&str> = keys.iter().map(|k| k.kind.as_str()).collect();
    kinds.dedup();
    let searched = kinds.join(", ");
    state.store.add_hits(request_id, &found, &searched).await?;
    let total = state.store.hits(request_id).await?.len();
    let detail = format!("by {searched}: {} found, {total} listed", found.len());
    audit::record(state, &by.username, Action::RequestSearched, request_id, &detail).await?;
    Ok(total)
}

/// Includes or excludes one hit, with a note.
pub async fn decide(
    state: &AppState,
    by: &Operator,
    request_id: &str,
    submission_id: &str,
    include: bool,
    note: &str,
) -> Result<()> {
    get(state, by, request_id).await?;
    let note = text(note, "the note", 1000, false)?;
    if !state.store.decide_hit(request_id, submission_id, include, &note).await? {
        return Err(Error::NotFound("hit"));
    }
    let what = if include { "included" } else { "excluded" };
    audit::record(state, &by.username, Action::RequestReviewed, request_id, &format!("{submission_id} {what}")).await
}

/// Every hit of a request with what the review and the report show, in `lang`.
pub async fn entries(state: &AppState, by: &Operator, request_id: &str, lang: &str) -> Result<Vec<ReportEntry>> {
    get(state, by, request_id).await?;
    load_entries(state, request_id, lang).await
}

/// The hits of a request the caller already checked access to.
async fn load_entries(state: &AppState, request_id: &str, lang: &str) -> Result<Vec<ReportEntry>> {
    let mut entries = Vec::new();
    // Hits of one form share their recipients: ask once per form.
    let mut recipients: std::collections::HashMap<String, Vec<String>> = std::collections::HashMap::new();
    for hit in state.store.hits(request_id).await? {
        if !recipients.contains_key(&hit.form_id) {
            recipients.insert(hit.form_id.clone(), state.store.partners_of(&hit.form_id).await?);
        }
        let checked = crate::submissions::checked(state, &hit.submission_id).await?;
        let version = crate::forms::version(state, &hit.form_id, &checked.row.version).await?;
        let def = &version.definition;
        let label = |key: &str| def.field(key).map_or(key.to_owned(), |f| f.label.get(lang).to_owned());
        // The person asking is the one the answers are about: the full view, the same
        // projection the console and the exports use.
        let stored = reader::envelope_answers(checked.row.envelope.as_ref());
        let answers: Vec<ReportAnswer> = reader::answers(Some(def), stored, FormAccess::Full, Some(lang))
            .into_iter()
            .map(|a| ReportAnswer { key: a.key, label: a.label, value: a.value })
            .collect();
        let mut corrections = Vec::new();
        for (signed, valid) in crate::submissions::corrections(state, &checked.row).await? {
            let c = signed.correction;
            corrections.push(ReportCorrection {
                label: label(&c.field),
                value: formseal_model::answer::answer_text(def.field(&c.field).map(|f| &f.kind), &c.value),
                key: c.field,
                reason: c.reason,
                at: c.corrected_at,
                valid,
            });
        }
        entries.push(ReportEntry {
            submission: hit.submission_id.clone(),
            form: hit.form_id.clone(),
            form_title: def.title.get(lang).to_owned(),
            controller: def.notice.controller.clone(),
            purpose: def.notice.purpose.get(lang).to_owned(),
            legal_basis: def.notice.legal_basis.label(lang).to_owned(),
            retention_days: def.notice.retention_days,
            collected_at: checked.receipt.receipt.received_at.clone(),
            recipients: recipients.get(&hit.form_id).cloned().unwrap_or_default(),
            signature_valid: checked.signature_valid,
            receipt_valid: checked.receipt_valid,
            deleted: checked
                .deleted
                .as_ref()
                .map(|(t, _)| Deletion { at: t.tombstone.deleted_at.clone(), reason: t.tombstone.reason.clone() }),
            answers,
            corrections,
            include: hit.include,
            note: hit.note,
        });
    }
    Ok(entries)
}

/// The access report: the included hits only. Producing it is audited.
pub async fn report(state: &AppState, by: &Operator, request_id: &str, lang: &str) -> Result<AccessReport> {
    let lang = Lang::parse(lang).tag();
    let request = get(state, by, request_id).await?;
    let entries: Vec<ReportEntry> =
        load_entries(state, request_id, lang).await?.into_iter().filter(|e| e.include).collect();
    let detail = format!("{lang}, {} entries", entries.len());
    audit::record(state, &by.username, Action::RequestReported, request_id, &detail).await?;
    Ok(AccessReport {
        v: 1,
        lang: lang.to_owned(),
        request: RequestSummary {
            id: request.request_id,
            requester: request.requester,
            received_on: request.received_on,
            due_on: request.due_on,
        },
        produced_at: rfc3339_ms(now_ms()),
        produced_by: by.username.clone(),
        entries,
    })
}

/// Deletes the answers of every included hit as retention does, with a tombstone
/// naming the request. Submissions under a legal hold are kept and listed.
pub async fn erase(state: &AppState, by: &Operator, request_id: &str) -> Result<Erasure> {
    get(state, by, request_id).await?;
    let mut outcome = Erasure::default();
    let mut announcements = crate::messages::webhooks::DeletionNotices::default();
    for hit in state.store.hits(request_id).await?.into_iter().filter(|h| h.include) {
        let Some(row) = state.store.erasable(&hit.submission_id).await? else {
            outcome.already += 1;
            continue;
        };
        if row.held {
            outcome.held.push(row.submission_id);
            continue;
        }
        let value = crate::retention::tombstone(
            state,
            &row.submission_id,
            &row.form_id,
            &row.envelope_digest,
            Some(request_id),
        )?;
        let messages = announcements.messages(state, &row.form_id, &value, &by.username).await?;
        if state.store.erase_payload(&row.submission_id, &value, &messages).await? {
            outcome.erased += 1;
            if !messages.is_empty() {
                state.outbox_wake.notify_one();
            }
            audit::record(state, &by.username, Action::Erased, &row.submission_id, &format!("request {request_id}"))
                .await?;
        } else {
            outcome.already += 1;
        }
    }
    Ok(outcome)
}

/// Records the corrected value of one answer, signed by the instance key and
/// linked to the original envelope, which stays as the visitor signed it. The
/// person index learns the corrected value too.
pub async fn rectify(
    state: &AppState,
    by: &Operator,
    request_id: &str,
    submission_id: &str,
    field_key: &str,
    value: &str,
    reason: &str,
) -> Result<()> {
    get(state, by, request_id).await?;
    if !state.store.hits(request_id).await?.iter().any(|h| h.submission_id == submission_id) {
        return Err(Error::NotFound("hit"));
    }
    let reason = text(reason, "the reason", 500, true)?;
    let row = state.store.submission(submission_id).await?.ok_or(Error::NotFound("submission"))?;
    let Some(envelope) = row.envelope.as_ref() else {
        return Err(Error::Conflict("the answers of this submission were deleted".into()));
    };
    let version = crate::forms::version(state, &row.form_id, &row.version).await?;
    let def = &version.definition;
    let field = def
        .field(field_key)
        .filter(|f| !f.kind.is_static())
        .ok_or_else(|| Error::BadRequest(format!("the form has no answer {field_key:?}")))?;
    let mut one: Answers = Answers::new();
    one.insert(field.key.clone(), Value::String(value.trim().to_owned()));
    formseal_model::normalize(def, &mut one);
    let corrected = one.remove(&field.key).unwrap_or(Value::Null);
    let ctx = ValidationContext { today: chrono::Utc::now().date_naive(), slack_days: 1 };
    check_field(field, Some(&corrected), &ctx)
        .map_err(|problem| Error::Validation(vec![FieldError { field: field.key.clone(), problem }]))?;
    let key = state.keys.active();
    let correction = Correction {
        v: 1,
        submission: row.submission_id.clone(),
        form: row.form_id.clone(),
        envelope: row.envelope_digest.clone(),
        field: field.key.clone(),
        value: corrected.clone(),
        reason,
        request: Some(request_id.to_owned()),
        corrected_at: rfc3339_ms(now_ms()),
    };
    let signed = SignedCorrection::sign(correction, &key.id, key.signing_key())?;
    let value = serde_json::to_value(&signed).map_err(|e| Error::Internal(e.to_string()))?;
    if !state.store.add_correction(submission_id, &value, now_ms()).await? {
        return Err(Error::Conflict("the answers of this submission were deleted".into()));
    }
    // Findable by the old and the corrected value: both are held now.
    let mut answers: Answers =
        envelope.get("answers").and_then(|a| serde_json::from_value(a.clone()).ok()).unwrap_or_default();
    let mut keys = person::keys_of(def, &answers);
    answers.insert(field.key.clone(), corrected);
    keys.extend(person::keys_of(def, &answers));
    let tokens = person_index::tokens(&state.keys, &keys)?;
    state.store.set_indexed(submission_id, &row.form_id, &tokens).await?;
    let detail = format!("request {request_id}, answer {}", field.key);
    audit::record(state, &by.username, Action::Rectified, submission_id, &detail).await
}

/// Gives submissions stored before the person index existed their tokens.
pub async fn index_backlog(state: &AppState) -> Result<u64> {
    let mut done = 0;
    loop {
        let rows = state.store.unindexed(200).await?;
        if rows.is_empty() {
            return Ok(done);
        }
        for (submission_id, form_id, version, envelope) in rows {
            let keys = match crate::forms::version(state, &form_id, &version).await {
                Ok(v) => {
                    let answers: Answers = envelope
                        .get("answers")
                        .and_then(|a| serde_json::from_value(a.clone()).ok())
                        .unwrap_or_default();
                    person::keys_of(&v.definition, &answers)
                }
                Err(_) => Vec::new(),
            };
            let tokens = person_index::tokens(&state.keys, &keys)?;
            state.store.set_indexed(&submission_id, &form_id, &tokens).await?;
            done += 1;
        }
    }
}

/// Which key kinds a search used, for people.
pub fn kind_label(kind: KeyKind) -> &'static str {
    match kind {
        KeyKind::Email => "e-mail",
        KeyKind::Phone => "phone",
        KeyKind::NameBirth => "name and birth date",
    }
}
