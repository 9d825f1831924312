//! The one definition of a valid submission. The widget runs it while the visitor
//! types; the server runs it again on what arrives.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::address;
use crate::form::{ChoiceOption, DateBound, Field, FieldKind, FormDef, MatrixRow, TextPattern};
use crate::phone::normalize_phone;
use crate::text::LocalText;

// What a visitor is told about each problem: `Problem::message`.
mod messages;

/// Answers by field key. Values are JSON: strings for text, numbers (as exact decimal
/// strings), dates and choices; arrays of strings for multiple choice; objects for
/// consent and signature.
pub type Answers = BTreeMap<String, Value>;

/// What validation needs from the outside world, passed in so the model stays pure.
#[derive(Clone, Copy, Debug)]
pub struct ValidationContext {
    /// The day of submission (server: its clock; browser: the visitor's).
    pub today: NaiveDate,
    /// Days by which bounds relative to today are widened on each side. The server
    /// uses 1: a visitor's "today" can be the server's yesterday or tomorrow.
    pub slack_days: u8,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    #[serde(flatten)]
    pub problem: Problem,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Problem {
    Required,
    WrongType {
        expected: String,
    },
    TooShort {
        min: u32,
    },
    TooLong {
        max: u32,
    },
    InvalidEmail,
    InvalidPhone,
    NotANumber,
    NotAnInteger,
    BelowMin {
        min: String,
    },
    AboveMax {
        max: String,
    },
    InvalidDate,
    DateTooEarly {
        min: String,
    },
    DateTooLate {
        max: String,
    },
    InvalidDateTime,
    UnknownOption {
        value: String,
    },
    TooFewChoices {
        min: u32,
    },
    TooManyChoices {
        max: u32,
    },
    DuplicateChoice {
        value: String,
    },
    ConsentRequired,
    UnknownText,
    InvalidSignature {
        reason: String,
    },
    UnknownField,
    /// The operator's pattern did not match; `hint` is the operator's message.
    PatternMismatch {
        hint: LocalText,
    },
    StepMismatch {
        step: String,
    },
    AddressIncomplete {
        part: String,
    },
    InvalidPostcode {
        country: String,
    },
    NoAnswerExpected,
    /// A personal link fixed this answer; it may not be changed.
    Locked,
    /// The form's logic did not ask this question for these answers, so the
    /// envelope may not answer it.
    NotAsked,
    /// A matrix row that must be answered (the row's or the whole matrix's
    /// `required`) has no answer; `row` is the row's value.
    RowRequired {
        row: String,
    },
    /// A ranking must order every option, each once.
    RankAll,
    /// A calculation's value is not what the form computes from these answers;
    /// `expected` is that value (empty when it has none).
    CalculationMismatch {
        expected: String,
    },
}

/// Limits that keep a signature answer bounded in size.
pub const MAX_SIGNATURE_POINTS: usize = 10_000;
pub const MAX_TEXT_CHARS: usize = 10_000;

/// Checks `answers` against `form`. Returns every problem, one per field, in form order.
///
/// The form's logic ([`crate::logic::evaluate`]) decides first which fields these
/// answers call for: a field not asked must have no answer, and is never required.
pub fn validate(form: &FormDef, answers: &Answers, ctx: &ValidationContext) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    for key in answers.keys() {
        if form.field(key).is_none() {
            errors.push(FieldError { field: key.clone(), problem: Problem::UnknownField });
        }
    }
    let outcome = crate::logic::evaluate(form, answers);
    for (index, field) in form.fields.iter().enumerate() {
        let value = answers.get(&field.key);
        let result = if let FieldKind::Calculation { .. } = field.kind {
            // Shown or not, the answer is what the form computes (none when hidden).
            check_calculation(outcome.computed(index), value)
        } else if outcome.is_shown(index) {
            check_answer(field, outcome.is_required(index), value, ctx)
        } else if is_blank(value) {
            Ok(())
        } else {
            Err(Problem::NotAsked)
        };
        if let Err(problem) = result {
            errors.push(FieldError { field: field.key.clone(), problem });
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

/// A calculation's answer must be the value the form computes, written exactly as
/// [`crate::calculation::Exact`] writes it; no value, no answer.
fn check_calculation(expected: Option<&str>, value: Option<&Value>) -> Result<(), Problem> {
    let given = if is_blank(value) { None } else { value };
    match (expected, given) {
        (None, None) => Ok(()),
        (Some(e), Some(Value::String(v))) if v == e => Ok(()),
        (expected, _) => Err(Problem::CalculationMismatch { expected: expected.unwrap_or_default().to_owned() }),
    }
}

/// An answer that says nothing: absent, null, blank text, or an empty selection.
pub(crate) fn is_blank(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.trim().is_empty(),
        Some(Value::Array(a)) => a.is_empty(),
        Some(Value::Object(o)) => o.is_empty(),
        Some(_) => false,
    }
}

/// Checks one answer as if the field were shown, required as its `required` says.
pub fn check_field(field: &Field, value: Option<&Value>, ctx: &ValidationContext) -> Result<(), Problem> {
    check_answer(field, field.required, value, ctx)
}

/// Checks one answer of a shown field; `required` is what the form's logic decided.
pub fn check_answer(
    field: &Field,
    required: bool,
    value: Option<&Value>,
    ctx: &ValidationContext,
) -> Result<(), Problem> {
    if field.kind.is_static() {
        return if is_blank(value) { Ok(()) } else { Err(Problem::NoAnswerExpected) };
    }
    // A matrix's rows may be required on their own, so blank is decided per row.
    if let FieldKind::Matrix { rows, columns } = &field.kind {
        return check_matrix(value, rows, columns, required);
    }
    if is_blank(value) {
        return match (&field.kind, required) {
            (FieldKind::Consent { .. }, true) => Err(Problem::ConsentRequired),
            (_, true) => Err(Problem::Required),
            (_, false) => Ok(()),
        };
    }
    let Some(value) = value else { return Ok(()) };
    match &field.kind {
        FieldKind::ShortText { min_len, max_len, pattern } => {
            let text = as_text(value)?;
            if text.contains(['\n', '\r']) {
                return Err(Problem::WrongType { expected: "one line of text".into() });
            }
            check_length(text, *min_len, Some(max_len.unwrap_or(1_000)))?;
            pattern.as_ref().map_or(Ok(()), |p| check_pattern(text, p))
        }
        FieldKind::Hidden => check_length(as_text(value)?, None, Some(1_000)),
        FieldKind::LongText { max_len } => {
            check_length(as_text(value)?, None, Some(max_len.unwrap_or(MAX_TEXT_CHARS as u32)))
        }
        FieldKind::Email => check_email(as_text(value)?),
        FieldKind::Phone => check_phone(as_text(value)?),
        FieldKind::Number { min, max, integer, step } => {
            check_number(as_text(value)?, min.as_deref(), max.as_deref(), *integer, step.as_deref())
        }
        FieldKind::Date { min, max } => check_date(as_text(value)?, min.as_ref(), max.as_ref(), ctx),
        FieldKind::DateTime => {
            let text = as_text(value)?;
            parse_date_time(text).map(|_| ()).ok_or(Problem::InvalidDateTime)
        }
        FieldKind::Address { countries } => check_address(value, countries),
        FieldKind::YesNo => value.as_bool().map(|_| ()).ok_or(Problem::WrongType { expected: "yes or no".into() }),
        FieldKind::Rating { .. } | FieldKind::OpinionScale { .. } => check_point(as_text(value)?, &field.kind),
        FieldKind::Heading | FieldKind::Paragraph { .. } | FieldKind::PageBreak { .. } => {
            Err(Problem::NoAnswerExpected)
        }
        FieldKind::SingleChoice { options, .. } => {
            let chosen = as_text(value)?;
            if options.iter().any(|o| o.value == chosen) {
                Ok(())
            } else {
                Err(Problem::UnknownOption { value: chosen.to_owned() })
            }
        }
        FieldKind::MultipleChoice { options, min, max, other } => {
            let Value::Array(items) = value else {
                return Err(Problem::WrongType { expected: "list of options".into() });
            };
            let mut seen = Vec::with_capacity(items.len());
            let mut others = 0;
            for item in items {
                if let Value::Object(own) = item {
                    // The visitor's own answer: `{"other": "text"}`, at most once.
                    others += 1;
                    let text = own.get("other").and_then(Value::as_str).unwrap_or("");
                    if !*other || own.len() != 1 || others > 1 || text.trim().is_empty() {
                        return Err(Problem::WrongType { expected: "options and at most one own answer".into() });
                    }
                    check_length(text, None, Some(200))?;
                    continue;
                }
                choose(item, options, &mut seen)?;
            }
            let count = items.len() as u32;
            if let Some(min) = min.filter(|m| count < *m) {
                return Err(Problem::TooFewChoices { min });
            }
            if let Some(max) = max.filter(|m| count > *m) {
                return Err(Problem::TooManyChoices { max });
            }
            Ok(())
        }
        FieldKind::Consent { text } => {
            let Value::Object(obj) = value else {
                return Err(Problem::WrongType { expected: "consent".into() });
            };
            let (Some(accepted), Some(shown), 2) =
                (obj.get("accepted").and_then(Value::as_bool), obj.get("text").and_then(Value::as_str), obj.len())
            else {
                return Err(Problem::WrongType { expected: "consent {accepted, text}".into() });
            };
            if !text.contains_text(shown) {
                return Err(Problem::UnknownText);
            }
            if required && !accepted { Err(Problem::ConsentRequired) } else { Ok(()) }
        }
        FieldKind::Signature { statement } => check_signature(value, statement),
        FieldKind::Ranking { options } => check_ranking(value, options),
        // Its value is checked against the form's own computation in [`validate`].
        FieldKind::Calculation { .. } => parse_number(as_text(value)?).ok_or(Problem::NotANumber),
        FieldKind::Matrix { rows, columns } => check_matrix(Some(value), rows, columns, required),
    }
}

/// A matrix answer: an object from row value to the value of one of `columns`.
fn check_matrix(
    value: Option<&Value>,
    rows: &[MatrixRow],
    columns: &[ChoiceOption],
    required: bool,
) -> Result<(), Problem> {
    let chosen = match value {
        None | Some(Value::Null) => None,
        Some(Value::Object(chosen)) => Some(chosen),
        Some(_) => return Err(Problem::WrongType { expected: "one choice per row".into() }),
    };
    if chosen.is_none_or(|c| c.is_empty()) && required {
        return Err(Problem::Required);
    }
    for (row, column) in chosen.into_iter().flatten() {
        if !rows.iter().any(|r| &r.value == row) {
            return Err(Problem::UnknownOption { value: row.clone() });
        }
        let column = as_text(column)?;
        if !columns.iter().any(|c| c.value == column) {
            return Err(Problem::UnknownOption { value: column.to_owned() });
        }
    }
    let answered = |row: &MatrixRow| chosen.is_some_and(|c| c.contains_key(&row.value));
    match rows.iter().find(|row| (required || row.required) && !answered(row)) {
        Some(row) => Err(Problem::RowRequired { row: row.value.clone() }),
        None => Ok(()),
    }
}

/// A ranking answer: every option's value once, most preferred first.
fn check_ranking(value: &Value, options: &[ChoiceOption]) -> Result<(), Problem> {
    let Value::Array(items) = value else { return Err(Problem::WrongType { expected: "list of options".into() }) };
    let mut seen: Vec<&str> = Vec::with_capacity(items.len());
    for item in items {
        choose(item, options, &mut seen)?;
    }
    if seen.len() == options.len() { Ok(()) } else { Err(Problem::RankAll) }
}

/// One item of a list of options (a multiple choice, a ranking): the value of one
/// of `options`, not among those `seen` before it, to which it is added.
fn choose<'a>(item: &'a Value, options: &[ChoiceOption], seen: &mut Vec<&'a str>) -> Result<(), Problem> {
    let chosen = as_text(item)?;
    if !options.iter().any(|o| o.value == chosen) {
        return Err(Problem::UnknownOption { value: chosen.to_owned() });
    }
    if seen.contains(&chosen) {
        return Err(Problem::DuplicateChoice { value: chosen.to_owned() });
    }
    seen.push(chosen);
    Ok(())
}

/// A point of a rating or scale: one of its whole numbers, written plainly (`"7"`).
fn check_point(text: &str, kind: &FieldKind) -> Result<(), Problem> {
    let Some(points) = kind.points() else { return Err(Problem::WrongType { expected: "a point".into() }) };
    let (low, high) = (points.start().to_string(), points.end().to_string());
    let point: u32 = text.parse().map_err(|_| Problem::NotAnInteger)?;
    if point.to_string() != text {
        return Err(Problem::NotAnInteger);
    }
    if point < *points.start() {
        return Err(Problem::BelowMin { min: low });
    }
    if point > *points.end() {
        return Err(Problem::AboveMax { max: high });
    }
    Ok(())
}

fn check_pattern(text: &str, pattern: &TextPattern) -> Result<(), Problem> {
    // A pattern the definition check would refuse never reaches a published form;
    // should one still fail to compile, nothing can match it.
    let matches = regex_lite::Regex::new(&format!("^(?:{})$", pattern.regex)).is_ok_and(|re| re.is_match(text));
    if matches { Ok(()) } else { Err(Problem::PatternMismatch { hint: pattern.message.clone() }) }
}

/// An address answer: `{"street", "postcode", "city", "country"}`, all text.
fn check_address(value: &Value, countries: &[String]) -> Result<(), Problem> {
    let Value::Object(obj) = value else { return Err(Problem::WrongType { expected: "address".into() }) };
    const PARTS: [&str; 4] = ["street", "postcode", "city", "country"];
    if obj.keys().any(|k| !PARTS.contains(&k.as_str())) {
        return Err(Problem::WrongType { expected: "address {street, postcode, city, country}".into() });
    }
    let part = |name: &str| obj.get(name).map_or(Ok(""), as_text);
    for name in PARTS {
        let text = part(name)?;
        if text.trim().is_empty() {
            return Err(Problem::AddressIncomplete { part: name.into() });
        }
        check_length(text, None, Some(200))?;
    }
    let country = part("country")?;
    if !(countries.iter().any(|c| c == country) || countries.is_empty() && address::is_country(country)) {
        return Err(Problem::UnknownOption { value: country.to_owned() });
    }
    if !address::postcode_plausible(country, part("postcode")?) {
        return Err(Problem::InvalidPostcode { country: country.to_owned() });
    }
    Ok(())
}

fn as_text(value: &Value) -> Result<&str, Problem> {
    value.as_str().ok_or(Problem::WrongType { expected: "text".into() })
}

/// The minimum counts what the person typed (spaces around it are not an answer);
/// the maximum counts every character that would be stored, spaces included, so
/// no stored value is longer than its form allows.
fn check_length(text: &str, min: Option<u32>, max: Option<u32>) -> Result<(), Problem> {
    let typed = text.trim().chars().count() as u32;
    if let Some(min) = min.filter(|m| typed < *m) {
        return Err(Problem::TooShort { min });
    }
    let stored = u32::try_from(text.chars().count()).unwrap_or(u32::MAX);
    if let Some(max) = max.filter(|m| stored > *m) {
        return Err(Problem::TooLong { max });
    }
    Ok(())
}

/// A pragmatic address check: one `@`, a plausible local part, and a dotted domain
/// of letters, digits and hyphens. Deliverability is not something a form can know.
pub fn check_email(text: &str) -> Result<(), Problem> {
    let bad = Err(Problem::InvalidEmail);
    if text.len() > 254 || text.chars().any(char::is_whitespace) {
        return bad;
    }
    let Some((local, domain)) = text.split_once('@') else { return bad };
    if local.is_empty()
        || local.len() > 64
        || domain.contains('@')
        || local.starts_with('.')
        || local.ends_with('.')
        || local.contains("..")
    {
        return bad;
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return bad;
    }
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    let tld_ok = labels
        .last()
        .is_some_and(|t| t.chars().count() >= 2 && t.chars().all(char::is_alphabetic) || t.starts_with("xn--"));
    if labels.iter().all(label_ok) && tld_ok { Ok(()) } else { bad }
}

/// Phone numbers are stored in E.164: `+`, country code, subscriber number, 8–15
/// digits in all. [`normalize_phone`] turns what people type into that form.
pub fn check_phone(text: &str) -> Result<(), Problem> {
    let digits = text.strip_prefix('+').ok_or(Problem::InvalidPhone)?;
    if (8..=15).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit()) && !digits.starts_with('0') {
        Ok(())
    } else {
        Err(Problem::InvalidPhone)
    }
}

