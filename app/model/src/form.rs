//! Form definitions: what an operator designs and publishes.
//!
//! A published version is immutable and content-addressed: its id is the digest of
//! its canonical bytes (see [`crate::canonical`]). Signed objects carry no floats, so
//! every number here is an integer or, for answers, an exact decimal string.

use serde::{Deserialize, Serialize};

use crate::calculation::Formula;
use crate::lang::Lang;
use crate::logic::{Condition, Jump};
use crate::text::LocalText;
use crate::texts;

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
    /// Region whose national numbers visitors may type without country code
    /// (ISO 3166 alpha-2, e.g. `DE`); see [`crate::phone`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_region: Option<String>,
    /// The operator's look for this form; a host page may still override it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theme: Option<Theme>,
}

/// The widget's CSS custom properties, set per form. Values are checked by
/// [`crate::definition::check`] so nothing but a colour, a font name and a length
/// reaches the style sheet.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Theme {
    /// `#rrggbb`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accent: Option<String>,
    /// A font family list such as `Georgia, serif`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub font: Option<String>,
    /// Corner radius in CSS pixels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub radius_px: Option<u32>,
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
    /// The basis as a visitor reads it, with its article, in `lang`.
    pub fn label(self, lang: &str) -> &'static str {
        let t = texts::legal_bases(Lang::parse(lang));
        match self {
            LegalBasis::Consent => t.consent,
            LegalBasis::Contract => t.contract,
            LegalBasis::LegalObligation => t.legal_obligation,
            LegalBasis::VitalInterests => t.vital_interests,
            LegalBasis::PublicTask => t.public_task,
            LegalBasis::LegitimateInterests => t.legitimate_interests,
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
    /// Asked only when this holds for the answers before it ([`crate::logic`]). On a
    /// page break: the whole page is shown only when it holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visible_if: Option<Condition>,
    /// Required (when shown) whenever this holds, even if `required` is false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_if: Option<Condition>,
    #[serde(flatten)]
    pub kind: FieldKind,
}

impl Field {
    /// A field with no help, placeholder or logic.
    pub fn new(key: &str, label: LocalText, required: bool, class: DataClass, kind: FieldKind) -> Field {
        Field {
            key: key.to_owned(),
            label,
            help: None,
            placeholder: None,
            required,
            class,
            visible_if: None,
            required_if: None,
            kind,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FieldKind {
    ShortText {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min_len: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_len: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pattern: Option<TextPattern>,
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
        /// Answers must be `min` (or 0) plus a whole multiple of `step`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        step: Option<String>,
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
    /// Street, postcode, city and country; answered as an object of four strings.
    Address {
        /// Countries that may be chosen (ISO 3166 alpha-2); the first is preselected.
        countries: Vec<String>,
    },
    SingleChoice {
        options: Vec<ChoiceOption>,
        #[serde(default, skip_serializing_if = "ChoiceDisplay::is_radio")]
        display: ChoiceDisplay,
    },
    MultipleChoice {
        options: Vec<ChoiceOption>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max: Option<u32>,
        /// Whether the visitor may add one answer of their own ("Other: …").
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        other: bool,
    },
    /// Answered `true` or `false`.
    YesNo,
    /// A rating of 1 to `max` points (stars), answered as a decimal string (`"4"`).
    Rating {
        #[serde(default = "default_rating_max")]
        max: u32,
    },
    /// An opinion scale from `min` (0 or 1) to `max` (at most 10), answered as a
    /// decimal string; 0 to 10 is the net promoter question. The end labels say
    /// what the ends mean ("Not at all likely", "Extremely likely").
    OpinionScale {
        #[serde(default)]
        min: u32,
        #[serde(default = "default_scale_max")]
        max: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min_label: Option<LocalText>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_label: Option<LocalText>,
    },
    /// A grid: one single choice among `columns` per row, answered as an object
    /// from row value to column value (`{"speed": "good"}`). `required` on the field
    /// asks for every row; a row's own `required` asks for that row.
    Matrix {
        rows: Vec<MatrixRow>,
        columns: Vec<ChoiceOption>,
    },
    /// The visitor puts every option in their order of preference, answered as the
    /// list of all option values, most preferred first.
    Ranking {
        options: Vec<ChoiceOption>,
    },
    /// A value the form computes from earlier answers ([`crate::calculation`]), such as
    /// a score or a total, answered as its exact decimal (`"64.92"`). The browser
    /// fills it in; the server computes it again. `show` puts the live value in front
    /// of the visitor; otherwise only the operator sees it.
    Calculation {
        formula: Formula,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        show: bool,
    },
    /// A checkbox; the exact text shown is part of the answer.
    Consent {
        text: LocalText,
    },
    /// A drawn signature over `statement`.
    Signature {
        statement: LocalText,
    },
    /// A section heading (its label); asks nothing.
    Heading,
    /// A paragraph of text; asks nothing.
    Paragraph {
        text: LocalText,
    },
    /// Not shown; its value comes from a personal link's prefill.
    Hidden,
    /// Starts a new page, titled with its label; asks nothing. Its `jumps` are tried,
    /// in order, when the visitor leaves the page it starts.
    PageBreak {
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        jumps: Vec<Jump>,
    },
}

fn default_rating_max() -> u32 {
    5
}

fn default_scale_max() -> u32 {
    10
}

impl Theme {
    pub fn accent_ok(accent: &str) -> bool {
        accent.strip_prefix('#').is_some_and(|hex| hex.len() == 6 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
    }

    pub fn font_ok(font: &str) -> bool {
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, ' ' | ',' | '-' | '\'');
        !font.is_empty() && font.len() <= 100 && font.chars().all(allowed)
    }

    pub const MAX_RADIUS_PX: u32 = 32;

    /// The CSS custom-property declarations of this theme, e.g.
    /// `--fs-accent:#1a5fb4;`. Values that fail the checks are left out, so nothing
    /// else ever reaches a style sheet.
    pub fn declarations(&self) -> String {
        let mut css = String::new();
        if let Some(accent) = self.accent.as_deref().filter(|a| Self::accent_ok(a)) {
            css.push_str(&format!("--fs-accent:{accent};"));
        }
        if let Some(font) = self.font.as_deref().filter(|f| Self::font_ok(f)) {
            css.push_str(&format!("--fs-font:{font};"));
        }
        if let Some(radius) = self.radius_px.filter(|r| *r <= Self::MAX_RADIUS_PX) {
            css.push_str(&format!("--fs-radius:{radius}px;"));
        }
        css
    }
}

/// How a single choice is offered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChoiceDisplay {
    #[default]
    Radio,
    Dropdown,
}

impl ChoiceDisplay {
    fn is_radio(&self) -> bool {
        *self == ChoiceDisplay::Radio
    }
}

/// A pattern a short text must match, with the message shown when it does not.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextPattern {
    /// A regular expression (Rust `regex` syntax) the whole answer must match.
    pub regex: String,
    pub message: LocalText,
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
            FieldKind::Address { .. } => "address",
            FieldKind::SingleChoice { .. } => "single_choice",
            FieldKind::MultipleChoice { .. } => "multiple_choice",
            FieldKind::YesNo => "yes_no",
            FieldKind::Rating { .. } => "rating",
            FieldKind::OpinionScale { .. } => "opinion_scale",
            FieldKind::Matrix { .. } => "matrix",
            FieldKind::Ranking { .. } => "ranking",
            FieldKind::Calculation { .. } => "calculation",
            FieldKind::Consent { .. } => "consent",
            FieldKind::Signature { .. } => "signature",
            FieldKind::Heading => "heading",
            FieldKind::Paragraph { .. } => "paragraph",
            FieldKind::Hidden => "hidden",
            FieldKind::PageBreak { .. } => "page_break",
        }
    }

