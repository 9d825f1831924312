//! Personal links: `/f/<link id>#<secret>`. Each link has its own ed25519 key; the
//! server stores only the public key, and the secret is handed out once, in the
//! URL, at creation (and in the bulk CSV). The link page proves it holds the
//! secret by signing the request to open the link and the submission envelope.
//!
//! Prefill values are personal data: they live in `link_prefill`, are deleted when
//! the link expires, is revoked, or (single use) is used.

use chrono::{DateTime, Utc};
use ed25519_dalek::SigningKey;
use formseal_model::link::{LinkView, SignedLinkOpen, check_locked, public_key_of, secret_of};
use formseal_model::{Answers, FieldError, FieldKind, FormDef, Problem, ValidationContext, check_field, normalize};
use serde::Serialize;
use serde_json::Value;

use crate::audit::{self, action};
use crate::error::{Error, LinkClosed, Result};
use crate::permissions::{Operator, Permission};
use crate::state::AppState;
use crate::store::{LinkRow, NewLink};
use crate::time::{now_ms, rfc3339_ms};
use crate::{forms, random};

/// Longest a link may stay open.
pub const MAX_DAYS: u32 = 366;
/// Most links one CSV may create.
pub const MAX_ROWS: usize = 5000;
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
        FieldKind::Consent { .. } | FieldKind::Signature { .. } | FieldKind::Heading | FieldKind::Paragraph { .. } => {
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
async fn linkable_form(state: &AppState, operator: &Operator, form_id: &str) -> Result<FormDef> {
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
    audit::record(state, &operator.username, action::LINK_CREATED, &created.link_id, &format!("{form_id}: {detail}"))
        .await?;
    state.store.create_links(std::slice::from_ref(&row)).await?;
    Ok(created)
}

/// One data row of a bulk CSV, checked.
#[derive(Debug, Clone, Serialize)]
pub struct CsvRow {
    /// The row's number in the file as a spreadsheet shows it (the header is 1).
    pub row: usize,
    pub label: Option<String>,
    pub note: Option<String>,
    pub prefill: Answers,
    /// Problems, each a sentence naming the column.
    pub errors: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CsvPreview {
    pub columns: Vec<String>,
    pub rows: Vec<CsvRow>,
    /// Problems with the file as a whole (no header, unknown columns, too many rows).
    pub errors: Vec<String>,
}

impl CsvPreview {
    pub fn is_clean(&self) -> bool {
        self.errors.is_empty() && self.rows.iter().all(|r| r.errors.is_empty()) && !self.rows.is_empty()
    }

    /// Every problem, as lines naming the row.
    pub fn problems(&self) -> Vec<String> {
        let mut all = self.errors.clone();
        for row in &self.rows {
            all.extend(row.errors.iter().map(|e| format!("row {}: {e}", row.row)));
        }
        if all.is_empty() && self.rows.is_empty() {
            all.push("the file has no data rows".into());
        }
        all
    }
}

/// Reads a bulk CSV: a header row naming form fields (plus optional `label` and
/// `note` columns), then one row per customer. Comma or semicolon separated
/// (whichever the header uses). Never panics, whatever the input.
pub fn parse_csv(text: &str, form: &FormDef, locked: &[String], single_use: bool, days: u32) -> CsvPreview {
    let text = text.trim_start_matches('\u{feff}');
    let header_line = text.lines().next().unwrap_or("");
    let delimiter = if header_line.matches(';').count() > header_line.matches(',').count() { ';' } else { ',' };
    let mut records = csv_records(text, delimiter).into_iter();
    let mut preview = CsvPreview { columns: Vec::new(), rows: Vec::new(), errors: Vec::new() };
    match records.next() {
        Some(Ok(headers)) => preview.columns = headers.iter().map(|h| h.trim().to_owned()).collect(),
        Some(Err(e)) => {
            preview.errors.push(format!("the header row cannot be read: {e}"));
            return preview;
        }
        None => {}
    }
    if preview.columns.iter().all(String::is_empty) {
        preview.errors.push("the first row must name the columns (form fields, label, note)".into());
        return preview;
    }
    for (i, column) in preview.columns.iter().enumerate() {
        let known =
            matches!(column.as_str(), "label" | "note") || form.field(column).is_some_and(|f| !f.kind.is_static());
        if !known {
            preview.errors.push(format!("column {} ({column:?}) is not a field of this form", i + 1));
        }
        if preview.columns[..i].contains(column) {
            preview.errors.push(format!("column {column:?} appears twice"));
        }
    }
    let ctx = ValidationContext { today: Utc::now().date_naive(), slack_days: 1 };
    for (n, record) in records.enumerate() {
        let row_number = n + 2;
        if preview.rows.len() >= MAX_ROWS {
            preview.errors.push(format!("at most {MAX_ROWS} rows per file"));
            break;
        }
        let mut row = CsvRow { row: row_number, label: None, note: None, prefill: Answers::new(), errors: Vec::new() };
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                row.errors.push(format!("cannot be read: {e}"));
                preview.rows.push(row);
                continue;
            }
        };
        if record.iter().all(|c: &String| c.trim().is_empty()) {
            continue; // blank lines at the end of spreadsheets
        }
        if record.len() != preview.columns.len() {
            row.errors.push(format!("has {} cells, the header {}", record.len(), preview.columns.len()));
        }
        for (column, cell) in preview.columns.iter().zip(record.iter()) {
            let cell = cell.trim();
            match column.as_str() {
                "label" => row.label = Some(cell.to_owned()).filter(|c| !c.is_empty()),
                "note" => row.note = Some(cell.to_owned()).filter(|c| !c.is_empty()),
                key => {
                    let Some(field) = form.field(key) else { continue };
                    if cell.is_empty() {
                        continue;
                    }
                    match prefill_value(&field.kind, cell) {
                        Ok(value) => {
                            row.prefill.insert(key.to_owned(), value);
                        }
                        Err(problem) => row.errors.push(format!("{key}: {}", problem.message("en"))),
                    }
                }
            }
        }
        // As the form does before signing: trimmed text, phone numbers in E.164.
        normalize(form, &mut row.prefill);
        let mut wrong = Vec::new();
        for (key, value) in &row.prefill {
            if let Some(Err(problem)) = form.field(key).map(|f| check_field(f, Some(value), &ctx)) {
                row.errors.push(format!("{key}: {}", problem.message("en")));
                wrong.push(key.clone());
            }
        }
        row.prefill.retain(|k, _| !wrong.contains(k));
        let spec = LinkSpec {
            label: row.label.clone(),
            note: row.note.clone(),
            prefill: row.prefill.clone(),
            locked: locked.iter().filter(|k| row.prefill.contains_key(*k)).cloned().collect(),
            single_use,
            days,
        };
        if let Err(problems) = check_spec(form, &spec) {
            for p in problems {
                let text = format!("{}: {}", p.field, p.problem.message("en"));
                if !row.errors.iter().any(|e| e.starts_with(&format!("{}:", p.field))) {
                    row.errors.push(text);
                }
            }
        }
        preview.rows.push(row);
    }
    preview
}