/// Tidies what a person typed before it is validated and signed: trims text, brings
/// phone numbers into E.164 form and drops answers to questions the logic hid. The server does not normalise: it checks
/// exactly the signed bytes.
pub fn normalize(form: &FormDef, answers: &mut Answers) {
    let region = form.phone_region.as_deref();
    for field in &form.fields {
        match (answers.get_mut(&field.key), &field.kind) {
            (Some(Value::String(text)), FieldKind::Phone) => *text = normalize_phone(text.trim(), region),
            (Some(Value::String(text)), _) => *text = text.trim().to_owned(),
            (Some(Value::Object(parts)), FieldKind::Address { .. }) => {
                for part in parts.values_mut() {
                    if let Value::String(text) = part {
                        *text = text.trim().to_owned();
                    }
                }
                // A country preselected by the form is not an answer on its own.
                let typed = ["street", "postcode", "city"]
                    .iter()
                    .any(|p| parts.get(*p).and_then(Value::as_str).is_some_and(|t| !t.is_empty()));
                if !typed {
                    parts.clear();
                }
            }
            (Some(Value::Array(items)), FieldKind::MultipleChoice { .. }) => {
                items.retain(|item| match item.get("other") {
                    Some(Value::String(text)) => !text.trim().is_empty(),
                    _ => true,
                });
                for item in items.iter_mut() {
                    if let Some(Value::String(text)) = item.get_mut("other") {
                        *text = text.trim().to_owned();
                    }
                }
            }
            _ => {}
        }
    }
    answers.retain(|_, v| {
        !(v.is_null()
            || matches!(v, Value::String(s) if s.is_empty())
            || matches!(v, Value::Object(o) if o.is_empty())
            || matches!(v, Value::Array(a) if a.is_empty()))
    });
    // What the visitor typed into a question their later answers hid is not sent:
    // the envelope holds only what they were asked.
    crate::logic::drop_unasked(form, answers);
}

