//! Exports of one form's submissions: CSV, XLSX and JSON, full or compact, plain or
//! in an AES-256 encrypted ZIP. Who may export what follows the permission matrix:
//! a full export needs full access to the form's personal data
//! ([`Operator::form_access`] = [`FormAccess::Full`]); everyone else who sees the
//! form may take the compact one. Every export is audited with what it contained
//! (form, count, format, compact or not, encrypted or not), never the data.
//!
//! See docs/exports.md.

use std::io::Write as _;
use std::ops::ControlFlow;

use formseal_model::export::{
    ChainHead, Column, EXPORT_FORMAT, ExportDoc, ExportedSubmission, cell_text, columns, compact_answers,
};
use formseal_model::tombstone::SignedTombstone;
use formseal_model::{FormDef, PublishedVersion, SignedReceipt};
use serde_json::Value;

use crate::accounts::Operator;
use crate::audit::{self, Action};
use crate::csv_file::{self, QuoteStyle, neutralise};
use crate::error::{Error, Result};
use crate::permissions::FormAccess;
use crate::state::AppState;
use crate::store::SubmissionRow;
use crate::time::{now_ms, rfc3339_ms};

/// A password for an encrypted export must be at least this long. The console
/// generates 28 characters from a 32-letter alphabet (140 bits).
pub const MIN_PASSWORD_CHARS: usize = 20;
const MAX_PASSWORD_CHARS: usize = 256;

/// Submissions read from the store per query.
const PAGE: u64 = 500;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
    Json,
}

