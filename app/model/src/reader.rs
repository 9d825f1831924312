//! What a reader of one form's submissions sees: the one projection of a submission
//! that the console (list and detail), every export and the access report use, so a
//! rule about what stays hidden is written once and holds everywhere.
//!
//! Who gets which view is the permission matrix's business (the server's
//! `Operator::form_access`: full with the right to see personal data, or a partner's
//! grant for the form; compact otherwise). This module only says what each view shows.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::answer::answer_text;
use crate::form::{DataClass, Field, FieldKind, FormDef};
use crate::link::signature_svg;

/// How much of one form's submissions a reader sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FormAccess {
    /// Every answer, the signed envelope, the corrections.
    Full,
    /// Answers of fields classed "not personal" only, never an e-signature.
    Compact,
}

impl FormAccess {
    /// Whether this view shows the answer to `field`. An e-signature is withheld from
    /// the compact view whatever its class: its strokes (or typed name) identify a
    /// person even on a field someone classed as not personal.
    pub fn shows(self, field: &Field) -> bool {
        match self {
            FormAccess::Full => true,
            FormAccess::Compact => field.class == DataClass::None && !matches!(field.kind, FieldKind::Signature { .. }),
        }
    }

    pub fn is_compact(self) -> bool {
        self == FormAccess::Compact
    }

    /// As the audit log names it.
    pub fn as_str(self) -> &'static str {
        match self {
            FormAccess::Full => "full",
            FormAccess::Compact => "compact",
        }
    }
}

/// One answer as a reader sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShownAnswer {
    pub key: String,
    pub label: String,
    pub value: String,
}

/// An e-signature among the answers a reader sees, ready to draw.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShownSignature {
    pub label: String,
    pub statement: String,
    /// The drawing as SVG markup (numbers only: built from the strokes).
    pub svg: Option<String>,
    /// The typed name, for a signature made with the keyboard.
    pub typed: Option<String>,
    pub strokes: usize,
    pub points: usize,
}

/// The answers `access` lets a reader see, with the field each answers (if the
/// definition knows it), in form order. Answers to keys the definition does not
/// know follow, sorted, in the full view only: the compact view shows nothing it
/// cannot classify.
pub fn visible<'a>(
    definition: Option<&'a FormDef>,
    answers: &'a Map<String, Value>,
    access: FormAccess,
) -> Vec<(&'a str, Option<&'a Field>, &'a Value)> {
    let position = |key: &str| definition.and_then(|d| d.fields.iter().position(|f| f.key == key));
    let mut shown: Vec<(&str, Option<&Field>, &Value)> = answers
        .iter()
        .map(|(key, value)| (key.as_str(), definition.and_then(|d| d.field(key)), value))
        .filter(|(_, field, _)| match field {
            Some(f) => access.shows(f),
            None => access == FormAccess::Full,
        })
        .collect();
    shown.sort_by_key(|(key, _, _)| (position(key).unwrap_or(usize::MAX), *key));
    shown
}

/// The answers of an envelope (its `answers` member) as a reader sees them, labelled
/// in `lang` (the form's default language when `None`).
pub fn answers(
    definition: Option<&FormDef>,
    envelope_answers: Option<&Map<String, Value>>,
    access: FormAccess,
    lang: Option<&str>,
) -> Vec<ShownAnswer> {
    let Some(map) = envelope_answers else { return Vec::new() };
    let lang = lang.unwrap_or(definition.map_or("en", FormDef::default_lang));
    visible(definition, map, access)
        .into_iter()
        .map(|(key, field, value)| ShownAnswer {
            key: key.to_owned(),
            label: field.map_or(key.to_owned(), |f| f.label.get(lang).to_owned()),
            value: answer_text(field.map(|f| &f.kind), value),
        })
        .collect()
}

/// The e-signatures among the answers a reader sees (none in the compact view).
pub fn signatures(
    definition: Option<&FormDef>,
    envelope_answers: Option<&Map<String, Value>>,
    access: FormAccess,
) -> Vec<ShownSignature> {
    let Some(map) = envelope_answers else { return Vec::new() };
    let lang = definition.map_or("en", FormDef::default_lang);
    visible(definition, map, access)
        .into_iter()
        .filter_map(|(_, field, value)| {
            let field = field.filter(|f| matches!(f.kind, FieldKind::Signature { .. }))?;
            let strokes = value.get("strokes").and_then(Value::as_array);
            Some(ShownSignature {
                label: field.label.get(lang).to_owned(),
                statement: value.get("statement").and_then(Value::as_str).unwrap_or("").to_owned(),
                svg: signature_svg(value),
                typed: value.get("typed").and_then(Value::as_str).map(str::to_owned),
                strokes: strokes.map_or(0, Vec::len),
                points: strokes.map_or(0, |s| s.iter().filter_map(Value::as_array).map(Vec::len).sum()),
            })
        })
        .collect()
}

/// The `answers` member of a signed envelope, if it is there (it is gone once deleted).
pub fn envelope_answers(envelope: Option<&Value>) -> Option<&Map<String, Value>> {
    envelope.and_then(|e| e.get("answers")).and_then(Value::as_object)
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use serde_json::json;

    use super::*;
    use crate::text::LocalText;

    fn field(key: &str, class: DataClass, kind: FieldKind) -> Field {
        Field {
            key: key.into(),
            label: LocalText::new(key, key),
            help: None,
            placeholder: None,
            required: false,
            class,
            visible_if: None,
            required_if: None,
            kind,
        }
    }

    fn form() -> FormDef {
        let mut def = crate::demo::contact_tracing();
        def.fields = vec![
            field("table", DataClass::None, FieldKind::Email),
            field(
                "sig",
                DataClass::None,
                FieldKind::Signature { statement: LocalText::new("I agree", "Ich stimme zu") },
            ),
            field("health", DataClass::Special, FieldKind::YesNo),
        ];
        def
    }

    fn submitted() -> Map<String, Value> {
        let answers = json!({
            "sig": { "statement": "I agree", "strokes": [[[1, 2], [3, 4]]] },
            "health": true,
            "table": "7",
            "stray": "kept out of compact"
        });
        answers.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn the_compact_view_never_holds_a_signature_whatever_its_class() {
        let (def, answers) = (form(), submitted());
        let shown = super::answers(Some(&def), Some(&answers), FormAccess::Compact, None);
        assert_eq!(shown.iter().map(|a| a.key.as_str()).collect::<Vec<_>>(), ["table"]);
        assert!(signatures(Some(&def), Some(&answers), FormAccess::Compact).is_empty());
        assert!(super::answers(None, Some(&answers), FormAccess::Compact, None).is_empty(), "unknown form: nothing");
    }

    #[test]
    fn the_full_view_holds_everything_in_form_order() {
        let (def, answers) = (form(), submitted());
        let shown = super::answers(Some(&def), Some(&answers), FormAccess::Full, None);
        assert_eq!(shown.iter().map(|a| a.key.as_str()).collect::<Vec<_>>(), ["table", "sig", "health", "stray"]);
        let sigs = signatures(Some(&def), Some(&answers), FormAccess::Full);
        assert_eq!((sigs.len(), sigs[0].strokes, sigs[0].points), (1, 1, 2));
        assert!(sigs[0].svg.is_some());
    }
}