/// An exact decimal: optional `-`, digits, optional `.` and digits.
#[derive(Debug, PartialEq, Eq)]
struct Decimal<'a> {
    negative: bool,
    int: &'a str,
    frac: &'a str,
}

fn parse_decimal(text: &str) -> Option<Decimal<'_>> {
    let (negative, rest) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (int, frac) = rest.split_once('.').unwrap_or((rest, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if int.is_empty() || !digits(int) || !digits(frac) || (rest.contains('.') && frac.is_empty()) || rest.len() > 40 {
        return None;
    }
    let int = int.trim_start_matches('0');
    let frac = frac.trim_end_matches('0');
    let zero = int.is_empty() && frac.is_empty();
    Some(Decimal { negative: negative && !zero, int, frac })
}

/// Whether `text` is an exact decimal as number answers and bounds are written.
pub fn parse_number(text: &str) -> Option<()> {
    parse_decimal(text).map(|_| ())
}

/// Compares two exact decimals; `None` if either is not one.
pub fn compare_numbers(a: &str, b: &str) -> Option<std::cmp::Ordering> {
    Some(cmp_decimal(&parse_decimal(a)?, &parse_decimal(b)?))
}

fn cmp_decimal(a: &Decimal, b: &Decimal) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let magnitude = a.int.len().cmp(&b.int.len()).then_with(|| a.int.cmp(b.int)).then_with(|| a.frac.cmp(b.frac));
    match (a.negative, b.negative) {
        (false, true) => Ordering::Greater,
        (true, false) => Ordering::Less,
        (false, false) => magnitude,
        (true, true) => magnitude.reverse(),
    }
}