    /// The points a rating or opinion scale offers, lowest first.
    pub fn points(&self) -> Option<std::ops::RangeInclusive<u32>> {
        match self {
            FieldKind::Rating { max } => Some(1..=*max),
            FieldKind::OpinionScale { min, max, .. } => Some(*min..=*max),
            _ => None,
        }
    }

    /// Headings, paragraphs and page breaks show text but take no answer.
    pub fn is_static(&self) -> bool {
        matches!(self, FieldKind::Heading | FieldKind::Paragraph { .. } | FieldKind::PageBreak { .. })
    }

    /// A new field of the type named `type_name`, with empty settings, as the
    /// designer's palette adds it.
    pub fn blank(type_name: &str) -> Option<FieldKind> {
        let text = || LocalText::default();
        Some(match type_name {
            "short_text" => FieldKind::ShortText { min_len: None, max_len: None, pattern: None },
            "long_text" => FieldKind::LongText { max_len: None },
            "email" => FieldKind::Email,
            "phone" => FieldKind::Phone,
            "number" => FieldKind::Number { min: None, max: None, integer: false, step: None },
            "date" => FieldKind::Date { min: None, max: None },
            "date_time" => FieldKind::DateTime,
            "address" => FieldKind::Address { countries: vec!["DE".into(), "AT".into(), "CH".into()] },
            "single_choice" => FieldKind::SingleChoice { options: Vec::new(), display: ChoiceDisplay::Radio },
            "multiple_choice" => FieldKind::MultipleChoice { options: Vec::new(), min: None, max: None, other: false },
            "yes_no" => FieldKind::YesNo,
            "rating" => FieldKind::Rating { max: 5 },
            "opinion_scale" => FieldKind::OpinionScale { min: 0, max: 10, min_label: None, max_label: None },
            "matrix" => FieldKind::Matrix { rows: Vec::new(), columns: Vec::new() },
            "ranking" => FieldKind::Ranking { options: Vec::new() },
            "calculation" => FieldKind::Calculation { formula: Formula::Sum { terms: Vec::new() }, show: true },
            "consent" => FieldKind::Consent { text: text() },
            "signature" => FieldKind::Signature { statement: text() },
            "heading" => FieldKind::Heading,
            "paragraph" => FieldKind::Paragraph { text: text() },
            "hidden" => FieldKind::Hidden,
            "page_break" => FieldKind::PageBreak { jumps: Vec::new() },
            _ => return None,
        })
    }

    /// Every type name, in the order the designer's palette lists them.
    pub const TYPE_NAMES: [&'static str; 22] = [
        "short_text",
        "long_text",
        "email",
        "phone",
        "number",
        "date",
        "date_time",
        "address",
        "single_choice",
        "multiple_choice",
        "yes_no",
        "rating",
        "opinion_scale",
        "matrix",
        "ranking",
        "calculation",
        "consent",
        "signature",
        "heading",
        "paragraph",
        "hidden",
        "page_break",
    ];
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChoiceOption {
    pub value: String,
    pub label: LocalText,
    /// What choosing this option counts in a calculation (an exact decimal);
    /// an option without one counts 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<String>,
}

impl ChoiceOption {
    pub fn new(value: &str, label: LocalText) -> ChoiceOption {
        ChoiceOption { value: value.to_owned(), label, score: None }
    }
}

/// One row of a matrix.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatrixRow {
    pub value: String,
    pub label: LocalText,
    /// This row must be answered whenever the matrix is shown.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub required: bool,
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
