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
    refused_autofill: "Your browser or password manager filled in a field that is hidden on this form, so the form was not sent. Your answers are kept: press “Send again”. If this happens again, turn off automatic filling for this page.",
    proof_failed: "The form's protection against spam could not be completed (the page was open for a long time, or the connection dropped). Your answers are kept: press “Send again”.",
    refused_status: |status| {
        format!("The form could not be sent (error {status}). Your answers are kept; please try again later.")
    },
    busy: |status| {
        format!("The server is busy (error {status}). Your answers are kept and are sent again by themselves.")
    },
    receipt_unreadable: "Your answers were sent, but the receipt could not be read. Please keep this page open and press “Send again”: the answers are stored only once.",
};