fn check_number(
    text: &str,
    min: Option<&str>,
    max: Option<&str>,
    integer: bool,
    step: Option<&str>,
) -> Result<(), Problem> {
    // Exactly as signed: the browser trims before signing, the server does not.
    let value = parse_decimal(text).ok_or(Problem::NotANumber)?;
    if let Some(step) = step {
        let base = min.and_then(parse_decimal).unwrap_or(Decimal { negative: false, int: "", frac: "" });
        if let Some(step_value) = parse_decimal(step)
            && !on_step(&value, &base, &step_value)
        {
            return Err(Problem::StepMismatch { step: step.to_owned() });
        }
    }
    if integer && !value.frac.is_empty() {
        return Err(Problem::NotAnInteger);
    }
    if let Some(min) = min.filter(|m| parse_decimal(m).is_some_and(|m| cmp_decimal(&value, &m).is_lt())) {
        return Err(Problem::BelowMin { min: min.to_owned() });
    }
    if let Some(max) = max.filter(|m| parse_decimal(m).is_some_and(|m| cmp_decimal(&value, &m).is_gt())) {
        return Err(Problem::AboveMax { max: max.to_owned() });
    }
    Ok(())
}

/// Whether `value - base` is a whole multiple of `step`, computed exactly on
/// integers scaled to a common number of decimal places. Numbers too long for that
/// are refused rather than guessed.
fn on_step(value: &Decimal, base: &Decimal, step: &Decimal) -> bool {
    let places = value.frac.len().max(base.frac.len()).max(step.frac.len());
    let scaled = |d: &Decimal| -> Option<i128> {
        let digits = format!("{}{:0<places$}", d.int, d.frac);
        let n: i128 = if digits.is_empty() { 0 } else { digits.parse().ok()? };
        Some(if d.negative { -n } else { n })
    };
    match (scaled(value), scaled(base), scaled(step)) {
        (Some(v), Some(b), Some(s)) if s > 0 => v.checked_sub(b).is_some_and(|d| d % s == 0),
        _ => false,
    }
}

