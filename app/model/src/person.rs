//! Who a submission is about, as normalised lookup keys: the basis of finding one
//! person across all forms for an access request (GDPR Art. 15) or erasure (Art. 17).
//!
//! The server never indexes these values as typed: it stores a keyed hash of each
//! key (see `formseal_core::person_index`), so the index alone does not expose them.
//! Which answers identify a person follows from the field types and keys:
//! - every e-mail field (lower-cased, trimmed);
//! - every phone field (E.164, completed with the form's phone region);
//! - a name (a short text keyed `name`, `full_name`, or `first_name` + `last_name`
//!   and their variants) together with a birth date (a date field whose key names a
//!   birth, or `dob`). A name alone is too common to identify anybody.

use serde_json::Value;

use crate::form::{FieldKind, FormDef};
use crate::phone::normalize_phone;
use crate::validate::Answers;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyKind {
    Email,
    Phone,
    NameBirth,
}

impl KeyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyKind::Email => "email",
            KeyKind::Phone => "phone",
            KeyKind::NameBirth => "name_birth",
        }
    }
}

/// One normalised lookup key.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PersonKey {
    pub kind: KeyKind,
    pub value: String,
}

impl PersonKey {
    /// The bytes that get hashed: kind and value, separated so that no value of one
    /// kind can collide with another kind.
    pub fn hash_input(&self) -> Vec<u8> {
        let mut bytes = self.kind.as_str().as_bytes().to_vec();
        bytes.push(0);
        bytes.extend_from_slice(self.value.as_bytes());
        bytes
    }
}

pub fn normalize_email(text: &str) -> Option<String> {
    let email = text.trim().to_lowercase();
    (email.contains('@') && email.len() > 2).then_some(email)
}

/// Lower case, punctuation dropped, words sorted: "Müller, Anna" and "anna  MÜLLER"
/// are the same person.
pub fn normalize_name(text: &str) -> Option<String> {
    let lower = text.to_lowercase();
    let mut words: Vec<&str> =
        lower.split(|c: char| c.is_whitespace() || matches!(c, ',' | '.' | ';')).filter(|w| !w.is_empty()).collect();
    words.sort_unstable();
    (!words.is_empty()).then(|| words.join(" "))
}

/// `YYYY-MM-DD`, as date fields store it.
pub fn normalize_date(text: &str) -> Option<String> {
    let t = text.trim();
    let ok =
        t.len() == 10 && t.char_indices().all(|(i, c)| if i == 4 || i == 7 { c == '-' } else { c.is_ascii_digit() });
    ok.then(|| t.to_owned())
}

pub fn name_birth(name: &str, birth: &str) -> Option<PersonKey> {
    Some(PersonKey {
        kind: KeyKind::NameBirth,
        value: format!("{}\u{0}{}", normalize_name(name)?, normalize_date(birth)?),
    })
}

/// What the operator searches by; empty strings are ignored. A name counts only
/// with a birth date.
pub fn lookup_keys(email: &str, phone: &str, name: &str, birth: &str, region: Option<&str>) -> Vec<PersonKey> {
    let mut keys = Vec::new();
    if let Some(value) = normalize_email(email) {
        keys.push(PersonKey { kind: KeyKind::Email, value });
    }
    let phone = normalize_phone(phone.trim(), region);
    if phone.starts_with('+') && phone.len() > 4 {
        keys.push(PersonKey { kind: KeyKind::Phone, value: phone });
    }
    keys.extend(name_birth(name, birth));
    keys
}

const FULL_NAME: &[&str] = &["name", "full_name", "fullname", "your_name", "contact_name"];
const FIRST_NAME: &[&str] = &["first_name", "firstname", "given_name", "forename", "vorname"];
const LAST_NAME: &[&str] = &["last_name", "lastname", "family_name", "surname", "nachname"];

fn is_birth_key(key: &str) -> bool {
    let k = key.to_lowercase();
    k.contains("birth") || k == "dob" || k.contains("geburt")
}

