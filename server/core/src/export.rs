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
    ChainHead, Column, EXPORT_FORMAT, ExportDoc, ExportedSubmission, columns, compact_answers,
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

/// What an export sends. Plain CSV and JSON are written a page of submissions at a
/// time into a bounded channel ([`Content::Chunks`]), so the server's memory stays
/// the same whatever the number of submissions; XLSX and encrypted ZIPs are whole
/// files ([`Content::Whole`]), bounded by [`MAX_BUFFERED_SUBMISSIONS`].
pub enum Content {
    Whole(Vec<u8>),
    /// Ends after the last chunk; an `Err` means the export broke off (the download
    /// is then cut short, never silently incomplete).
    Chunks(tokio::sync::mpsc::Receiver<Result<Vec<u8>>>),
}

/// An export, ready to send.
pub struct ExportFile {
    pub name: String,
    pub content_type: &'static str,
    pub content: Content,
    pub submissions: u64,
}

impl std::fmt::Debug for ExportFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let content = match &self.content {
            Content::Whole(bytes) => format!("{} bytes", bytes.len()),
            Content::Chunks(_) => "streamed".to_owned(),
        };
        f.debug_struct("ExportFile").field("name", &self.name).field("content", &content).finish()
    }
}

/// XLSX files and encrypted ZIPs are built whole in memory (a spreadsheet and a
/// ZIP's central directory need the whole file): at most this many submissions.
/// Larger forms export as plain CSV or JSON, which stream.
pub const MAX_BUFFERED_SUBMISSIONS: u64 = 100_000;

/// Chunks waiting for the client, at most (each one page of submissions).
const CHUNKS_AHEAD: usize = 4;

/// The operators with an export running: one at a time each, so nobody can start
/// dozens of exports of a large form at once.
#[derive(Default)]
pub(crate) struct Running(std::sync::Mutex<std::collections::HashSet<String>>);

/// An operator's turn to export; ends when dropped (when the last chunk is sent).
struct Turn {
    state: AppState,
    username: String,
}

impl Drop for Turn {
    fn drop(&mut self) {
        self.state.exports_running.0.lock().unwrap_or_else(|p| p.into_inner()).remove(&self.username);
    }
}

fn take_turn(state: &AppState, username: &str) -> Result<Turn> {
    let mut running = state.exports_running.0.lock().unwrap_or_else(|p| p.into_inner());
    if !running.insert(username.to_owned()) {
        return Err(Error::Conflict("an export of yours is still running; wait for it to finish".into()));
    }
    Ok(Turn { state: state.clone(), username: username.to_owned() })
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
    let turn = take_turn(state, &operator.username)?;
    let prepared = prepare(state, form_id, options.compact).await?;
    let count = prepared.head_sequence;
    let streamed = options.password.is_none() && options.format != Format::Xlsx;
    if !streamed && count > MAX_BUFFERED_SUBMISSIONS {
        return Err(Error::BadRequest(format!(
            "this form has {count} submissions, more than an XLSX file or an encrypted export holds \
             ({MAX_BUFFERED_SUBMISSIONS}); export it as CSV or JSON, and encrypt the file yourself"
        )));
    }
    let deleted = state.store.deleted_count(form_id).await?;
    let stamp = prepared.exported_at.get(..16).unwrap_or("").replace([':', 'T'], "-").replace("--", "-");
    let scope = if options.compact { "-compact" } else { "" };
    let name = format!("{form_id}-{stamp}{scope}.{}", options.format.extension());
    let detail = format!(
        "{count} submissions ({deleted} deleted) as {}, {}, {}",
        options.format.label(),
        if options.compact { "compact" } else { "full" },
        if options.password.is_some() { "encrypted" } else { "not encrypted" }
    );
    // Audited before anything leaves: an export cut short was still an export.
    audit::record(state, &operator.username, Action::SubmissionsExported, form_id, &detail).await?;
    tracing::info!(form = form_id, by = ?operator.username, %detail, "export");
    if streamed {
        let (chunks, content) = tokio::sync::mpsc::channel(CHUNKS_AHEAD);
        let (state, format) = (state.clone(), options.format);
        tokio::spawn(async move {
            let _turn = turn;
            if let Err(e) = stream(&state, &prepared, format, &chunks).await {
                tracing::error!(error = %e, form = %prepared.form_id, "export broke off");
                let _ = chunks.send(Err(e)).await;
            }
        });
        let content_type = options.format.content_type();
        return Ok(ExportFile { name, content_type, content: Content::Chunks(content), submissions: count });
    }
    let doc = collect(state, prepared).await?;
    drop(turn);
    let bytes = match options.format {
        Format::Json => serde_json::to_vec_pretty(&doc).map_err(|e| Error::Internal(e.to_string()))?,
        Format::Csv => to_csv(&doc)?,
        Format::Xlsx => to_xlsx(&doc)?,
    };
    Ok(match &options.password {
        None => ExportFile {
            name,
            content_type: options.format.content_type(),
            content: Content::Whole(bytes),
            submissions: count,
        },
        Some(password) => ExportFile {
            content: Content::Whole(encrypted_zip(&name, &bytes, password)?),
            name: format!("{}.zip", name.trim_end_matches(&format!(".{}", options.format.extension()))),
            content_type: "application/zip",
            submissions: count,
        },
    })
}

