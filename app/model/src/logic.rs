//! Form logic: which fields and pages a set of answers calls for.
//!
//! A field may carry `visible_if` (asked only when it holds) and `required_if`
//! (required when it holds); a page (the fields from one `page_break` to the next)
//! may carry `visible_if` on its break and jump rules evaluated after it. The browser
//! and the server evaluate the same definition with the same function
//! ([`evaluate`]), so they agree on what was asked; the server refuses an answer to
//! a question that was not asked (see [`crate::validate`]).
//!
//! Conditions only look back: a field's condition names fields before it, a page's
//! condition fields before its break, a jump fields up to the end of its page, and a
//! jump only goes forward. That rules out cycles by construction and lets one pass
//! in form order decide everything. An answer counts only while its field is shown:
//! text typed into a field that has since been hidden neither is submitted nor
//! drives other conditions.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::calculation::{self, Exact, Formula};
use crate::form::{ChoiceOption, FieldKind, FormDef};
use crate::validate::{Answers, compare_numbers};

/// A test on earlier answers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Condition {
    /// Every one holds (an empty list holds).
    AllOf {
        conditions: Vec<Condition>,
    },
    /// At least one holds (an empty list does not).
    AnyOf {
        conditions: Vec<Condition>,
    },
    /// The answer is `value`: text and choices as strings, yes/no and consent as
    /// `true`/`false`, numbers as decimal strings compared by value.
    Equals {
        field: String,
        value: Value,
    },
    /// Exactly when [`Condition::Equals`] does not hold, so also when unanswered.
    NotEquals {
        field: String,
        value: Value,
    },
    /// The answer is one of `values`.
    OneOf {
        field: String,
        values: Vec<Value>,
    },
    /// A multiple choice includes the option `value`; a text includes `value`,
    /// ignoring case.
    Contains {
        field: String,
        value: String,
    },
    /// A number (decimal string) or a date (`YYYY-MM-DD`) above `value`.
    GreaterThan {
        field: String,
        value: String,
    },
    /// A number or a date below `value`.
    LessThan {
        field: String,
        value: String,
    },
    Answered {
        field: String,
    },
    NotAnswered {
        field: String,
    },
}

/// After a page: where to go when `when` holds. The first rule that holds wins;
/// without one, the next page whose condition holds follows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jump {
    pub when: Condition,
    pub to: JumpTarget,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JumpTarget {
    /// The page that starts with the page break of this key.
    Page(String),
    /// Straight to the notice and the submit button.
    End,
}

/// Most comparisons one condition may hold, and how deep groups may nest: enough for
/// any form a person can read, small enough to keep evaluation trivially cheap.
pub const MAX_COMPARISONS: usize = 50;
pub const MAX_DEPTH: usize = 5;

/// What a set of answers calls for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// By field position: whether the field is asked (on a page reached and its own
    /// condition holding). Page breaks count as shown on the pages reached.
    pub shown: Vec<bool>,
    /// By field position: whether the field must be answered (shown and
    /// `required` or its `required_if` holding).
    pub required: Vec<bool>,
    /// The pages reached, in order (positions in [`pages`]).
    pub path: Vec<usize>,
    /// By field position: a shown calculation's value, canonically written
    /// ([`crate::calculation`]); `None` for every other field.
    pub values: Vec<Option<String>>,
}

impl Outcome {
    pub fn is_shown(&self, index: usize) -> bool {
        self.shown.get(index).copied().unwrap_or(false)
    }

    pub fn is_required(&self, index: usize) -> bool {
        self.required.get(index).copied().unwrap_or(false)
    }

    /// The value of the calculation at `index`, if it is shown and has one.
    pub fn computed(&self, index: usize) -> Option<&str> {
        self.values.get(index).and_then(Option::as_deref)
    }
}

/// The pages of `form` as ranges of field positions. Page one starts at the first
/// field; each later `page_break` starts a page and belongs to it (its label is the
/// page's title). A break in first position titles page one.
pub fn pages(form: &FormDef) -> Vec<std::ops::Range<usize>> {
    let mut starts = vec![0];
    starts.extend(
        form.fields
            .iter()
            .enumerate()
            .filter(|(i, f)| *i > 0 && matches!(f.kind, FieldKind::PageBreak { .. }))
            .map(|(i, _)| i),
    );
    let mut ranges = Vec::with_capacity(starts.len());
    for (n, start) in starts.iter().enumerate() {
        let end = starts.get(n + 1).copied().unwrap_or(form.fields.len());
        ranges.push(*start..end);
    }
    ranges
}