/// The records of a CSV text (RFC 4180: cells separated by `delimiter`, records by
/// a line break, cells in double quotes may hold delimiters, line breaks and `""`
/// for a quote). A record whose quoted cell is never closed is an error; a quote
/// inside an unquoted cell is taken as it is. Total: any input gives an answer.
pub fn csv_records(text: &str, delimiter: char) -> Vec<Result<Vec<String>, String>> {
    let mut records = Vec::new();
    let mut record: Vec<String> = Vec::new();
    let mut cell = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    let mut started = false; // something was read for the current record
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    cell.push('"');
                } else {
                    quoted = false;
                }
            } else {
                cell.push(c);
            }
            continue;
        }
        match c {
            '"' if cell.is_empty() => {
                quoted = true;
                started = true;
            }
            c if c == delimiter => {
                record.push(std::mem::take(&mut cell));
                started = true;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => {
                record.push(std::mem::take(&mut cell));
                records.push(Ok(std::mem::take(&mut record)));
                started = false;
            }
            c => {
                cell.push(c);
                started = true;
            }
        }
    }
    if quoted {
        records.push(Err("a quoted cell is not closed".to_owned()));
    } else if started || !cell.is_empty() {
        record.push(cell);
        records.push(Ok(record));
    }
    records
}

/// Settings that apply to every link of one CSV.
#[derive(Debug, Clone)]
pub struct BulkSettings {
    pub locked: Vec<String>,
    pub single_use: bool,
    pub days: u32,
}

/// Checks a CSV without creating anything.
pub async fn preview_csv(
    state: &AppState,
    operator: &Operator,
    form_id: &str,
    text: &str,
    settings: &BulkSettings,
) -> Result<CsvPreview> {
    let form = linkable_form(state, operator, form_id).await?;
    Ok(parse_csv(text, &form, &settings.locked, settings.single_use, settings.days))
}