/// Every published version of a form, newest first.
pub async fn versions(state: &AppState, form_id: &str) -> Result<Vec<PublishedVersion>> {
    state.store.version_rows(form_id).await?.into_iter().map(crate::forms::to_published).collect()
}

/// Everything of an export but its submissions, read first: the chain head fixes
/// which submissions belong to it (those stored later do not).
struct Prepared {
    form_id: String,
    title: String,
    exported_at: String,
    compact: bool,
    versions: Vec<PublishedVersion>,
    head_sequence: u64,
    head_digest: Option<String>,
    /// Compact: the columns kept.
    kept: Option<Vec<Column>>,
}

impl Prepared {
    fn columns(&self) -> Vec<Column> {
        let definitions: Vec<&FormDef> = self.versions.iter().map(|v| &v.definition).collect();
        columns(&definitions, self.compact)
    }

    /// The document without its submissions.
    fn document(&self, submissions: Vec<ExportedSubmission>) -> ExportDoc {
        ExportDoc {
            format: EXPORT_FORMAT.into(),
            form: self.form_id.clone(),
            title: self.title.clone(),
            exported_at: self.exported_at.clone(),
            compact: self.compact,
            versions: self.versions.clone(),
            submissions,
            head: self.head_digest.clone().map(|digest| ChainHead { sequence: self.head_sequence, digest }),
        }
    }
}

async fn prepare(state: &AppState, form_id: &str, compact: bool) -> Result<Prepared> {
    let form = crate::forms::form(state, form_id).await?;
    let versions = versions(state, form_id).await?;
    let (head_sequence, head_digest) = state.store.chain_head(form_id).await?;
    let mut prepared = Prepared {
        form_id: form_id.to_owned(),
        title: form.title,
        exported_at: rfc3339_ms(now_ms()),
        compact,
        versions,
        head_sequence,
        head_digest,
        kept: None,
    };
    if compact {
        prepared.kept = Some(prepared.columns());
    }
    Ok(prepared)
}

/// A form's whole JSON export document, in memory.
pub async fn document(state: &AppState, form_id: &str, compact: bool) -> Result<ExportDoc> {
    collect(state, prepare(state, form_id, compact).await?).await
}

/// The whole document, for the exports that are built in memory.
async fn collect(state: &AppState, prepared: Prepared) -> Result<ExportDoc> {
    let mut submissions = Vec::new();
    let last = prepared.head_sequence;
    in_order(state, &prepared.form_id, prepared.kept.as_deref(), |s| {
        if s.sequence > last {
            return ControlFlow::Break(());
        }
        submissions.push(s);
        ControlFlow::Continue(())
    })
    .await?;
    Ok(prepared.document(submissions))
}

