//! Checks of a form definition itself, as the designer shows them next to the field
//! and as publishing enforces them: a choice without options, a minimum above its
//! maximum, a duplicate key.

use serde::{Deserialize, Serialize};

use crate::address;
use crate::calculation::Exact;
use crate::form::{ChoiceOption, DateBound, Field, FieldKind, FormDef, MatrixRow, Theme};
use crate::logic::{self, JumpTarget};
use crate::phone;
use crate::text::LocalText;

/// Languages the widget and the console can speak.
pub const LANGUAGES: [&str; 2] = ["en", "de"];
pub const MAX_FIELDS: usize = 200;
pub const MAX_RETENTION_DAYS: u32 = 3650;

/// One thing to fix before the form can be published.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DefinitionProblem {
    /// Position of the field in the form, or `None` for a form setting.
    pub field: Option<usize>,
    /// The setting concerned, e.g. `key`, `options`, `notice.purpose`.
    pub setting: String,
    pub message: String,
}

/// Every problem of `form`, form settings first, then fields in order.
pub fn check(form: &FormDef) -> Vec<DefinitionProblem> {
    let mut out = Problems(Vec::new());
    check_settings(form, &mut out);
    for (index, field) in form.fields.iter().enumerate() {
        let duplicate = form.fields[..index].iter().any(|f| f.key == field.key);
        check_field(form, index, field, duplicate, &mut out);
    }
    out.0
}

struct Problems(Vec<DefinitionProblem>);

impl Problems {
    fn add(&mut self, field: Option<usize>, setting: &str, message: impl Into<String>) {
        self.0.push(DefinitionProblem { field, setting: setting.to_owned(), message: message.into() });
    }

    /// A text must be there in each of the form's languages.
    fn text(&mut self, form: &FormDef, field: Option<usize>, setting: &str, what: &str, text: &LocalText) {
        for lang in form.languages.iter().filter(|l| LANGUAGES.contains(&l.as_str())) {
            if text.0.get(lang).is_none_or(|t| t.trim().is_empty()) {
                self.add(field, setting, format!("{what} is missing in {}.", language_name(lang)));
            }
        }
    }
}

pub fn language_name(lang: &str) -> &str {
    match lang {
        "en" => "English",
        "de" => "German",
        other => other,
    }
}

fn check_settings(form: &FormDef, out: &mut Problems) {
    if !is_form_id(&form.id) {
        out.add(None, "id", "The form id must be 2–64 lowercase letters, digits or dashes.");
    }
    if form.languages.is_empty() {
        out.add(None, "languages", "Choose at least one language.");
    }
    for (i, lang) in form.languages.iter().enumerate() {
        if !LANGUAGES.contains(&lang.as_str()) {
            out.add(None, "languages", format!("The language {lang:?} is not supported (en, de)."));
        } else if form.languages[..i].contains(lang) {
            out.add(None, "languages", format!("{} is listed twice.", language_name(lang)));
        }
    }
    out.text(form, None, "title", "The title", &form.title);
    let controller = &form.notice.controller;
    for (setting, what, value) in [
        ("notice.controller.name", "The controller's name", &controller.name),
        ("notice.controller.address", "The controller's address", &controller.address),
        ("notice.controller.contact", "The controller's contact", &controller.contact),
    ] {
        if value.trim().is_empty() {
            out.add(None, setting, format!("{what} is missing (visitors must be told who collects their data)."));
        }
    }
    out.text(form, None, "notice.purpose", "The purpose of processing", &form.notice.purpose);
    if !(1..=MAX_RETENTION_DAYS).contains(&form.notice.retention_days) {
        out.add(None, "notice.retention_days", format!("Retention must be 1 to {MAX_RETENTION_DAYS} days."));
    }
    if let Some(region) = &form.phone_region
        && !phone::is_region(region)
    {
        out.add(None, "phone_region", format!("{region:?} is not a supported phone region."));
    }
    if let Some(theme) = &form.theme {
        check_theme(theme, out);
    }
    if !form.fields.iter().any(|f| !f.kind.is_static()) {
        out.add(None, "fields", "Add at least one field that asks something.");
    }
    if form.fields.len() > MAX_FIELDS {
        out.add(None, "fields", format!("A form can have at most {MAX_FIELDS} fields."));
    }
}

fn check_theme(theme: &Theme, out: &mut Problems) {
    if theme.accent.as_deref().is_some_and(|a| !Theme::accent_ok(a)) {
        out.add(None, "theme.accent", "The accent colour must look like #1a5fb4.");
    }
    if theme.font.as_deref().is_some_and(|f| !Theme::font_ok(f)) {
        out.add(None, "theme.font", "The font must be a list of font names, e.g. Georgia, serif.");
    }
    if theme.radius_px.is_some_and(|r| r > Theme::MAX_RADIUS_PX) {
        out.add(None, "theme.radius_px", "The corner radius can be at most 32 pixels.");
    }
}

