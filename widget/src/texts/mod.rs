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
    /// A personal link opened without its secret part (the link page's bundle only;
    /// the words stay here so both bundles have one list of texts).
    #[cfg_attr(not(feature = "link-page"), allow(dead_code))]
    pub link_incomplete: &'static str,
    #[cfg_attr(not(feature = "link-page"), allow(dead_code))]
    pub copy_html: &'static str,
    #[cfg_attr(not(feature = "link-page"), allow(dead_code))]
    pub copy_json: &'static str,
    /// The honeypot was filled: by a robot, or by a browser's or password
    /// manager's automatic filling. Says what to do; the answers stay in the form.
    pub refused_autofill: &'static str,
    /// The proof of work failed twice (expired while the page was open, say).
    pub proof_failed: &'static str,
    /// A refusal whose body could not be read, with its HTTP status.
    pub refused_status: fn(u16) -> String,
    /// The server is busy or failed (5xx, 429), with its status: sent again by itself.
    pub busy: fn(u16) -> String,
    pub receipt_unreadable: &'static str,
}

pub fn of(lang: Lang) -> &'static Texts {
    match lang {
        Lang::En => &en::TEXTS,
        Lang::De => &de::TEXTS,
    }
}
