//! Personal links in bulk: the CSV an operator uploads (checked row by row before
//! anything is created, then imported all or none) and the CSV of the created links
//! to download, each row with its secret URL.

use chrono::Utc;
use formseal_model::{Answers, FormDef, ValidationContext, check_field, normalize};
use serde::Serialize;

use super::{CreatedLink, LinkSpec, check_spec, linkable_form, new_link, prefill_value};
use crate::audit::{self, Action};
use crate::csv_file::{self, QuoteStyle};
use crate::error::{Error, Result};
use crate::permissions::Operator;
use crate::state::AppState;

/// Most links one CSV may create.
pub const MAX_ROWS: usize = 5000;

/// One data row of a bulk CSV, checked.
#[derive(Debug, Clone, Serialize)]
pub struct CsvRow {
    /// The row's number in the file as a spreadsheet shows it (the header is 1, and
    /// blank lines count).
    pub row: usize,
    pub label: Option<String>,
    pub note: Option<String>,
    pub prefill: Answers,
    /// The mail address of the row's address column, when the links go by mail.
    pub address: Option<String>,
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
    let settings = BulkSettings { locked: locked.to_vec(), single_use, days };
    parse(text, form, &settings, None)
}

/// As [`parse_csv`], for links sent by mail: the column `address_column` holds
/// each row's mail address (required, checked; if it is also a field of the form,
/// it prefills that field as well).
pub fn parse_csv_for_mail(text: &str, form: &FormDef, settings: &BulkSettings, address_column: &str) -> CsvPreview {
    parse(text, form, settings, Some(address_column))
}

