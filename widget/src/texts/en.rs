//! The widget's words in English.

use super::Texts;

pub static TEXTS: Texts = Texts {
    draft_kept: "Your answers are kept in this browser until you submit them. ",
    clear_form: "Clear form",
    send_again: "Send again",
    received: "Thank you, your answers were received.",
    receipt: "Receipt",
    digest: "Digest",
    received_at: "Received",
    link_incomplete: "This link is incomplete. Please open the whole link you were sent.",
    copy_html: "Download your copy (printable)",
    copy_json: "Signed data (JSON)",
};
