//! The renderer's own words, one file per language. A language is its file here
//! and its arm in [`of`]; the compiler points at a file that lacks a text.

mod de;
mod en;

use formseal_model::Lang;

pub struct Texts {
    pub submit: &'static str,
    pub sending: &'static str,
    /// The title of a required field's mark.
    pub required: &'static str,
    /// How many fields show a problem.
    pub fix_errors: fn(usize) -> String,

    pub clear_signature: &'static str,
    pub remove_last_stroke: &'static str,
    pub sign_here: &'static str,
    pub sign_with_keyboard: &'static str,
    pub draw_instead: &'static str,
    pub full_name: &'static str,
    pub typed_signature: &'static str,

    pub notice_summary: &'static str,
    pub controller: &'static str,
    pub purpose: &'static str,
    pub legal_basis: &'static str,
    pub retention_label: &'static str,
    /// After how many days the answers are deleted.
    pub retention: fn(u32) -> String,

    pub street_and_number: &'static str,
    pub postcode: &'static str,
    pub city: &'static str,
    pub country: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    /// A multiple choice's box for the visitor's own answer, and its text.
    pub other: &'static str,
    pub your_answer: &'static str,
    /// A drop-down list's empty first entry.
    pub please_choose: &'static str,

    /// Between the pages of a form with page breaks.
    pub next: &'static str,
    pub back: &'static str,
    /// Page `n` of the `m` pages that apply to the answers so far.
    pub page_of: fn(usize, usize) -> String,
    /// A rating's point as read out: `n` of `m` stars.
    pub points_of: fn(u32, u32) -> String,
    /// How a ranking is answered.
    pub rank_hint: &'static str,
    /// An option of a ranking as read out: its label and place, or that it has none.
    pub ranked_as: fn(&str, usize) -> String,
    pub not_ranked: fn(&str) -> String,
    /// How many of a ranking's options have their place.
    pub ranked_count: fn(usize, usize) -> String,
    pub rank_reset: &'static str,
}

pub fn of(lang: Lang) -> &'static Texts {
    match lang {
        Lang::En => &en::TEXTS,
        Lang::De => &de::TEXTS,
    }
}
