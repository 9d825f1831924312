//! The widget's own words around the shared renderer's, one file per language. A
//! language is its file here and its arm in [`of`]; the compiler points at a file
//! that lacks a text.

mod de;
mod en;

use formseal_model::Lang;

pub struct Texts {
    /// Before the button that clears a kept draft; ends with a space.
    pub draft_kept: &'static str,
    pub clear_form: &'static str,
    pub send_again: &'static str,
    /// The receipt's heading when the form has no message of its own.
    pub received: &'static str,
    pub receipt: &'static str,
    pub digest: &'static str,
    pub received_at: &'static str,
    /// A personal link opened without its secret part.
    pub link_incomplete: &'static str,
    pub copy_html: &'static str,
    pub copy_json: &'static str,
}

pub fn of(lang: Lang) -> &'static Texts {
    match lang {
        Lang::En => &en::TEXTS,
        Lang::De => &de::TEXTS,
    }
}
