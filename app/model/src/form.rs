//! Form definitions: what an operator designs and publishes.
//!
//! A published version is immutable and content-addressed: its id is the digest of
//! its canonical bytes (see [`crate::canonical`]). Signed objects carry no floats, so
//! every number here is an integer or, for answers, an exact decimal string.

use serde::{Deserialize, Serialize};

use crate::text::LocalText;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormDef {
    /// Stable id of the form across versions (lowercase letters, digits, `-`).
    pub id: String,
    pub title: LocalText,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<LocalText>,
    /// Languages the form is written in; the first is the default.
    pub languages: Vec<String>,
    pub notice: Notice,
    pub fields: Vec<Field>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success_message: Option<LocalText>,
}

/// What the visitor is told before submitting (GDPR Art. 13).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub controller: Controller,
    pub purpose: LocalText,
    pub legal_basis: LegalBasis,
    /// Days after receipt when the personal payload is deleted.
    pub retention_days: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Controller {
    pub name: String,
    pub address: String,
    pub contact: String,
}

/// GDPR Art. 6 (1) a–f.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LegalBasis {
    Consent,
    Contract,
    LegalObligation,
    VitalInterests,
    PublicTask,
    LegitimateInterests,
}

impl LegalBasis {
    pub fn label(self, lang: &str) -> &'static str {
        let de = lang == "de";
        match self {
            LegalBasis::Consent => {
                if de {
                    "Einwilligung (Art. 6 Abs. 1 lit. a DSGVO)"
                } else {
                    "Consent (GDPR Art. 6(1)(a))"
                }
            }
            LegalBasis::Contract => {
                if de {
                    "Vertrag (Art. 6 Abs. 1 lit. b DSGVO)"
                } else {
                    "Contract (GDPR Art. 6(1)(b))"
                }
            }
            LegalBasis::LegalObligation => {
                if de {
                    "Rechtliche Verpflichtung (Art. 6 Abs. 1 lit. c DSGVO)"
                } else {
                    "Legal obligation (GDPR Art. 6(1)(c))"
                }
            }
            LegalBasis::VitalInterests => {
                if de {
                    "Lebenswichtige Interessen (Art. 6 Abs. 1 lit. d DSGVO)"
                } else {
                    "Vital interests (GDPR Art. 6(1)(d))"
                }
            }
            LegalBasis::PublicTask => {
                if de {
                    "Öffentliche Aufgabe (Art. 6 Abs. 1 lit. e DSGVO)"
                } else {
                    "Public task (GDPR Art. 6(1)(e))"
                }
            }
            LegalBasis::LegitimateInterests => {
                if de {
                    "Berechtigte Interessen (Art. 6 Abs. 1 lit. f DSGVO)"
                } else {
                    "Legitimate interests (GDPR Art. 6(1)(f))"
                }
            }
        }
    }
}

/// How sensitive the data in a field is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataClass {
    #[default]
    None,
    Personal,
    /// GDPR Art. 9: health, religion, ethnic origin, ...
    Special,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Field {
    /// Key of the answer in a submission; unique within a form.
    pub key: String,
    pub label: LocalText,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<LocalText>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placeholder: Option<LocalText>,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub class: DataClass,
    #[serde(flatten)]
    pub kind: FieldKind,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FieldKind {
    ShortText {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min_len: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_len: Option<u32>,
    },
    LongText {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_len: Option<u32>,
    },
    Email,
    /// Stored in E.164 form (`+4930123456`).
    Phone,
    /// Exact decimal string answers; bounds are decimal strings too.
    Number {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max: Option<String>,
        #[serde(default)]
        integer: bool,
    },
    /// `YYYY-MM-DD`.
    Date {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min: Option<DateBound>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max: Option<DateBound>,
    },
    /// Local date and time, `YYYY-MM-DDTHH:MM`.
    DateTime,
    SingleChoice {
        options: Vec<ChoiceOption>,
    },
    MultipleChoice {
        options: Vec<ChoiceOption>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max: Option<u32>,
    },
    /// A checkbox; the exact text shown is part of the answer.
    Consent {
        text: LocalText,
    },
    /// A drawn signature over `statement`.
    Signature {
        statement: LocalText,
    },
}

impl FieldKind {
    pub fn type_name(&self) -> &'static str {
        match self {
            FieldKind::ShortText { .. } => "short_text",
            FieldKind::LongText { .. } => "long_text",
            FieldKind::Email => "email",
            FieldKind::Phone => "phone",
            FieldKind::Number { .. } => "number",
            FieldKind::Date { .. } => "date",
            FieldKind::DateTime => "date_time",
            FieldKind::SingleChoice { .. } => "single_choice",
            FieldKind::MultipleChoice { .. } => "multiple_choice",
            FieldKind::Consent { .. } => "consent",
            FieldKind::Signature { .. } => "signature",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChoiceOption {
    pub value: String,
    pub label: LocalText,
}

/// A bound for a date field: a fixed day, or a day relative to the day of submission
/// (`{"today": 0}` = today, so `max: {"today": 0}` means "not in the future").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateBound {
    Date(String),
    Today(i32),
}

impl FormDef {
    pub fn field(&self, key: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.key == key)
    }

    pub fn default_lang(&self) -> &str {
        self.languages.first().map(String::as_str).unwrap_or("en")
    }

    /// The visitor's language if the form has it, else the form's default.
    pub fn pick_lang<'a>(&'a self, wanted: &'a str) -> &'a str {
        let short = wanted.split(['-', '_']).next().unwrap_or(wanted);
        self.languages.iter().find(|l| l.as_str() == short).map(String::as_str).unwrap_or_else(|| self.default_lang())
    }
}