/// Decides, in form order, which fields are shown and required and which pages are
/// reached for `answers`.
pub fn evaluate(form: &FormDef, answers: &Answers) -> Outcome {
    let count = form.fields.len();
    let mut shown = vec![false; count];
    let mut required = vec![false; count];
    let mut values: Vec<Option<String>> = vec![None; count];
    let ranges = pages(form);
    let mut path = Vec::new();
    let mut page = 0;
    while page < ranges.len() {
        path.push(page);
        let range = ranges[page].clone();
        for index in range.clone() {
            let field = &form.fields[index];
            let is_break = matches!(field.kind, FieldKind::PageBreak { .. });
            // A break's own condition is its page's, tested before the page was entered.
            let known = Known { form, answers, shown: &shown, values: &values };
            let visible = is_break || field.visible_if.as_ref().is_none_or(|c| holds(c, &known));
            let needed = visible && (field.required || field.required_if.as_ref().is_some_and(|c| holds(c, &known)));
            let value = match &field.kind {
                FieldKind::Calculation { formula, .. } if visible => {
                    formula.compute(&|key| known.number(key)).map(|v| v.to_string())
                }
                _ => None,
            };
            shown[index] = visible;
            required[index] = needed;
            values[index] = value;
        }
        let known = Known { form, answers, shown: &shown, values: &values };
        let jump = match form.fields.get(range.start).map(|f| &f.kind) {
            Some(FieldKind::PageBreak { jumps }) => jumps.iter().find(|j| holds(&j.when, &known)).map(|j| &j.to),
            _ => None,
        };
        let mut next = match jump {
            Some(JumpTarget::End) => ranges.len(),
            Some(JumpTarget::Page(key)) => ranges
                .iter()
                .position(|r| form.fields.get(r.start).is_some_and(|f| &f.key == key))
                .filter(|p| *p > page)
                .unwrap_or(page + 1),
            None => page + 1,
        };
        while next < ranges.len() && !page_applies(form, &ranges[next], &known) {
            next += 1;
        }
        page = next;
    }
    Outcome { shown, required, path, values }
}

fn page_applies(form: &FormDef, range: &std::ops::Range<usize>, known: &Known) -> bool {
    form.fields.get(range.start).and_then(|f| f.visible_if.as_ref()).is_none_or(|c| holds(c, known))
}

/// Keeps only the answers to fields that `answers` itself calls for, and writes
/// each shown calculation's value (removing those without one).
pub fn drop_unasked(form: &FormDef, answers: &mut Answers) {
    let outcome = evaluate(form, answers);
    answers.retain(|key, _| form.fields.iter().position(|f| &f.key == key).is_none_or(|i| outcome.is_shown(i)));
    for (index, field) in form.fields.iter().enumerate() {
        if let FieldKind::Calculation { .. } = field.kind {
            match outcome.computed(index) {
                Some(value) => answers.insert(field.key.clone(), Value::String(value.to_owned())),
                None => answers.remove(&field.key),
            };
        }
    }
}

/// The answers a condition may look at: those of fields shown so far.
struct Known<'a> {
    form: &'a FormDef,
    answers: &'a Answers,
    shown: &'a [bool],
    /// Calculations' values so far: a calculation's answer is never taken from
    /// the answers given, so a wrong one cannot steer the logic.
    values: &'a [Option<String>],
}

impl<'a> Known<'a> {
    fn get(&self, key: &str) -> Option<(&'a FieldKind, Value)> {
        let index = self.form.fields.iter().position(|f| f.key == key)?;
        if !self.shown.get(index).copied().unwrap_or(false) {
            return None;
        }
        let kind = &self.form.fields[index].kind;
        if let FieldKind::Calculation { .. } = kind {
            let value = self.values.get(index).cloned().flatten()?;
            return Some((kind, Value::String(value)));
        }
        let value = self.answers.get(key).filter(|v| !crate::validate::is_blank(Some(v)))?;
        Some((kind, value.clone()))
    }