/// Whether `text` has the shape `pattern`, where `9` stands for an ASCII digit and
/// every other byte for itself. Dates and times are written in exactly one way
/// (`2026-01-05`, never `2026-1-5` or ` 2026-01-05`), so that equal answers are
/// equal text and text order is time order.
fn shaped(text: &str, pattern: &str) -> bool {
    text.len() == pattern.len()
        && text.bytes().zip(pattern.bytes()).all(|(t, p)| if p == b'9' { t.is_ascii_digit() } else { t == p })
}

/// A day written `YYYY-MM-DD` that exists in the calendar. Read by hand once the
/// shape is right: chrono's format parser would cost the widget 8 KB (brotli) for
/// this one format (docs/widget-size.md).
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    if !shaped(text, "9999-99-99") {
        return None;
    }
    let number = |range: std::ops::Range<usize>| text.get(range).and_then(|t| t.parse::<u32>().ok());
    NaiveDate::from_ymd_opt(i32::try_from(number(0..4)?).ok()?, number(5..7)?, number(8..10)?)
}

/// A local date and time written `YYYY-MM-DDTHH:MM`.
pub fn parse_date_time(text: &str) -> Option<NaiveDateTime> {
    if !shaped(text, "9999-99-99T99:99") {
        return None;
    }
    let number = |range: std::ops::Range<usize>| text.get(range).and_then(|t| t.parse::<u32>().ok());
    parse_date(text.get(..10)?)?.and_hms_opt(number(11..13)?, number(14..16)?, 0)
}

