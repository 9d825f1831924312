//! The renderer's words in English.

use super::Texts;

pub static TEXTS: Texts = Texts {
    submit: "Submit",
    sending: "Sending …",
    required: "required",
    fix_errors: |count: usize| match count {
        1 => "Please correct 1 field.".into(),
        n => format!("Please correct {n} fields."),
    },

    clear_signature: "Clear signature",
    remove_last_stroke: "Remove last stroke",
    sign_here: "Sign here with finger, stylus or mouse",
    sign_with_keyboard: "Sign with the keyboard instead",
    draw_instead: "Draw the signature instead",
    full_name: "Your full name",
    typed_signature: "I confirm that my typed name is my signature under the statement above.",

    notice_summary: "Privacy notice",
    controller: "Controller",
    purpose: "Purpose",
    legal_basis: "Legal basis",
    retention_label: "Retention",
    retention: |days: u32| format!("Your answers are deleted after {days} days."),

    street_and_number: "Street and number",
    postcode: "Postcode",
    city: "City",
    country: "Country",
    yes: "Yes",
    no: "No",
    other: "Other",
    your_answer: "Your answer",
    please_choose: "Please choose",

    next: "Next",
    back: "Back",
    page_of: |n: usize, m: usize| format!("Page {n} of {m}"),
    points_of: |n: u32, m: u32| format!("{n} of {m} stars"),
    rank_hint: "Choose the items one after another, your first choice first. Choose one again to take it out.",
    ranked_as: |label: &str, n: usize| format!("{label}: place {n}"),
    not_ranked: |label: &str| format!("{label}: no place yet"),
    ranked_count: |n: usize, m: usize| format!("{n} of {m} in order"),
    rank_reset: "Start again",
};