fn parse(text: &str, form: &FormDef, settings: &BulkSettings, address_column: Option<&str>) -> CsvPreview {
    let text = text.trim_start_matches('\u{feff}');
    // The header is the first line the reader takes: blank lines before it are skipped.
    let header_line = text.lines().find(|l| !l.trim_end_matches('\r').is_empty()).unwrap_or("");
    let delimiter = if header_line.matches(';').count() > header_line.matches(',').count() { b';' } else { b',' };
    let mut records = read_records(text, delimiter).into_iter();
    let mut preview = CsvPreview { columns: Vec::new(), rows: Vec::new(), errors: Vec::new() };
    match records.next().map(|r| r.cells) {
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
    if let Some(address) = address_column
        && !preview.columns.iter().any(|c| c == address)
    {
        preview.errors.push(format!("no column {address:?} with the mail addresses"));
    }
    for (i, column) in preview.columns.iter().enumerate() {
        let known = matches!(column.as_str(), "label" | "note")
            || address_column == Some(column.as_str())
            || form.field(column).is_some_and(|f| !f.kind.is_static());
        if !known {
            preview.errors.push(format!("column {} ({column:?}) is not a field of this form", i + 1));
        }
        if preview.columns[..i].contains(column) {
            preview.errors.push(format!("column {column:?} appears twice"));
        }
    }
    let ctx = ValidationContext { today: Utc::now().date_naive(), slack_days: 1 };
    for record in records {
        if preview.rows.len() >= MAX_ROWS {
            preview.errors.push(format!("at most {MAX_ROWS} rows per file"));
            break;
        }
        let mut row = CsvRow {
            row: record.row,
            label: None,
            note: None,
            prefill: Answers::new(),
            address: None,
            errors: Vec::new(),
        };
        let record = match record.cells {
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
            if address_column == Some(column.as_str()) {
                match crate::messages::normalise_address(cell) {
                    _ if cell.is_empty() => row.errors.push(format!("{column}: no mail address")),
                    Ok(address) => row.address = Some(address),
                    Err(e) => row.errors.push(format!("{column}: {e}")),
                }
            }
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
        let (spec, _) = row.clone().into_spec(settings);
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

/// One record of a bulk CSV: its cells, or why they cannot be read.
struct Record {
    /// The row a spreadsheet shows it on (blank lines count, line breaks inside a
    /// quoted cell do not).
    row: usize,
    cells: std::result::Result<Vec<String>, String>,
}

/// The records of a CSV text, read by the csv crate (RFC 4180: cells separated by
/// `delimiter`, records by a line break, cells in double quotes may hold
/// delimiters, line breaks and `""` for a quote; a quote inside an unquoted cell is
/// taken as it is). Records may have any number of cells: the caller compares them
/// with the header and says which row is off. A quoted cell that is never closed
/// makes the last record an error. Total: any input gives an answer.
fn read_records(text: &str, delimiter: u8) -> Vec<Record> {
    let mut builder = ::csv::ReaderBuilder::new();
    builder.delimiter(delimiter).has_headers(false).flexible(true);
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let (mut row, mut last_start) = (0, 0);
    for record in builder.from_reader(bytes).into_records() {
        match record {
            Ok(record) => {
                // Where the reader stood when it began this record: before any blank
                // lines, which it skips without a record of their own.
                last_start = record.position().map_or(0, |p| usize::try_from(p.byte()).unwrap_or(usize::MAX));
                row += 1 + blank_lines(bytes, last_start);
                out.push(Record { row, cells: Ok(record.iter().map(str::to_owned).collect()) });
            }
            Err(e) => {
                row += 1;
                out.push(Record { row, cells: Err(e.to_string()) });
            }
        }
    }
    if let Some(last) = out.last_mut()
        && let Ok(cells) = &last.cells
        && !complete(&builder, text, last_start, cells)
    {
        last.cells = Err("a quoted cell is not closed".to_owned());
    }
    out
}

/// The blank lines the reader skips from `start` on (`\r\n`, `\n` and `\r` each end
/// one). A `\n` right at `start` that completes the `\r\n` ending the record before
/// belongs to that record.
fn blank_lines(bytes: &[u8], start: usize) -> usize {
    let mut i = start;
    if start.checked_sub(1).and_then(|p| bytes.get(p)) == Some(&b'\r') && bytes.get(i) == Some(&b'\n') {
        i += 1;
    }
    let mut lines = 0;
    while let Some(&byte) = bytes.get(i) {
        match byte {
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => i += 1,
            b'\r' | b'\n' => {}
            _ => break,
        }
        lines += 1;
        i += 1;
    }
    lines
}

/// Whether the last record (read from `start` to the end of `text` as `cells`) was
/// complete. The csv crate ends a quoted cell that is never closed at the end of
/// the input, silently; read again with a line break after it, such a cell takes
/// the line break in, while a complete record reads the same. (The line break
/// before it keeps a byte-order mark the record may start with from being dropped
/// as one: the reader skips blank lines.)
fn complete(builder: &::csv::ReaderBuilder, text: &str, start: usize, cells: &[String]) -> bool {
    let Some(rest) = text.get(start..) else { return true };
    let again = format!("\n{rest}\n");
    match builder.from_reader(again.as_bytes()).records().next() {
        Some(Ok(record)) => record.iter().eq(cells.iter().map(String::as_str)),
        _ => true,
    }
}

/// Settings that apply to every link of one CSV.
#[derive(Debug, Clone)]
pub struct BulkSettings {
    pub locked: Vec<String>,
    pub single_use: bool,
    pub days: u32,
}

impl CsvRow {
    /// The link this row makes under `settings`, and the row's mail address.
    pub(super) fn into_spec(self, settings: &BulkSettings) -> (LinkSpec, Option<String>) {
        let spec = LinkSpec {
            locked: settings.locked.iter().filter(|k| self.prefill.contains_key(*k)).cloned().collect(),
            label: self.label,
            note: self.note,
            prefill: self.prefill,
            single_use: settings.single_use,
            days: settings.days,
        };
        (spec, self.address)
    }
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

/// The refusal of a file with problems: the first 20, each naming its row.
pub(super) fn refusal(preview: &CsvPreview) -> Error {
    let problems = preview.problems();
    let shown: Vec<String> = problems.iter().take(20).cloned().collect();
    let more = problems.len().saturating_sub(shown.len());
    let tail = if more > 0 { format!("; and {more} more") } else { String::new() };
    Error::BadRequest(format!("nothing was created: {}{tail}", shown.join("; ")))
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
        return Err(refusal(&preview));
    }
    let batch = uuid::Uuid::now_v7().to_string();
    let mut rows = Vec::with_capacity(preview.rows.len());
    let mut created = Vec::with_capacity(preview.rows.len());
    for r in preview.rows {
        let (spec, _) = r.into_spec(settings);
        let (row, link) = new_link(state, operator, form_id, spec, Some(&batch))?;
        rows.push(row);
        created.push(link);
    }
    audit::record(
        state,
        &operator.username,
        Action::LinksImported,
        &batch,
        &format!("{form_id}: {} links from CSV", created.len()),
    )
    .await?;
    state.store.create_links(&rows).await?;
    Ok(created)
}

/// The download after a bulk import: one row per link, with its secret URL. The
/// labels are the operator's own text, so they get the formula guard like any cell.
pub fn links_csv(created: &[CreatedLink]) -> Result<String> {
    let mut file = csv_file::Writer::new(Vec::new(), b',', QuoteStyle::Necessary);
    file.row(["label", "link_id", "url", "expires_at"])?;
    for link in created {
        file.row([
            link.label.as_deref().unwrap_or(""),
            link.link_id.as_str(),
            link.url.as_str(),
            link.expires_at.as_str(),
        ])?;
    }
    file.into_string()
}

#[cfg(test)]
mod tests {
    use formseal_model::demo::contact_tracing;

    use super::*;

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
    fn quoted_delimiters_quotes_and_line_breaks_round_trip_through_the_preview() {
        let form = contact_tracing();
        for delimiter in [b',', b';'] {
            let mut file = crate::csv_file::Writer::new(Vec::new(), delimiter, QuoteStyle::Necessary);
            file.row(["label", "name", "note"]).unwrap();
            file.row(["Smith, Jane; Dr.", "Jane \"JJ\" Smith", "first line\nsecond line"]).unwrap();
            file.row(["B", "Bea Berg", ""]).unwrap();
            let text = file.into_string().unwrap();
            let preview = parse_csv(&text, &form, &[], true, 30);
            assert!(preview.errors.is_empty(), "{:?}", preview.errors);
            let rows: Vec<_> = preview.rows.iter().map(|r| (r.row, r.label.as_deref(), r.note.as_deref())).collect();
            // The line break inside the note does not start a row.
            assert_eq!(
                rows,
                vec![(2, Some("Smith, Jane; Dr."), Some("first line\nsecond line")), (3, Some("B"), None)],
                "{text:?}"
            );
            assert_eq!(preview.rows[0].prefill["name"], "Jane \"JJ\" Smith");
            assert!(preview.is_clean(), "{:?}", preview.problems());
        }
    }

    #[test]
    fn an_unclosed_quote_is_a_row_error_not_a_panic() {
        let form = contact_tracing();
        let preview = parse_csv("label,name\nA,Ada Lovelace\nB,\"Bea\nC,Carl Benz\n", &form, &[], true, 30);
        assert!(preview.errors.is_empty(), "{:?}", preview.errors);
        assert_eq!(preview.rows.len(), 2, "the open quote takes in the rest of the file: {:?}", preview.rows);
        assert!(preview.rows[0].errors.is_empty(), "{:?}", preview.rows[0].errors);
        assert_eq!(preview.rows[1].row, 3);
        assert_eq!(preview.rows[1].errors, vec!["cannot be read: a quoted cell is not closed".to_owned()]);
        assert!(!preview.is_clean());

        let preview = parse_csv("\"label,name\nA,Ada\n", &form, &[], true, 30);
        assert_eq!(preview.errors, vec!["the header row cannot be read: a quoted cell is not closed".to_owned()]);
        // A quote closed at the very end of the file is no error.
        let preview = parse_csv("label,name\nA,\"Ada Lovelace\"", &form, &[], true, 30);
        assert!(preview.is_clean(), "{:?}", preview.problems());
    }

    #[test]
    fn blank_lines_count_as_rows_as_in_a_spreadsheet() {
        let form = contact_tracing();
        for text in [
            "label,name\n\nA,Ada Lovelace\n\n\nB,Bea Berg\n",
            "label,name\r\n\r\nA,Ada Lovelace\r\n\r\n\r\nB,Bea Berg\r\n",
            "label,name\r\rA,Ada Lovelace\r\r\rB,Bea Berg\r",
        ] {
            let preview = parse_csv(text, &form, &[], true, 30);
            let rows: Vec<usize> = preview.rows.iter().map(|r| r.row).collect();
            assert_eq!(rows, vec![3, 6], "{text:?}");
        }
    }

    #[test]
    fn rows_of_another_length_than_the_header_are_named() {
        let form = contact_tracing();
        let preview = parse_csv("label;name\nA;Ada Lovelace;extra\nB\n", &form, &[], true, 30);
        let errors: Vec<Vec<String>> = preview.rows.iter().map(|r| r.errors.clone()).collect();
        assert_eq!(
            errors,
            vec![vec!["has 3 cells, the header 2".to_owned()], vec!["has 1 cells, the header 2".to_owned()]]
        );
    }

    #[test]
    fn the_links_download_quotes_where_needed_and_guards_labels() {
        let link = |label: &str| CreatedLink {
            link_id: "abc".into(),
            label: (!label.is_empty()).then(|| label.to_owned()),
            url: "https://forms.example.com/f/abc#secret".into(),
            expires_at: "2030-01-01T00:00:00.000Z".into(),
        };
        let text = links_csv(&[link("Smith, Jane"), link("=HYPERLINK(\"x\")"), link("")]).unwrap();
        assert_eq!(
            text,
            "label,link_id,url,expires_at\r\n\
             \"Smith, Jane\",abc,https://forms.example.com/f/abc#secret,2030-01-01T00:00:00.000Z\r\n\
             \"'=HYPERLINK(\"\"x\"\")\",abc,https://forms.example.com/f/abc#secret,2030-01-01T00:00:00.000Z\r\n\
             ,abc,https://forms.example.com/f/abc#secret,2030-01-01T00:00:00.000Z\r\n"
        );
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