    /// The number the answer to `key` stands for in a calculation: 0 when not
    /// answered or not asked; `None` when it is no number (or a calculation without
    /// a value).
    fn number(&self, key: &str) -> Option<Exact> {
        let Some((kind, answer)) = self.get(key) else {
            let index = self.form.fields.iter().position(|f| f.key == key);
            // A shown calculation without a value has no number; it is not a 0.
            let blank_calculation = index.is_some_and(|i| {
                matches!(self.form.fields[i].kind, FieldKind::Calculation { .. }) && self.shown.get(i) == Some(&true)
            });
            return if blank_calculation { None } else { Some(Exact::ZERO) };
        };
        let score = |options: &[ChoiceOption], value: &Value| {
            let option = options.iter().find(|o| value.as_str() == Some(o.value.as_str()));
            option.and_then(|o| o.score.as_deref()).map_or(Some(Exact::ZERO), Exact::parse)
        };
        fn sum(mut scores: impl Iterator<Item = Option<Exact>>) -> Option<Exact> {
            scores.try_fold(Exact::ZERO, |total, s| total.checked_add(s?))
        }
        match (kind, &answer) {
            (FieldKind::YesNo, Value::Bool(yes)) => Some(Exact::from_int(i64::from(*yes))),
            (FieldKind::SingleChoice { options, .. }, chosen) => score(options, chosen),
            (FieldKind::MultipleChoice { options, .. }, Value::Array(chosen)) => {
                sum(chosen.iter().map(|c| score(options, c)))
            }
            (FieldKind::Matrix { columns, .. }, Value::Object(chosen)) => {
                sum(chosen.values().map(|c| score(columns, c)))
            }
            (_, Value::String(text)) => Exact::parse(text),
            _ => None,
        }
    }
}

fn holds(condition: &Condition, known: &Known) -> bool {
    match condition {
        Condition::AllOf { conditions } => conditions.iter().all(|c| holds(c, known)),
        Condition::AnyOf { conditions } => conditions.iter().any(|c| holds(c, known)),
        Condition::Equals { field, value } => {
            known.get(field).is_some_and(|(kind, answer)| equals(kind, &answer, value))
        }
        Condition::NotEquals { field, value } => {
            !known.get(field).is_some_and(|(kind, answer)| equals(kind, &answer, value))
        }
        Condition::OneOf { field, values } => {
            known.get(field).is_some_and(|(kind, answer)| values.iter().any(|v| equals(kind, &answer, v)))
        }
        Condition::Contains { field, value } => known.get(field).is_some_and(|(_, answer)| match &answer {
            Value::Array(items) => items.iter().any(|item| item.as_str() == Some(value.as_str())),
            Value::String(text) => text.to_lowercase().contains(&value.to_lowercase()),
            _ => false,
        }),
        Condition::GreaterThan { field, value } => {
            known.get(field).is_some_and(|(kind, answer)| order(kind, &answer, value).is_some_and(|o| o.is_gt()))
        }
        Condition::LessThan { field, value } => {
            known.get(field).is_some_and(|(kind, answer)| order(kind, &answer, value).is_some_and(|o| o.is_lt()))
        }
        Condition::Answered { field } => known.get(field).is_some(),
        Condition::NotAnswered { field } => known.get(field).is_none(),
    }
}

fn equals(kind: &FieldKind, answer: &Value, value: &Value) -> bool {
    match (kind, answer, value) {
        (FieldKind::Number { .. } | FieldKind::Calculation { .. }, Value::String(a), Value::String(b)) => {
            compare_numbers(a, b).is_some_and(|o| o.is_eq())
        }
        (FieldKind::Consent { .. }, Value::Object(o), Value::Bool(b)) => o.get("accepted") == Some(&Value::Bool(*b)),
        _ => answer == value,
    }
}

fn order(kind: &FieldKind, answer: &Value, value: &str) -> Option<std::cmp::Ordering> {
    let answer = answer.as_str()?;
    match kind {
        FieldKind::Number { .. }
        | FieldKind::Rating { .. }
        | FieldKind::OpinionScale { .. }
        | FieldKind::Calculation { .. } => compare_numbers(answer, value),
        // `YYYY-MM-DD` and `YYYY-MM-DDTHH:MM` order as their text does.
        FieldKind::Date { .. } | FieldKind::DateTime => Some(answer.cmp(value)),
        _ => None,
    }
}

impl Condition {
    /// The field keys this condition reads, in order of appearance.
    pub fn fields(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.collect_fields(&mut out);
        out
    }