/// Creates one link per CSV row, all or none: any problem in any row refuses the
/// whole file (naming the rows), and the links are written in one transaction.
pub async fn import_csv(
    state: &AppState,
    operator: &Operator,
    form_id: &str,
    text: &str,
    settings: &BulkSettings,
) -> Result<Vec<CreatedLink>> {
    let form = linkable_form(state, operator, form_id).await?;
    let preview = parse_csv(text, &form, &settings.locked, settings.single_use, settings.days);
    if !preview.is_clean() {
        let problems = preview.problems();
        let shown: Vec<String> = problems.iter().take(20).cloned().collect();
        let more = problems.len().saturating_sub(shown.len());
        let tail = if more > 0 { format!("; and {more} more") } else { String::new() };
        return Err(Error::BadRequest(format!("nothing was created: {}{tail}", shown.join("; "))));
    }
    let batch = uuid::Uuid::now_v7().to_string();
    let mut rows = Vec::with_capacity(preview.rows.len());
    let mut created = Vec::with_capacity(preview.rows.len());
    for r in preview.rows {
        let spec = LinkSpec {
            locked: settings.locked.iter().filter(|k| r.prefill.contains_key(*k)).cloned().collect(),
            label: r.label,
            note: r.note,
            prefill: r.prefill,
            single_use: settings.single_use,
            days: settings.days,
        };
        let (row, link) = new_link(state, operator, form_id, spec, Some(&batch))?;
        rows.push(row);
        created.push(link);
    }
    audit::record(
        state,
        &operator.username,
        action::LINKS_IMPORTED,
        &batch,
        &format!("{form_id}: {} links from CSV", created.len()),
    )
    .await?;
    state.store.create_links(&rows).await?;
    Ok(created)
}