/// The lookup keys of one submission's answers under its form version.
pub fn keys_of(form: &FormDef, answers: &Answers) -> Vec<PersonKey> {
    let text = |key: &str| answers.get(key).and_then(Value::as_str).filter(|s| !s.trim().is_empty());
    let find = |names: &[&str]| {
        form.fields
            .iter()
            .find(|f| names.contains(&f.key.to_lowercase().as_str()) && matches!(f.kind, FieldKind::ShortText { .. }))
            .and_then(|f| text(&f.key))
    };
    let mut keys = Vec::new();
    for field in &form.fields {
        let Some(value) = text(&field.key) else { continue };
        match field.kind {
            FieldKind::Email => {
                keys.extend(normalize_email(value).map(|value| PersonKey { kind: KeyKind::Email, value }))
            }
            FieldKind::Phone => {
                let value = normalize_phone(value, form.phone_region.as_deref());
                if value.starts_with('+') {
                    keys.push(PersonKey { kind: KeyKind::Phone, value });
                }
            }
            _ => {}
        }
    }
    let name = find(FULL_NAME).map(str::to_owned).or_else(|| match (find(FIRST_NAME), find(LAST_NAME)) {
        (Some(first), Some(last)) => Some(format!("{first} {last}")),
        _ => None,
    });
    let births = form
        .fields
        .iter()
        .filter(|f| matches!(f.kind, FieldKind::Date { .. }) && is_birth_key(&f.key))
        .filter_map(|f| text(&f.key));
    if let Some(name) = name {
        for birth in births {
            keys.extend(name_birth(&name, birth));
        }
    }
    keys.sort();
    keys.dedup();
    keys
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::templates;
    use serde_json::json;

    fn answers(pairs: &[(&str, &str)]) -> Answers {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), json!(v))).collect()
    }

    #[test]
    fn keys_of_a_customer_questionnaire() {
        let mut form = templates::build("customer_questionnaire", "cq", "Customers").expect("template");
        form.phone_region = Some("DE".into());
        for (key, kind) in [("email", FieldKind::Email), ("phone", FieldKind::Phone)] {
            if form.field(key).is_none() {
                form.fields.push(crate::Field {
                    key: key.into(),
                    label: crate::LocalText::new(key, key),
                    help: None,
                    placeholder: None,
                    required: false,
                    class: crate::DataClass::Personal,
                    visible_if: None,
                    required_if: None,
                    kind,
                });
            }
        }
        let a = answers(&[
            ("name", "Anna  Müller"),
            ("email", " Anna.Mueller@Example.ORG "),
            ("phone", "0171 2345678"),
            ("birth_date", "1990-04-01"),
        ]);
        let keys = keys_of(&form, &a);
        assert_eq!(
            keys,
            vec![
                PersonKey { kind: KeyKind::Email, value: "anna.mueller@example.org".into() },
                PersonKey { kind: KeyKind::Phone, value: "+491712345678".into() },
                name_birth("müller anna", "1990-04-01").unwrap(),
            ]
        );
        // Without the birth date, the name is no key.
        let a = answers(&[("name", "Anna Müller"), ("email", "a@example.org")]);
        assert_eq!(keys_of(&form, &a).len(), 1);
    }

    #[test]
    fn lookup_normalises_like_the_index() {
        let keys = lookup_keys("ANNA.mueller@example.org", "+49 171 2345678", "Müller, Anna", "1990-04-01", None);
        assert_eq!(keys.len(), 3);
        assert_eq!(keys[0].value, "anna.mueller@example.org");
        assert_eq!(keys[1].value, "+491712345678");
        assert_eq!(keys[2], name_birth("anna müller", "1990-04-01").unwrap());
        // A name without a birth date identifies nobody; junk is ignored.
        assert!(lookup_keys("", "", "Anna Müller", "", None).is_empty());
        assert!(lookup_keys("no-at-sign", "12", "", "1990-4-1", None).is_empty());
    }

    #[test]
    fn kinds_never_collide() {
        let a = PersonKey { kind: KeyKind::Email, value: "x".into() };
        let b = PersonKey { kind: KeyKind::Phone, value: "x".into() };
        assert_ne!(a.hash_input(), b.hash_input());
    }
}