    fn collect_fields<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Condition::AllOf { conditions } | Condition::AnyOf { conditions } => {
                conditions.iter().for_each(|c| c.collect_fields(out))
            }
            Condition::Equals { field, .. }
            | Condition::NotEquals { field, .. }
            | Condition::OneOf { field, .. }
            | Condition::Contains { field, .. }
            | Condition::GreaterThan { field, .. }
            | Condition::LessThan { field, .. }
            | Condition::Answered { field }
            | Condition::NotAnswered { field } => out.push(field),
        }
    }

    /// How many comparisons, and how deep the groups nest.
    fn size(&self) -> (usize, usize) {
        match self {
            Condition::AllOf { conditions } | Condition::AnyOf { conditions } => {
                conditions.iter().map(Condition::size).fold((0, 1), |(n, d), (cn, cd)| (n + cn, d.max(cd + 1)))
            }
            _ => (1, 0),
        }
    }
}

/// What is wrong with one condition of `form`, which may name only fields in
/// positions before `before`. Used by [`crate::definition::check`].
pub fn condition_problems(form: &FormDef, condition: &Condition, before: usize) -> Vec<String> {
    let mut problems = Vec::new();
    let (comparisons, depth) = condition.size();
    if comparisons > MAX_COMPARISONS {
        problems.push(format!("A condition can compare at most {MAX_COMPARISONS} answers."));
    }
    if depth > MAX_DEPTH {
        problems.push(format!("Groups in a condition can nest at most {MAX_DEPTH} deep."));
    }
    comparison_problems(form, condition, before, &mut problems);
    problems
}

fn comparison_problems(form: &FormDef, condition: &Condition, before: usize, out: &mut Vec<String>) {
    let (key, check): (&str, Result<(), String>) = match condition {
        Condition::AllOf { conditions } | Condition::AnyOf { conditions } => {
            return conditions.iter().for_each(|c| comparison_problems(form, c, before, out));
        }
        Condition::Equals { field, value } | Condition::NotEquals { field, value } => {
            (field, kind_of(form, field, before).and_then(|kind| value_fits(kind, value)))
        }
        Condition::OneOf { field, values } => (
            field,
            kind_of(form, field, before).and_then(|kind| {
                if values.is_empty() {
                    return Err("lists no values".into());
                }
                values.iter().try_for_each(|v| value_fits(kind, v))
            }),
        ),
        Condition::Contains { field, value } => (
            field,
            kind_of(form, field, before).and_then(|kind| match kind {
                FieldKind::MultipleChoice { options, .. } if options.iter().any(|o| &o.value == value) => Ok(()),
                FieldKind::MultipleChoice { .. } => Err(format!("has no option {value:?}")),
                kind if is_text(kind) && !value.is_empty() => Ok(()),
                _ => Err("cannot contain anything: use it with a multiple choice or a text".into()),
            }),
        ),
        Condition::GreaterThan { field, value } | Condition::LessThan { field, value } => (
            field,
            kind_of(form, field, before).and_then(|kind| match kind {
                kind if is_numeric(kind) && compare_numbers(value, value).is_some() => Ok(()),
                kind if is_numeric(kind) => Err(format!("is a number, and {value:?} is not one")),
                FieldKind::Date { .. } if crate::validate::parse_date(value).is_some() => Ok(()),
                FieldKind::Date { .. } => Err(format!("is a date, and {value:?} is not one (YYYY-MM-DD)")),
                FieldKind::DateTime if crate::validate::parse_date_time(value).is_some() => Ok(()),
                FieldKind::DateTime => Err(format!("is a date and time, and {value:?} is not one (YYYY-MM-DDTHH:MM)")),
                _ => Err("has no order: compare numbers, dates and times only".into()),
            }),
        ),
        Condition::Answered { field } | Condition::NotAnswered { field } => {
            (field, kind_of(form, field, before).map(|_| ()))
        }
    };
    if let Err(reason) = check {
        out.push(format!("The condition on {key:?} {reason}."));
    }
}