/// [`check`], plus the origins allowed to embed the form.
pub fn check_with_origins(form: &FormDef, origins: &[String]) -> Vec<DefinitionProblem> {
    let mut problems = check(form);
    for origin in origins {
        if !origin_valid(origin) {
            problems.push(DefinitionProblem {
                field: None,
                setting: "origins".into(),
                message: format!(
                    "{origin:?} is not an origin: use https://example.com (scheme, host, optional port) or *."
                ),
            });
        }
    }
    problems
}

/// `*`, or `http(s)://host[:port]` without path, query or credentials.
pub fn origin_valid(origin: &str) -> bool {
    if origin == "*" {
        return true;
    }
    let Some(rest) = origin.strip_prefix("https://").or_else(|| origin.strip_prefix("http://")) else {
        return false;
    };
    let (host, port) = match rest.rsplit_once(':') {
        Some((host, port)) if !host.starts_with('[') || host.ends_with(']') => (host, Some(port)),
        _ => (rest, None),
    };
    let name_ok = |h: &str| h.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
    let host_ok =
        !host.is_empty() && host.len() <= 253 && (name_ok(host) || host.starts_with('[') && host.ends_with(']'));
    let port_ok = port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
    host_ok && port_ok
}

pub fn is_form_id(id: &str) -> bool {
    (2..=64).contains(&id.len())
        && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !id.starts_with('-')
        && !id.ends_with('-')
}

