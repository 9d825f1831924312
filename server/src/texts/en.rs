//! The server's page words in English.

use super::{Closed, Texts};

pub static TEXTS: Texts = Texts {
    footer: "Formseal · your answers are signed in this browser before they are sent",
    notice: "Privacy notice",
    controller: "Controller",
    purpose: "Purpose",
    legal_basis: "Legal basis",
    retention: "Retention",
    deleted_after: |days: u32| format!("Your answers are deleted after {days} days."),
    incomplete: "This link is incomplete. Please open the whole link you were sent (including the part after “#”).",
    expired: Closed {
        heading: "This link has expired",
        text: "The time to answer with this link is over. If you still want to answer, please ask the sender for a new link.",
    },
    used: Closed {
        heading: "This link was already used",
        text: "Answers were already sent with this link, and it works only once. If you need to change something, please contact the sender.",
    },
    revoked: Closed {
        heading: "This link was withdrawn",
        text: "The sender has withdrawn this link. If you think this is a mistake, please contact them.",
    },
    missing: Closed {
        heading: "This link does not exist",
        text: "Please check that you opened the whole link you were sent. It may also have been deleted.",
    },
    sender: "Sender:",
    trouble: Closed { heading: "Something went wrong", text: "Please try again in a moment." },
};