/// What is wrong with the formula of the calculation at position `at`.
pub fn formula_problems(form: &FormDef, formula: &Formula, at: usize) -> Vec<String> {
    let mut problems = Vec::new();
    let (terms, depth) = formula.size();
    if terms > calculation::MAX_TERMS {
        problems.push(format!("A formula can use at most {} numbers and answers.", calculation::MAX_TERMS));
    }
    if depth > calculation::MAX_DEPTH {
        problems.push(format!("Sums and products in a formula can nest at most {} deep.", calculation::MAX_DEPTH));
    }
    if formula.fields().is_empty() {
        problems.push("The formula uses no answer: add at least one.".into());
    }
    for key in formula.fields() {
        match kind_of(form, key, at) {
            Err(reason) => problems.push(format!("The formula's {key:?} {reason}.")),
            Ok(kind) if !counts_in_formula(kind) => problems.push(format!(
                "The formula's {key:?} stands for no number: use numbers, ratings, scales, choices and matrices \
                 with scores, yes/no questions and earlier calculations."
            )),
            Ok(_) => {}
        }
    }
    for constant in formula.constants() {
        if Exact::parse(constant).is_none() {
            problems.push(format!("{constant:?} in the formula is not a number (use digits and a dot)."));
        }
    }
    problems
}

/// The kinds whose answers stand for a number in a formula.
pub fn counts_in_formula(kind: &FieldKind) -> bool {
    is_numeric(kind)
        || matches!(
            kind,
            FieldKind::SingleChoice { .. }
                | FieldKind::MultipleChoice { .. }
                | FieldKind::Matrix { .. }
                | FieldKind::YesNo
        )
}

/// The kind of the field `key` if a condition before position `before` may read it.
fn kind_of<'a>(form: &'a FormDef, key: &str, before: usize) -> Result<&'a FieldKind, String> {
    let Some(index) = form.fields.iter().position(|f| f.key == key) else {
        return Err("names no field of this form".into());
    };
    let kind = &form.fields[index].kind;
    if index >= before {
        return Err(
            "names a field that comes later (conditions look back only, so they never go round in a circle)".into()
        );
    }
    if kind.is_static() {
        return Err("names something that takes no answer".into());
    }
    Ok(kind)
}

/// The kinds whose answers are numbers, which `greater_than` and `less_than` compare.
fn is_numeric(kind: &FieldKind) -> bool {
    matches!(
        kind,
        FieldKind::Number { .. }
            | FieldKind::Rating { .. }
            | FieldKind::OpinionScale { .. }
            | FieldKind::Calculation { .. }
    )
}

/// The kinds answered with free text, which `contains` and `one_of` compare.
pub fn is_text(kind: &FieldKind) -> bool {
    matches!(
        kind,
        FieldKind::ShortText { .. }
            | FieldKind::LongText { .. }
            | FieldKind::Email
            | FieldKind::Phone
            | FieldKind::Hidden
    )
}

/// Whether `value` is something an answer of `kind` can equal.
fn value_fits(kind: &FieldKind, value: &Value) -> Result<(), String> {
    match (kind, value) {
        (FieldKind::YesNo | FieldKind::Consent { .. }, Value::Bool(_)) => Ok(()),
        (FieldKind::YesNo | FieldKind::Consent { .. }, _) => {
            Err("is answered yes or no: compare with true or false".into())
        }
        (FieldKind::SingleChoice { options, .. }, Value::String(v)) if options.iter().any(|o| &o.value == v) => Ok(()),
        (FieldKind::SingleChoice { .. }, v) => Err(format!("has no option {v}")),
        (FieldKind::Number { .. } | FieldKind::Calculation { .. }, Value::String(v))
            if compare_numbers(v, v).is_some() =>
        {
            Ok(())
        }
        (FieldKind::Number { .. } | FieldKind::Calculation { .. }, v) => {
            Err(format!("is a number, and {v} is not one"))
        }
        (kind @ (FieldKind::Rating { .. } | FieldKind::OpinionScale { .. }), Value::String(v))
            if v.parse::<u32>().is_ok_and(|p| p.to_string() == *v && kind.points().is_some_and(|r| r.contains(&p))) =>
        {
            Ok(())
        }
        (FieldKind::Rating { .. } | FieldKind::OpinionScale { .. }, v) => Err(format!("has no point {v}")),
        (FieldKind::Date { .. }, Value::String(v)) if crate::validate::parse_date(v).is_some() => Ok(()),
        (FieldKind::Date { .. }, v) => Err(format!("is a date, and {v} is not one (YYYY-MM-DD)")),
        (kind, Value::String(_)) if is_text(kind) => Ok(()),
        _ => Err("cannot be compared with a single value: use contains or answered".into()),
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod calculation_tests;
