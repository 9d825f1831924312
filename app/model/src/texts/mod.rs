//! The model's own words, one file per language: what a visitor is told about an
//! answer, the legal bases, the countries' names and the access report.
//!
//! A language is its file here and its arm in `by_lang!`; the compiler points at a
//! file that lacks a text. Each part is a static of its own, so a build links only
//! the parts it uses (the widget has no access report).

mod de;
mod en;

use crate::address::COUNTRIES;
use crate::lang::Lang;

/// The one place a language picks its file.
macro_rules! by_lang {
    ($lang:expr, $part:ident) => {
        match $lang {
            Lang::En => &en::$part,
            Lang::De => &de::$part,
        }
    };
}

/// What a visitor is told about an answer that cannot be taken
/// ([`crate::Problem::message`]). Texts with a value are functions of it.
pub struct ProblemTexts {
    pub required: &'static str,
    /// What was expected, e.g. "one line of text".
    pub wrong_type: fn(&str) -> String,
    pub too_short: fn(u32) -> String,
    pub too_long: fn(u32) -> String,
    pub invalid_email: &'static str,
    pub invalid_phone: &'static str,
    pub not_a_number: &'static str,
    pub not_an_integer: &'static str,
    pub below_min: fn(&str) -> String,
    pub above_max: fn(&str) -> String,
    pub invalid_date: &'static str,
    pub date_too_early: fn(&str) -> String,
    pub date_too_late: fn(&str) -> String,
    pub invalid_date_time: &'static str,
    pub unknown_option: &'static str,
    pub too_few_choices: fn(u32) -> String,
    pub too_many_choices: fn(u32) -> String,
    pub duplicate_choice: &'static str,
    pub consent_required: &'static str,
    pub unknown_text: &'static str,
    pub invalid_signature: &'static str,
    pub unknown_field: &'static str,
    /// When the operator gave no message of their own for a pattern.
    pub pattern_mismatch: &'static str,
    pub step_mismatch: fn(&str) -> String,
    /// The missing part, one of the four below.
    pub address_incomplete: fn(&str) -> String,
    pub address_street: &'static str,
    pub address_postcode: &'static str,
    pub address_city: &'static str,
    pub address_country: &'static str,
    /// The country's name in this language.
    pub invalid_postcode: fn(&str) -> String,
    pub locked: &'static str,
    pub no_answer_expected: &'static str,
    /// An answer to a question the form's logic hid for the other answers.
    pub not_asked: &'static str,
    /// A matrix row that must be answered was not.
    pub row_required: &'static str,
    /// A ranking that leaves items out.
    pub rank_all: &'static str,
    /// The value the form computes, shown to whoever sent a different one.
    pub calculation_mismatch: fn(&str) -> String,
}

/// The labels of GDPR Art. 6 (1) a–f ([`crate::LegalBasis::label`]).
pub struct LegalBasisTexts {
    pub consent: &'static str,
    pub contract: &'static str,
    pub legal_obligation: &'static str,
    pub vital_interests: &'static str,
    pub public_task: &'static str,
    pub legitimate_interests: &'static str,
}

/// The name of each country in [`COUNTRIES`], in the same order: a file that
/// misses one does not compile.
pub type CountryNames = [(&'static str, &'static str); COUNTRIES.len()];

/// The words of the access report's printable page ([`crate::access_report::to_html`]).
pub struct ReportTexts {
    pub title: &'static str,
    pub intro: &'static str,
    pub request: &'static str,
    pub received: &'static str,
    pub produced: &'static str,
    pub none: &'static str,
    pub form: &'static str,
    pub controller: &'static str,
    pub purpose: &'static str,
    pub legal_basis: &'static str,
    pub retention: &'static str,
    pub days: &'static str,
    pub collected: &'static str,
    pub recipients: &'static str,
    pub no_recipients: &'static str,
    pub proof: &'static str,
    pub proof_ok: &'static str,
    pub proof_bad: &'static str,
    pub deleted: &'static str,
    pub answers: &'static str,
    pub corrections: &'static str,
    pub source: &'static str,
    pub rights_title: &'static str,
    pub rights: &'static str,
}

pub fn problems(lang: Lang) -> &'static ProblemTexts {
    by_lang!(lang, PROBLEMS)
}

pub fn legal_bases(lang: Lang) -> &'static LegalBasisTexts {
    by_lang!(lang, LEGAL_BASES)
}

pub fn countries(lang: Lang) -> &'static CountryNames {
    by_lang!(lang, COUNTRY_NAMES)
}

pub fn report(lang: Lang) -> &'static ReportTexts {
    by_lang!(lang, REPORT)
}

#[cfg(test)]
mod tests {
    // In the wasm32 build the same tests run under wasm-bindgen-test.
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn every_language_names_every_country_in_order() {
        for lang in Lang::ALL {
            let codes: Vec<&str> = countries(lang).iter().map(|(code, _)| *code).collect();
            assert_eq!(codes, COUNTRIES, "{lang:?}");
            assert!(countries(lang).iter().all(|(_, name)| !name.is_empty()), "{lang:?}");
        }
    }
}