/// Writes a streamed export into `chunks`: the start, a chunk per page of
/// submissions, the end. Stops quietly when the client has gone away.
async fn stream(
    state: &AppState,
    prepared: &Prepared,
    format: Format,
    chunks: &tokio::sync::mpsc::Sender<Result<Vec<u8>>>,
) -> Result<()> {
    let columns = prepared.columns();
    let json_err = |e: serde_json::Error| Error::Internal(format!("export: {e}"));
    let start = match format {
        Format::Csv => csv_chunk(CSV_BOM, Some(&header(&columns)), &[])?,
        Format::Json => json_start(&prepared.document(Vec::new()))?,
        Format::Xlsx => return Err(Error::Internal("XLSX is not streamed".into())),
    };
    if chunks.send(Ok(start)).await.is_err() {
        return Ok(());
    }
    let (mut from, mut first) = (1, true);
    while from <= prepared.head_sequence {
        let (page, done) =
            exported_page(state, &prepared.form_id, &mut from, prepared.head_sequence, prepared.kept.as_deref())
                .await?;
        let chunk = match format {
            Format::Json => {
                let mut chunk = Vec::new();
                for s in &page {
                    if !std::mem::take(&mut first) {
                        chunk.push(b',');
                    }
                    serde_json::to_writer(&mut chunk, s).map_err(json_err)?;
                }
                chunk
            }
            _ => csv_chunk(b"", None, &page.iter().map(|s| row_cells(s, &columns)).collect::<Vec<_>>())?,
        };
        if !chunk.is_empty() && chunks.send(Ok(chunk)).await.is_err() {
            return Ok(());
        }
        if done {
            break;
        }
    }
    if format == Format::Json {
        let _ = chunks.send(json_end(&prepared.document(Vec::new()))).await;
    }
    Ok(())
}

/// The JSON document up to its first submission: every member but `submissions`
/// and `head`, then `"submissions":[`. The same document as the whole-file export,
/// written in parts (members in another order, which JSON does not care about).
fn json_start(empty: &ExportDoc) -> Result<Vec<u8>> {
    let mut members = match serde_json::to_value(empty).map_err(|e| Error::Internal(e.to_string()))? {
        Value::Object(members) => members,
        _ => return Err(Error::Internal("the export document is not an object".into())),
    };
    members.remove("submissions");
    members.remove("head");
    let mut text = serde_json::to_string(&Value::Object(members)).map_err(|e| Error::Internal(e.to_string()))?;
    text.pop(); // the closing brace
    text.push_str(",\"submissions\":[");
    Ok(text.into_bytes())
}

fn json_end(empty: &ExportDoc) -> Result<Vec<u8>> {
    let mut end = "]".to_owned();
    if let Some(head) = &empty.head {
        end.push_str(",\"head\":");
        end.push_str(&serde_json::to_string(head).map_err(|e| Error::Internal(e.to_string()))?);
    }
    end.push('}');
    Ok(end.into_bytes())
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
        let (page, done) = exported_page(state, form_id, &mut from, u64::MAX, compact).await?;
        for submission in page {
            if let ControlFlow::Break(b) = f(submission) {
                return Ok(Some(b));
            }
        }
        if done {
            return Ok(None);
        }
    }
}

