//! The words of the pages the server writes itself (the personal-link page and its
//! friendly pages), one file per language. A language is its file here and its arm
//! in [`of`]; the compiler points at a file that lacks a text.

mod de;
mod en;

use formseal_model::Lang;

pub struct Texts {
    pub footer: &'static str,
    /// The form's privacy notice (GDPR Art. 13).
    pub notice: &'static str,
    pub controller: &'static str,
    pub purpose: &'static str,
    pub legal_basis: &'static str,
    pub retention: &'static str,
    /// After how many days the answers are deleted.
    pub deleted_after: fn(u32) -> String,
    /// A personal link opened without the part after `#`.
    pub incomplete: &'static str,
    pub expired: Closed,
    pub used: Closed,
    pub revoked: Closed,
    pub missing: Closed,
    /// Before the controller's name, address and contact on a closed link's page.
    pub sender: &'static str,
    /// The page when the server could not answer.
    pub trouble: Closed,
}

/// Why a link cannot be used, as a heading and a sentence of what to do.
pub struct Closed {
    pub heading: &'static str,
    pub text: &'static str,
}

pub fn of(lang: Lang) -> &'static Texts {
    match lang {
        Lang::En => &en::TEXTS,
        Lang::De => &de::TEXTS,
    }
}
