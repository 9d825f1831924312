//! What a form collects, by data class, and what a privacy officer would say
//! about it: the designer's data overview.

use serde::{Deserialize, Serialize};

use crate::form::{DataClass, FieldKind, FormDef, LegalBasis};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overview {
    /// Labels (in the form's default language) of the answered fields, by class.
    pub none: Vec<String>,
    pub personal: Vec<String>,
    pub special: Vec<String>,
    pub notes: Vec<Note>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    pub level: NoteLevel,
    /// Position of the field the note is about.
    pub field: Option<usize>,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteLevel {
    Warning,
    Hint,
}

/// Field types whose answers identify a person whatever the operator calls them.
fn identifying(kind: &FieldKind) -> bool {
    matches!(kind, FieldKind::Email | FieldKind::Phone | FieldKind::Address { .. } | FieldKind::Signature { .. })
}

pub fn overview(form: &FormDef) -> Overview {
    let lang = form.default_lang();
    let mut out = Overview::default();
    let mut notes = Vec::new();
    let mut note = |level, field, message| notes.push(Note { level, field, message });
    for (index, field) in form.fields.iter().enumerate() {
        if field.kind.is_static() {
            continue;
        }
        let label = field.label.get(lang).to_owned();
        match field.class {
            DataClass::None => out.none.push(label.clone()),
            DataClass::Personal => out.personal.push(label.clone()),
            DataClass::Special => out.special.push(label.clone()),
        }
        if field.class == DataClass::None && identifying(&field.kind) {
            note(
                NoteLevel::Warning,
                Some(index),
                format!("“{label}” identifies a person but is classed as not personal. Class it as personal."),
            );
        }
        if field.class != DataClass::None && !field.required && !matches!(field.kind, FieldKind::Hidden) {
            note(
                NoteLevel::Hint,
                Some(index),
                format!(
                    "“{label}” is optional personal data. If the purpose works without it, leave it out \
                     (data minimisation, GDPR Art. 5 (1) c)."
                ),
            );
        }
    }
    let collects_personal = !out.personal.is_empty() || !out.special.is_empty();
    if !out.special.is_empty() {
        note(
            NoteLevel::Warning,
            None,
            format!(
                "This form collects special-category data (GDPR Art. 9): {}. Processing needs a condition of \
                 Art. 9 (2), usually explicit consent; visitors' browsers keep no draft of this form.",
                out.special.join(", ")
            ),
        );
    }
    if collects_personal && form.notice.purpose.is_empty() {
        note(NoteLevel::Warning, None, "The form collects personal data but states no purpose.".into());
    }
    let has_consent = form.fields.iter().any(|f| matches!(f.kind, FieldKind::Consent { .. }));
    if form.notice.legal_basis == LegalBasis::Consent && collects_personal && !has_consent {
        note(
            NoteLevel::Warning,
            None,
            "The legal basis is consent, but the form has no consent checkbox to record it.".into(),
        );
    }
    if collects_personal && form.notice.retention_days > 365 {
        note(
            NoteLevel::Hint,
            None,
            format!(
                "Personal data is kept for {} days. Keep it only as long as the purpose needs.",
                form.notice.retention_days
            ),
        );
    }
    out.notes = notes;
    out
}

#[cfg(test)]
mod tests {
    // In the wasm32 build the same tests run under wasm-bindgen-test.
    use super::*;
    use crate::templates;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn contact_tracing_collects_personal_data_only() {
        let form = templates::build("contact_tracing", "guests", "Guests").unwrap();
        let o = overview(&form);
        assert!(o.special.is_empty());
        assert!(o.personal.contains(&"Full name".to_owned()));
        assert!(o.notes.iter().all(|n| n.level == NoteLevel::Hint), "{:?}", o.notes);
        // The optional e-mail is the one minimisation hint.
        assert_eq!(o.notes.len(), 1);
        assert!(o.notes[0].message.contains("E-mail"));
    }

    #[test]
    fn warns_on_special_data_misclassified_fields_and_missing_consent() {
        let mut form = templates::build("lead_form", "leads", "Leads").unwrap();
        form.fields.retain(|f| !matches!(f.kind, FieldKind::Consent { .. }));
        form.fields[1].class = DataClass::None; // the e-mail
        form.fields[0].class = DataClass::Special;
        form.notice.purpose = Default::default();
        let o = overview(&form);
        let warnings: Vec<&str> =
            o.notes.iter().filter(|n| n.level == NoteLevel::Warning).map(|n| n.message.as_str()).collect();
        assert!(warnings.iter().any(|m| m.contains("special-category")), "{warnings:?}");
        assert!(warnings.iter().any(|m| m.contains("classed as not personal")), "{warnings:?}");
        assert!(warnings.iter().any(|m| m.contains("no purpose")), "{warnings:?}");
        assert!(warnings.iter().any(|m| m.contains("no consent checkbox")), "{warnings:?}");
    }
}