/// One page of the form's submissions in chain order, from sequence `*from` (moved
/// past the page) up to `last`, as exported; `true` when no page follows.
async fn exported_page(
    state: &AppState,
    form_id: &str,
    from: &mut u64,
    last: u64,
    compact: Option<&[Column]>,
) -> Result<(Vec<ExportedSubmission>, bool)> {
    let rows = state.store.submissions_in_order(form_id, *from, PAGE).await?;
    let mut done = (rows.len() as u64) < PAGE;
    let mut page = Vec::with_capacity(rows.len());
    for row in rows {
        if row.sequence > last {
            done = true;
            break;
        }
        *from = row.sequence + 1;
        page.push(exported(state, row, compact).await?);
    }
    Ok((page, done))
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

/// The table exports' first row.
fn header(columns: &[Column]) -> Vec<String> {
    let mut header: Vec<String> =
        ["#", "Submission", "Received (UTC)", "Form version", "Status"].into_iter().map(str::to_owned).collect();
    header.extend(columns.iter().map(|c| c.label.clone()));
    header
}

/// One submission as a table row: text cells, as they are (the CSV and the XLSX
/// writer each neutralise what they write).
fn row_cells(s: &ExportedSubmission, columns: &[Column]) -> Vec<String> {
    let status = match &s.tombstone {
        Some(t) => format!("deleted ({}, {})", t.tombstone.reason, t.tombstone.deleted_at),
        None => "held".to_owned(),
    };
    let mut row = vec![s.sequence.to_string(), s.id.clone(), s.received_at.clone(), s.version.clone(), status];
    row.extend(columns.iter().map(|c| c.cell(s.answers.as_ref())));
    row
}

fn doc_columns(doc: &ExportDoc) -> Vec<Column> {
    let definitions: Vec<&FormDef> = doc.versions.iter().map(|v| &v.definition).collect();
    columns(&definitions, doc.compact)
}

/// The CSV file starts with a byte-order mark.
const CSV_BOM: &[u8] = b"\xEF\xBB\xBF";

/// UTF-8 with a byte-order mark, `;` between cells, CRLF line ends: what Excel in
/// the EU's locales (where `,` is the decimal sign) opens into columns, with
/// umlauts intact. See docs/exports.md. Written in chunks (each a complete set of
/// rows), which joined are the one file.
fn csv_chunk(start: &[u8], header: Option<&[String]>, rows: &[Vec<String>]) -> Result<Vec<u8>> {
    let mut file = csv_file::Writer::new(start.to_vec(), b';', QuoteStyle::Always);
    if let Some(header) = header {
        file.row(header)?;
    }
    for row in rows {
        file.row(row)?;
    }
    file.finish()
}

fn to_csv(doc: &ExportDoc) -> Result<Vec<u8>> {
    let columns = doc_columns(doc);
    let rows: Vec<Vec<String>> = doc.submissions.iter().map(|s| row_cells(s, &columns)).collect();
    csv_chunk(CSV_BOM, Some(&header(&columns)), &rows)
}

/// One sheet, every answer a text cell (a spreadsheet never evaluates it), the
/// header row bold and frozen.
fn to_xlsx(doc: &ExportDoc) -> Result<Vec<u8>> {
    use rust_xlsxwriter::{Format as Style, Workbook};
    let columns = doc_columns(doc);
    let header = header(&columns);
    let fail = |e: rust_xlsxwriter::XlsxError| Error::Internal(format!("xlsx: {e}"));
    let mut book = Workbook::new();
    let bold = Style::new().set_bold();
    let sheet = book.add_worksheet();
    sheet.set_name("Submissions").map_err(fail)?;
    for (c, text) in header.iter().enumerate() {
        let col = u16::try_from(c).map_err(|_| Error::BadRequest("too many columns for a spreadsheet".into()))?;
        sheet.write_string_with_format(0, col, neutralise(text), &bold).map_err(fail)?;
        sheet.set_column_width(col, if c == 0 { 6.0 } else { 22.0 }).map_err(fail)?;
    }
    for (r, submission) in doc.submissions.iter().enumerate() {
        let r = u32::try_from(r + 1).map_err(|_| Error::BadRequest("too many rows for a spreadsheet".into()))?;
        for (c, text) in row_cells(submission, &columns).iter().enumerate() {
            let col = c as u16;
            if c == 0 {
                let n: f64 = text.parse().unwrap_or(0.0);
                sheet.write_number(r, col, n).map_err(fail)?;
            } else {
                sheet.write_string(r, col, fit_cell(&neutralise(text))).map_err(fail)?;
            }
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(fail)?;
    book.save_to_buffer().map_err(fail)
}

/// A spreadsheet cell holds at most 32,767 characters. Forms cannot ask for longer
/// answers, but a value stored before that rule (or a long joined list) must not fail
/// the whole export: it is cut, and the cell says so and where the full value is.
pub const XLSX_CELL_CHARS: usize = 32_767;

fn fit_cell(text: &str) -> std::borrow::Cow<'_, str> {
    let chars = text.chars().count();
    if chars <= XLSX_CELL_CHARS {
        return text.into();
    }
    let note = format!(" … [cut: {chars} characters; the CSV and JSON exports hold all of it]");
    let keep = XLSX_CELL_CHARS - note.chars().count();
    format!("{}{note}", text.chars().take(keep).collect::<String>()).into()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_too_long_for_a_cell_is_cut_and_says_so() {
        assert_eq!(fit_cell("short"), "short");
        let long = "ä".repeat(40_000);
        let cell = fit_cell(&long);
        assert_eq!(cell.chars().count(), XLSX_CELL_CHARS);
        assert!(
            cell.ends_with("[cut: 40000 characters; the CSV and JSON exports hold all of it]"),
            "{}",
            &cell[cell.len() - 80..]
        );
        let exact = "x".repeat(XLSX_CELL_CHARS);
        assert_eq!(fit_cell(&exact), exact);
    }
}
