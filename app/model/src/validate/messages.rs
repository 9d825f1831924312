//! What a visitor is told about a problem. The words are in the model's texts
//! ([`crate::texts::problems`]), one file per language; here only which text says
//! which problem.

use super::Problem;
use crate::address;
use crate::lang::Lang;
use crate::texts;

impl Problem {
    /// A message a visitor understands, in `lang` (English for a language Formseal
    /// has no texts in).
    pub fn message(&self, lang: &str) -> String {
        let t = texts::problems(Lang::parse(lang));
        match self {
            Problem::Required => t.required.into(),
            Problem::WrongType { expected } => (t.wrong_type)(expected),
            Problem::TooShort { min } => (t.too_short)(*min),
            Problem::TooLong { max } => (t.too_long)(*max),
            Problem::InvalidEmail => t.invalid_email.into(),
            Problem::InvalidPhone => t.invalid_phone.into(),
            Problem::NotANumber => t.not_a_number.into(),
            Problem::NotAnInteger => t.not_an_integer.into(),
            Problem::BelowMin { min } => (t.below_min)(min),
            Problem::AboveMax { max } => (t.above_max)(max),
            Problem::InvalidDate => t.invalid_date.into(),
            Problem::DateTooEarly { min } => (t.date_too_early)(min),
            Problem::DateTooLate { max } => (t.date_too_late)(max),
            Problem::InvalidDateTime => t.invalid_date_time.into(),
            Problem::UnknownOption { .. } => t.unknown_option.into(),
            Problem::TooFewChoices { min } => (t.too_few_choices)(*min),
            Problem::TooManyChoices { max } => (t.too_many_choices)(*max),
            Problem::DuplicateChoice { .. } => t.duplicate_choice.into(),
            Problem::ConsentRequired => t.consent_required.into(),
            Problem::UnknownText => t.unknown_text.into(),
            Problem::InvalidSignature { .. } => t.invalid_signature.into(),
            Problem::UnknownField => t.unknown_field.into(),
            // The operator's own message, in the form's languages.
            Problem::PatternMismatch { hint } if !hint.is_empty() => hint.get(lang).to_owned(),
            Problem::PatternMismatch { .. } => t.pattern_mismatch.into(),
            Problem::StepMismatch { step } => (t.step_mismatch)(step),
            Problem::AddressIncomplete { part } => {
                let part = match part.as_str() {
                    "street" => t.address_street,
                    "postcode" => t.address_postcode,
                    "city" => t.address_city,
                    _ => t.address_country,
                };
                (t.address_incomplete)(part)
            }
            Problem::InvalidPostcode { country } => (t.invalid_postcode)(address::country_name(country, lang)),
            Problem::Locked => t.locked.into(),
            Problem::NoAnswerExpected => t.no_answer_expected.into(),
            Problem::NotAsked => t.not_asked.into(),
            Problem::RowRequired { .. } => t.row_required.into(),
            Problem::RankAll => t.rank_all.into(),
            Problem::CalculationMismatch { expected } => (t.calculation_mismatch)(expected),
        }
    }
}