pub fn is_field_key(key: &str) -> bool {
    (1..=64).contains(&key.len())
        && key.starts_with(|c: char| c.is_ascii_lowercase())
        && key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn check_field(form: &FormDef, index: usize, field: &Field, duplicate: bool, out: &mut Problems) {
    let at = Some(index);
    if !is_field_key(&field.key) {
        out.add(at, "key", "The key must start with a letter and use only a–z, 0–9 and _.");
    } else if duplicate {
        out.add(at, "key", format!("Another field already uses the key {:?}.", field.key));
    }
    let what = match field.kind {
        FieldKind::Heading => "The heading",
        FieldKind::PageBreak { .. } => "The page's title",
        _ => "The label",
    };
    out.text(form, at, "label", what, &field.label);
    check_logic(form, index, field, out);
    let bounds = |out: &mut Problems, min: Option<u32>, max: Option<u32>, what: &str| {
        if let (Some(min), Some(max)) = (min, max)
            && min > max
        {
            out.add(at, "min", format!("The minimum {what} ({min}) is above the maximum ({max})."));
        }
    };
    match &field.kind {
        FieldKind::ShortText { min_len, max_len, pattern } => {
            bounds(out, *min_len, Some(max_len.unwrap_or(1_000)), "length");
            if max_len.is_some_and(|m| m == 0 || m > 1_000) {
                out.add(at, "max", "A short text can be 1 to 1000 characters long.");
            }
            if let Some(pattern) = pattern {
                if pattern.regex.len() > 500 || regex_lite::Regex::new(&pattern.regex).is_err() {
                    out.add(at, "pattern", "The pattern is not a valid regular expression.");
                }
                out.text(form, at, "pattern.message", "The message for the pattern", &pattern.message);
            }
        }
        FieldKind::LongText { max_len } => {
            if max_len.is_some_and(|m| m == 0 || m > 10_000) {
                out.add(at, "max", "A long text can be 1 to 10000 characters long.");
            }
        }
        FieldKind::Number { min, max, integer, step } => check_number(at, min, max, *integer, step, out),
        FieldKind::Date { min, max } => check_dates(at, min.as_ref(), max.as_ref(), out),
        FieldKind::Address { countries } => {
            if countries.is_empty() {
                out.add(at, "countries", "Choose at least one country.");
            }
            for (i, country) in countries.iter().enumerate() {
                if !address::is_country(country) {
                    out.add(at, "countries", format!("{country:?} is not a supported country."));
                } else if countries[..i].contains(country) {
                    out.add(at, "countries", format!("{country} is listed twice."));
                }
            }
        }
        FieldKind::SingleChoice { options, .. } => {
            if options.len() < 2 {
                out.add(at, "options", "A single choice needs at least two options.");
            }
            check_options(form, at, options, out);
        }
        FieldKind::MultipleChoice { options, min, max, other } => {
            if options.is_empty() {
                out.add(at, "options", "A multiple choice needs at least one option.");
            }
            check_options(form, at, options, out);
            bounds(out, *min, *max, "number of choices");
            let available = options.len() as u32 + u32::from(*other);
            if min.is_some_and(|m| m > available) {
                out.add(
                    at,
                    "min",
                    format!("At least {} choices are asked, but there are only {available}.", min.unwrap_or(0)),
                );
            }
            if *max == Some(0) {
                out.add(at, "max", "The maximum number of choices must be at least 1.");
            }
        }
        FieldKind::Consent { text } => out.text(form, at, "text", "The consent text", text),
        FieldKind::Signature { statement } => out.text(form, at, "statement", "The statement to sign", statement),
        FieldKind::Paragraph { text } => {
            out.text(form, at, "text", "The paragraph's text", text);
            if field.required {
                out.add(at, "required", "This shows text and asks nothing, so it cannot be required.");
            }
        }
        FieldKind::Hidden if field.required => {
            out.add(at, "required", "A hidden field cannot be required: visitors cannot fill it in.");
        }
        FieldKind::Rating { max } => {
            if !(3..=10).contains(max) {
                out.add(at, "max", "A rating can have 3 to 10 points.");
            }
        }
        FieldKind::OpinionScale { min, max, min_label, max_label } => {
            if *min > 1 {
                out.add(at, "min", "A scale starts at 0 or 1.");
            }
            if *max > 10 || *max < *min + 2 {
                out.add(at, "max", "A scale ends at 10 at most, and has at least three points.");
            }
            // Optional; once given, in every language of the form.
            if let Some(label) = min_label.as_ref().filter(|l| !l.is_empty()) {
                out.text(form, at, "min_label", "The label of the lowest point", label);
            }
            if let Some(label) = max_label.as_ref().filter(|l| !l.is_empty()) {
                out.text(form, at, "max_label", "The label of the highest point", label);
            }
        }
        FieldKind::Matrix { rows, columns } => check_matrix(form, at, rows, columns, out),
        FieldKind::Ranking { options } => {
            if !(2..=MAX_RANKED).contains(&options.len()) {
                out.add(at, "options", format!("A ranking orders 2 to {MAX_RANKED} options."));
            }
            check_options(form, at, options, out);
        }
        FieldKind::Calculation { formula, .. } => {
            if field.required {
                out.add(at, "required", "A calculation is computed, not answered, so it cannot be required.");
            }
            for message in logic::formula_problems(form, formula, index) {
                out.add(at, "formula", message);
            }
        }
        FieldKind::PageBreak { .. } | FieldKind::Heading if field.required => {
            out.add(at, "required", "This shows text and asks nothing, so it cannot be required.");
        }
        FieldKind::Email
        | FieldKind::Phone
        | FieldKind::DateTime
        | FieldKind::YesNo
        | FieldKind::Heading
        | FieldKind::Hidden
        | FieldKind::PageBreak { .. } => {}
    }
}

/// Most jump rules one page may have.
pub const MAX_JUMPS: usize = 20;

/// The field's conditions and, on a page break, the page's jump rules.
fn check_logic(form: &FormDef, index: usize, field: &Field, out: &mut Problems) {
    let at = Some(index);
    if let Some(condition) = &field.visible_if {
        if matches!(field.kind, FieldKind::Hidden) {
            out.add(at, "visible_if", "A hidden field is never shown, so it takes no condition.");
        } else if index == 0 && matches!(field.kind, FieldKind::PageBreak { .. }) {
            out.add(at, "visible_if", "The first page is always shown, so it takes no condition.");
        }
        for message in logic::condition_problems(form, condition, index) {
            out.add(at, "visible_if", message);
        }
    }
    if let Some(condition) = &field.required_if {
        if field.kind.is_static() || matches!(field.kind, FieldKind::Hidden | FieldKind::Calculation { .. }) {
            out.add(at, "required_if", "This field takes no answer from the visitor, so it cannot be required.");
        }
        for message in logic::condition_problems(form, condition, index) {
            out.add(at, "required_if", message);
        }
    }
    let FieldKind::PageBreak { jumps } = &field.kind else { return };
    if jumps.len() > MAX_JUMPS {
        out.add(at, "jumps", format!("A page can have at most {MAX_JUMPS} jump rules."));
    }
    let pages = logic::pages(form);
    let Some(page) = pages.iter().position(|r| r.start == index) else {
        return out.add(at, "jumps", "Jump rules belong to a page break; this one starts no page.");
    };
    let end = pages[page].end;
    for (n, jump) in jumps.iter().enumerate() {
        for message in logic::condition_problems(form, &jump.when, end) {
            out.add(at, "jumps", format!("Rule {}: {message}", n + 1));
        }
        if let JumpTarget::Page(key) = &jump.to {
            let target = pages[page + 1..].iter().any(|r| form.fields.get(r.start).is_some_and(|f| &f.key == key));
            if !target {
                out.add(at, "jumps", format!("Rule {}: {key:?} is not a later page (jumps only go forward).", n + 1));
            }
        }
    }
}

/// Most options a ranking may order, and rows and columns a matrix may have: more
/// than a person can weigh on a phone's screen.
pub const MAX_RANKED: usize = 20;
pub const MAX_MATRIX_ROWS: usize = 30;
pub const MAX_MATRIX_COLUMNS: usize = 11;

fn check_options(form: &FormDef, at: Option<usize>, options: &[ChoiceOption], out: &mut Problems) {
    let values: Vec<&str> = options.iter().map(|o| o.value.as_str()).collect();
    check_values(at, "options", "Option", &values, out);
    for (i, option) in options.iter().enumerate() {
        out.text(form, at, "options", &format!("The label of option {}", i + 1), &option.label);
        if let Some(score) = option.score.as_deref()
            && Exact::parse(score).is_none()
        {
            out.add(at, "options", format!("The score of option {} ({score:?}) is not a number.", i + 1));
        }
    }
}

/// Option and row values: present, short, without outer spaces, each once.
fn check_values(at: Option<usize>, setting: &str, what: &str, values: &[&str], out: &mut Problems) {
    for (i, value) in values.iter().enumerate() {
        let trimmed = value.trim();
        if trimmed.is_empty() || value.chars().count() > 100 || trimmed != *value {
            out.add(at, setting, format!("{what} {} needs a value (1–100 characters, no outer spaces).", i + 1));
        } else if values[..i].contains(value) {
            out.add(at, setting, format!("The {} value {value:?} is used twice.", what.to_lowercase()));
        }
    }
}

fn check_matrix(form: &FormDef, at: Option<usize>, rows: &[MatrixRow], columns: &[ChoiceOption], out: &mut Problems) {
    if !(1..=MAX_MATRIX_ROWS).contains(&rows.len()) {
        out.add(at, "rows", format!("A matrix has 1 to {MAX_MATRIX_ROWS} rows."));
    }
    if !(2..=MAX_MATRIX_COLUMNS).contains(&columns.len()) {
        out.add(at, "options", format!("A matrix has 2 to {MAX_MATRIX_COLUMNS} columns to choose from."));
    }
    let values: Vec<&str> = rows.iter().map(|r| r.value.as_str()).collect();
    check_values(at, "rows", "Row", &values, out);
    for (i, row) in rows.iter().enumerate() {
        out.text(form, at, "rows", &format!("The label of row {}", i + 1), &row.label);
    }
    check_options(form, at, columns, out);
}

fn check_number(
    at: Option<usize>,
    min: &Option<String>,
    max: &Option<String>,
    integer: bool,
    step: &Option<String>,
    out: &mut Problems,
) {
    let number = |s: &str| crate::validate::parse_number(s);
    for (setting, value) in [("min", min), ("max", max), ("step", step)] {
        if let Some(value) = value {
            match number(value) {
                None => out.add(at, setting, format!("{value:?} is not a number (use digits and a dot).")),
                Some(_) if integer && value.contains('.') => {
                    out.add(at, setting, format!("{value} is not a whole number, but the field asks for one."))
                }
                Some(_) => {}
            }
        }
    }
    if let Some(step) = step.as_deref().filter(|s| number(s).is_some())
        && (step.starts_with('-') || step.trim_start_matches(['0', '.']).is_empty())
    {
        out.add(at, "step", "The step must be above zero.");
    }
    if let (Some(min), Some(max)) = (min.as_deref(), max.as_deref())
        && crate::validate::compare_numbers(min, max).is_some_and(|o| o.is_gt())
    {
        out.add(at, "min", format!("The minimum ({min}) is above the maximum ({max})."));
    }
}

fn check_dates(at: Option<usize>, min: Option<&DateBound>, max: Option<&DateBound>, out: &mut Problems) {
    for (setting, bound) in [("min", min), ("max", max)] {
        if let Some(DateBound::Date(d)) = bound
            && crate::validate::parse_date(d).is_none()
        {
            out.add(at, setting, format!("{d:?} is not a date (YYYY-MM-DD)."));
        }
    }
    let earlier = match (min, max) {
        (Some(DateBound::Date(a)), Some(DateBound::Date(b))) => a > b,
        (Some(DateBound::Today(a)), Some(DateBound::Today(b))) => a > b,
        _ => false,
    };
    if earlier {
        out.add(at, "min", "The earliest date is after the latest date.");
    }
}

#[cfg(test)]
mod tests;