impl Format {
    pub fn parse(text: &str) -> Option<Format> {
        match text {
            "csv" => Some(Format::Csv),
            "xlsx" => Some(Format::Xlsx),
            "json" => Some(Format::Json),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
            Format::Json => "json",
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Json => "application/json",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Format::Csv => "CSV",
            Format::Xlsx => "XLSX",
            Format::Json => "JSON",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Options {
    pub format: Format,
    pub compact: bool,
    /// Encrypts the file into an AES-256 ZIP with this password. The server uses it
    /// for this response only and keeps it nowhere.
    pub password: Option<String>,
}

/// A finished export, ready to send.
pub struct ExportFile {
    pub name: String,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
    pub submissions: u64,
}

impl std::fmt::Debug for ExportFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExportFile").field("name", &self.name).field("bytes", &self.bytes.len()).finish()
    }
}

/// Builds an export for `operator`, audits it and returns the file.
pub async fn export(state: &AppState, operator: &Operator, form_id: &str, options: &Options) -> Result<ExportFile> {
    let access = operator.form_access(form_id)?;
    if access == FormAccess::Compact && !options.compact {
        return Err(Error::Forbidden);
    }
    if let Some(password) = &options.password {
        let chars = password.chars().count();
        if !(MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&chars) {
            return Err(Error::BadRequest(format!(
                "the password of an encrypted export needs {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters"
            )));
        }
    }
    let doc = document(state, form_id, options.compact).await?;
    let count = doc.submissions.len() as u64;
    let deleted = doc.submissions.iter().filter(|s| s.tombstone.is_some()).count();
    let stamp = doc.exported_at.get(..16).unwrap_or("").replace([':', 'T'], "-").replace("--", "-");
    let scope = if options.compact { "-compact" } else { "" };
    let name = format!("{form_id}-{stamp}{scope}.{}", options.format.extension());
    let bytes = match options.format {
        Format::Json => serde_json::to_vec_pretty(&doc).map_err(|e| Error::Internal(e.to_string()))?,
        Format::Csv => to_csv(&table(&doc))?,
        Format::Xlsx => to_xlsx(&table(&doc))?,
    };
    let detail = format!(
        "{count} submissions ({deleted} deleted) as {}, {}, {}",
        options.format.label(),
        if options.compact { "compact" } else { "full" },
        if options.password.is_some() { "encrypted" } else { "not encrypted" }
    );
    audit::record(state, &operator.username, Action::SubmissionsExported, form_id, &detail).await?;
    let file = match &options.password {
        None => ExportFile { name, content_type: options.format.content_type(), bytes, submissions: count },
        Some(password) => ExportFile {
            bytes: encrypted_zip(&name, &bytes, password)?,
            name: format!("{}.zip", name.trim_end_matches(&format!(".{}", options.format.extension()))),
            content_type: "application/zip",
            submissions: count,
        },
    };
    tracing::info!(form = form_id, by = ?operator.username, %detail, "export");
    Ok(file)
}

/// Every published version of a form, newest first.
pub async fn versions(state: &AppState, form_id: &str) -> Result<Vec<PublishedVersion>> {
    state.store.version_rows(form_id).await?.into_iter().map(crate::forms::to_published).collect()
}

/// The JSON export of a form (also the basis of the table exports).
pub async fn document(state: &AppState, form_id: &str, compact: bool) -> Result<ExportDoc> {
    let form = crate::forms::form(state, form_id).await?;
    let versions = versions(state, form_id).await?;
    let definitions: Vec<&FormDef> = versions.iter().map(|v| &v.definition).collect();
    let kept = compact.then(|| columns(&definitions, true));
    let (head_sequence, head_digest) = state.store.chain_head(form_id).await?;
    let mut submissions = Vec::new();
    in_order(state, form_id, kept.as_deref(), |s| {
        submissions.push(s);
        ControlFlow::<()>::Continue(())
    })
    .await?;
    Ok(ExportDoc {
        format: EXPORT_FORMAT.into(),
        form: form_id.to_owned(),
        title: form.title,
        exported_at: rfc3339_ms(now_ms()),
        compact,
        versions,
        submissions,
        head: head_digest.map(|digest| ChainHead { sequence: head_sequence, digest }),
    })
}

/// Hands `f` every submission of the form in chain order, as exported, a page at a
/// time; stops early when `f` says so and returns what it said.
pub(crate) async fn in_order<B>(
    state: &AppState,
    form_id: &str,
    compact: Option<&[Column]>,
    mut f: impl FnMut(ExportedSubmission) -> ControlFlow<B>,
) -> Result<Option<B>> {
    let mut from = 1;
    loop {
        let page = state.store.submissions_in_order(form_id, from, PAGE).await?;
        let done = (page.len() as u64) < PAGE;
        for row in page {
            from = row.sequence + 1;
            if let ControlFlow::Break(b) = f(exported(state, row, compact).await?) {
                return Ok(Some(b));
            }
        }
        if done {
            return Ok(None);
        }
    }
}

/// A stored submission as it appears in an export: in full with its signed
/// envelope, or (`compact` = the columns kept) with the not-personal answers only.
pub async fn exported(state: &AppState, row: SubmissionRow, compact: Option<&[Column]>) -> Result<ExportedSubmission> {
    // Corrections hold personal values: full exports only, and only while the
    // answers are there (they are deleted together).
    let corrections = match (compact, &row.envelope) {
        (None, Some(_)) => crate::submissions::corrections(state, &row).await?.into_iter().map(|(c, _)| c).collect(),
        _ => Vec::new(),
    };
    let receipt: SignedReceipt =
        serde_json::from_value(row.receipt).map_err(|e| Error::Internal(format!("stored receipt: {e}")))?;
    let tombstone: Option<SignedTombstone> = match row.tombstone {
        Some(t) => Some(serde_json::from_value(t).map_err(|e| Error::Internal(format!("stored tombstone: {e}")))?),
        None => None,
    };
    let answers = row.envelope.as_ref().and_then(|e| e.get("answers")).and_then(Value::as_object).cloned();
    let mut out = ExportedSubmission {
        id: row.submission_id,
        sequence: row.sequence,
        received_at: receipt.receipt.received_at.clone(),
        version: row.version,
        answers,
        envelope: None,
        public_key: None,
        signature: None,
        receipt,
        tombstone,
        corrections,
    };
    match compact {
        Some(columns) => out.answers = out.answers.map(|a| compact_answers(&a, columns)),
        None if row.envelope.is_some() => {
            out.envelope = row.envelope;
            out.public_key = Some(row.public_key);
            out.signature = Some(row.signature);
        }
        None => {}
    }
    Ok(out)
}

/// A table export: header and rows of text cells, as they are; the CSV and the
/// XLSX writer each neutralise what they write.
struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

fn table(doc: &ExportDoc) -> Table {
    let definitions: Vec<&FormDef> = doc.versions.iter().map(|v| &v.definition).collect();
    let cols = columns(&definitions, doc.compact);
    let mut header: Vec<String> =
        ["#", "Submission", "Received (UTC)", "Form version", "Status"].into_iter().map(str::to_owned).collect();
    header.extend(cols.iter().map(|c| c.label.clone()));
    let rows = doc
        .submissions
        .iter()
        .map(|s| {
            let status = match &s.tombstone {
                Some(t) => format!("deleted ({}, {})", t.tombstone.reason, t.tombstone.deleted_at),
                None => "held".to_owned(),
            };
            let mut row = vec![s.sequence.to_string(), s.id.clone(), s.received_at.clone(), s.version.clone(), status];
            row.extend(cols.iter().map(|c| {
                s.answers.as_ref().and_then(|a| a.get(&c.key)).map_or(String::new(), |v| cell_text(&c.kind, v))
            }));
            row
        })
        .collect();
    Table { header, rows }
}

/// UTF-8 with a byte-order mark, `;` between cells, CRLF line ends: what Excel in
/// the EU's locales (where `,` is the decimal sign) opens into columns, with
/// umlauts intact. See docs/exports.md.
fn to_csv(table: &Table) -> Result<Vec<u8>> {
    let mut file = csv_file::Writer::new(b"\xEF\xBB\xBF".to_vec(), b';', QuoteStyle::Always);
    file.row(&table.header)?;
    for row in &table.rows {
        file.row(row)?;
    }
    file.finish()
}

/// One sheet, every answer a text cell (a spreadsheet never evaluates it), the
/// header row bold and frozen.
fn to_xlsx(table: &Table) -> Result<Vec<u8>> {
    use rust_xlsxwriter::{Format as Style, Workbook};
    let fail = |e: rust_xlsxwriter::XlsxError| Error::Internal(format!("xlsx: {e}"));
    let mut book = Workbook::new();
    let bold = Style::new().set_bold();
    let sheet = book.add_worksheet();
    sheet.set_name("Submissions").map_err(fail)?;
    for (c, text) in table.header.iter().enumerate() {
        let col = u16::try_from(c).map_err(|_| Error::BadRequest("too many columns for a spreadsheet".into()))?;
        sheet.write_string_with_format(0, col, neutralise(text), &bold).map_err(fail)?;
        sheet.set_column_width(col, if c == 0 { 6.0 } else { 22.0 }).map_err(fail)?;
    }
    for (r, row) in table.rows.iter().enumerate() {
        let r = u32::try_from(r + 1).map_err(|_| Error::BadRequest("too many rows for a spreadsheet".into()))?;
        for (c, text) in row.iter().enumerate() {
            let col = c as u16;
            if c == 0 {
                let n: f64 = text.parse().unwrap_or(0.0);
                sheet.write_number(r, col, n).map_err(fail)?;
            } else {
                sheet.write_string(r, col, neutralise(text)).map_err(fail)?;
            }
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(fail)?;
    book.save_to_buffer().map_err(fail)
}

/// A ZIP holding `name` encrypted with AES-256 (WinZip AE-2, as 7-Zip writes and
/// reads it), deflated.
fn encrypted_zip(name: &str, bytes: &[u8], password: &str) -> Result<Vec<u8>> {
    let fail = |e: zip::result::ZipError| Error::Internal(format!("zip: {e}"));
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::FileOptions::<()>::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .with_aes_encryption(zip::AesMode::Aes256, password);
    zip.start_file(name, options).map_err(fail)?;
    zip.write_all(bytes).map_err(|e| Error::Internal(format!("zip: {e}")))?;
    Ok(zip.finish().map_err(fail)?.into_inner())
}