fn resolve_bound(bound: &DateBound, ctx: &ValidationContext, is_min: bool) -> Option<NaiveDate> {
    match bound {
        DateBound::Date(d) => parse_date(d),
        DateBound::Today(offset) => {
            let day = if *offset >= 0 {
                ctx.today.checked_add_days(Days::new(*offset as u64))
            } else {
                ctx.today.checked_sub_days(Days::new(offset.unsigned_abs() as u64))
            }?;
            let slack = Days::new(u64::from(ctx.slack_days));
            if is_min { day.checked_sub_days(slack) } else { day.checked_add_days(slack) }
        }
    }
}

fn check_date(
    text: &str,
    min: Option<&DateBound>,
    max: Option<&DateBound>,
    ctx: &ValidationContext,
) -> Result<(), Problem> {
    let date = parse_date(text).ok_or(Problem::InvalidDate)?;
    if let Some(min) = min.and_then(|b| resolve_bound(b, ctx, true)).filter(|m| date < *m) {
        return Err(Problem::DateTooEarly { min: min.to_string() });
    }
    if let Some(max) = max.and_then(|b| resolve_bound(b, ctx, false)).filter(|m| date > *m) {
        return Err(Problem::DateTooLate { max: max.to_string() });
    }
    Ok(())
}

/// A signature answer: `{"statement": text shown, "strokes": [[[x, y, t], ...], ...]}`
/// with integer CSS pixels and milliseconds since the first point, optionally a
/// fourth number per point, the pressure in thousandths (0–1000) where the device
/// reports it. Keyboard users sign by typing their name and confirming:
/// `{"statement": text shown, "typed": "Ada Lovelace", "confirmed": true}`.
fn check_signature(value: &Value, statement: &crate::text::LocalText) -> Result<(), Problem> {
    let invalid = |reason: &str| Problem::InvalidSignature { reason: reason.to_owned() };
    let Value::Object(obj) = value else { return Err(invalid("not an object")) };
    let typed = obj.contains_key("typed") || obj.contains_key("confirmed");
    let allowed: &[&str] = if typed { &["statement", "typed", "confirmed"] } else { &["statement", "strokes"] };
    if obj.keys().any(|k| !allowed.contains(&k.as_str())) {
        return Err(invalid("unknown member"));
    }
    let shown = obj.get("statement").and_then(Value::as_str).ok_or_else(|| invalid("statement missing"))?;
    if !statement.contains_text(shown) {
        return Err(Problem::UnknownText);
    }
    if typed {
        let name = obj.get("typed").and_then(Value::as_str).unwrap_or("");
        if name.trim().is_empty() || name.contains(['\n', '\r']) {
            return Err(invalid("typed name missing"));
        }
        check_length(name, None, Some(200))?;
        if obj.get("confirmed") != Some(&Value::Bool(true)) {
            return Err(invalid("not confirmed"));
        }
        return Ok(());
    }
    let strokes = obj.get("strokes").and_then(Value::as_array).ok_or_else(|| invalid("strokes missing"))?;
    let mut points = 0usize;
    for stroke in strokes {
        let stroke = stroke.as_array().ok_or_else(|| invalid("stroke is not a list"))?;
        for point in stroke {
            let ok = point.as_array().is_some_and(|p| {
                (2..=4).contains(&p.len())
                    && p.iter().all(|n| n.is_i64())
                    && p.get(3).and_then(Value::as_i64).is_none_or(|pressure| (0..=1000).contains(&pressure))
            });
            if !ok {
                return Err(invalid("point is not [x, y, t] or [x, y, t, pressure]"));
            }
            points += 1;
        }
    }
    if points < 2 {
        return Err(invalid("empty drawing"));
    }
    if points > MAX_SIGNATURE_POINTS {
        return Err(invalid("too many points"));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