/// The download after a bulk import: one row per link, with its secret URL.
pub fn links_csv(created: &[CreatedLink]) -> String {
    let cell = |text: &str| {
        if text.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", text.replace('"', "\"\""))
        } else {
            text.to_owned()
        }
    };
    let mut out = String::from("label,link_id,url,expires_at\r\n");
    for link in created {
        let row = [link.label.as_deref().unwrap_or(""), &link.link_id, &link.url, &link.expires_at];
        out.push_str(&row.iter().map(|c| cell(c)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
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
}

/// A form's links, optionally only those in one status.
pub async fn list(
    state: &AppState,
    operator: &Operator,
    form_id: &str,
    only: Option<LinkStatus>,
) -> Result<Vec<LinkInfo>> {
    operator.form_access(form_id)?;
    let now = Utc::now();
    let rows = state.store.links_of_form(form_id).await?;
    Ok(rows
        .into_iter()
        .map(|r| LinkInfo {
            status: status(&r, now),
            link_id: r.link_id,
            label: r.label,
            note: r.note,
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
    audit::record(state, &operator.username, action::LINK_REVOKED, link_id, &row.form_id).await?;
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
        action::LINK_EXTENDED,
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
    let form = forms::current(state, &row.form_id).await?;
    let prefill = state.store.link_prefill(link_id).await?;
    if state.store.mark_link_opened(link_id).await? {
        audit::record(state, "link holder", action::LINK_OPENED, link_id, &row.form_id).await?;
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

/// A QR code of `url` as SVG.
pub fn qr_svg(url: &str) -> Result<String> {
    let code = qrcode::QrCode::new(url.as_bytes()).map_err(|e| Error::Internal(format!("QR code: {e}")))?;
    Ok(code.render::<qrcode::render::svg::Color>().min_dimensions(240, 240).quiet_zone(true).build())
}

/// A QR code of `url` as PNG (8 pixels a module, with the quiet zone).
pub fn qr_png(url: &str) -> Result<Vec<u8>> {
    let code = qrcode::QrCode::new(url.as_bytes()).map_err(|e| Error::Internal(format!("QR code: {e}")))?;
    let (modules, scale, quiet) = (code.width(), 8usize, 4usize);
    let size = (modules + 2 * quiet) * scale;
    let colors = code.to_colors();
    let mut pixels = vec![255u8; size * size];
    for (i, color) in colors.iter().enumerate() {
        if *color != qrcode::Color::Dark {
            continue;
        }
        let (mx, my) = (i % modules + quiet, i / modules + quiet);
        for y in my * scale..(my + 1) * scale {
            pixels[y * size + mx * scale..y * size + (mx + 1) * scale].fill(0);
        }
    }
    Ok(png_grayscale(size, size, &pixels))
}

/// A grayscale PNG (8 bits, no compression: QR codes are small and the file is a
/// download, not page weight).
fn png_grayscale(width: usize, height: usize, pixels: &[u8]) -> Vec<u8> {
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xffff_ffffu32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 != 0 { (crc >> 1) ^ 0xedb8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let start = out.len();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let crc = crc32(&out[start..]);
        out.extend_from_slice(&crc.to_be_bytes());
    }
    // Scanlines, each with filter type 0.
    let mut raw = Vec::with_capacity((width + 1) * height);
    for row in pixels.chunks(width).take(height) {
        raw.push(0);
        raw.extend_from_slice(row);
    }
    // zlib: header, stored deflate blocks, Adler-32.
    let mut z = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = raw.chunks(65_535).collect();
    for (i, block) in blocks.iter().enumerate() {
        z.push(u8::from(i + 1 == blocks.len()));
        let len = block.len() as u16;
        z.extend_from_slice(&len.to_le_bytes());
        z.extend_from_slice(&(!len).to_le_bytes());
        z.extend_from_slice(block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in &raw {
        a = (a + u32::from(byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    z.extend_from_slice(&((b << 16) | a).to_be_bytes());

    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut header = Vec::with_capacity(13);
    header.extend_from_slice(&(width as u32).to_be_bytes());
    header.extend_from_slice(&(height as u32).to_be_bytes());
    header.extend_from_slice(&[8, 0, 0, 0, 0]); // 8 bits, grayscale, deflate, no filter, no interlace
    chunk(&mut out, b"IHDR", &header);
    chunk(&mut out, b"IDAT", &z);
    chunk(&mut out, b"IEND", &[]);
    out
}

/// A `data:` URL (base64) for a download made on the server.
pub fn data_url(mime: &str, bytes: &[u8]) -> String {
    use base64::Engine as _;
    format!("data:{mime};base64,{}", base64::engine::general_purpose::STANDARD.encode(bytes))
}

/// The general link of a form (no prefill, no personal key): `/f/form/<id>`.
pub fn form_url(state: &AppState, form_id: &str) -> String {
    format!("{}/f/form/{form_id}", state.config.public_url)
}

/// Deletes prefill values whose link expired (the retention sweep calls this).
pub async fn erase_expired_prefill(state: &AppState) -> Result<u64> {
    state.store.erase_expired_prefill().await
}

#[cfg(test)]
mod tests {
    use super::*;
    use formseal_model::demo::contact_tracing;

    #[test]
    fn csv_rows_are_numbered_as_a_spreadsheet_shows_them() {
        let form = contact_tracing();
        let text = "label,name,phone\nA,Ada Lovelace,+49301234567\nB,Bea,12\n,,\n\"C, quoted\",\"Carl \"\"Benz\"\"\",+4930111111\n";
        let preview = parse_csv(text, &form, &[], true, 30);
        assert!(preview.errors.is_empty(), "{:?}", preview.errors);
        let rows: Vec<(usize, usize)> = preview.rows.iter().map(|r| (r.row, r.errors.len())).collect();
        assert_eq!(rows, vec![(2, 0), (3, 1), (5, 0)]);
        assert!(preview.rows[1].errors[0].starts_with("phone:"), "{:?}", preview.rows[1].errors);
        assert_eq!(preview.rows[2].label.as_deref(), Some("C, quoted"));
        assert_eq!(preview.rows[2].prefill["name"], "Carl \"Benz\"");
        assert!(!preview.is_clean());
        let problems = preview.problems();
        assert_eq!(problems, vec![format!("row 3: {}", preview.rows[1].errors[0])]);
    }

    #[test]
    fn unknown_columns_are_problems_and_empty_locked_cells_are_simply_not_prefilled() {
        let form = contact_tracing();
        let preview = parse_csv("label,shoe\nA,44\n", &form, &[], true, 30);
        assert_eq!(preview.errors.len(), 1);
        let preview = parse_csv("label,name\nA,\n", &form, &["name".into()], true, 30);
        assert!(preview.rows[0].errors.is_empty() && preview.rows[0].prefill.is_empty(), "{:?}", preview.rows);
        assert!(parse_csv("", &form, &[], true, 30).problems().len() == 1);
    }

    #[test]
    fn qr_codes_render_as_svg_and_png() {
        let svg = qr_svg("https://forms.example.com/f/abc#secret").unwrap();
        assert!(svg.starts_with("<?xml") || svg.contains("<svg"));
        let png = qr_png("https://forms.example.com/f/abc#secret").unwrap();
        assert_eq!(&png[1..4], b"PNG");
        assert!(data_url("image/png", &png).starts_with("data:image/png;base64,iVBOR"));
    }

    proptest::proptest! {
        // The CSV reader is total: whatever bytes arrive, it answers, never panics.
        #[test]
        fn csv_parsing_never_panics(text in "\\PC*", header in proptest::sample::select(vec![
            "label,name,phone", "name;phone;visit_date", "", "label", "\"a,b\",name",
        ])) {
            let form = contact_tracing();
            let input = format!("{header}\n{text}");
            let _ = parse_csv(&input, &form, &["name".to_owned()], true, 30);
            let _ = parse_csv(&text, &form, &[], false, 0);
        }

        #[test]
        fn csv_parsing_never_panics_on_structured_rows(rows in proptest::collection::vec(
            proptest::collection::vec("[a-z0-9 ,;\"\\n+.-]{0,12}", 0..5), 0..8)) {
            let form = contact_tracing();
            let body: Vec<String> = rows.iter().map(|r| r.join(",")).collect();
            let input = format!("label,name,phone,note\n{}", body.join("\n"));
            let preview = parse_csv(&input, &form, &[], true, 30);
            let _ = preview.problems();
        }
    }
}
