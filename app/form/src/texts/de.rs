//! The renderer's words in German.

use super::Texts;

pub static TEXTS: Texts = Texts {
    submit: "Absenden",
    sending: "Wird gesendet …",
    required: "Pflichtfeld",
    fix_errors: |count: usize| match count {
        1 => "Bitte korrigieren Sie 1 Feld.".into(),
        n => format!("Bitte korrigieren Sie {n} Felder."),
    },

    clear_signature: "Unterschrift löschen",
    remove_last_stroke: "Letzten Strich entfernen",
    sign_here: "Hier mit Finger, Stift oder Maus unterschreiben",
    sign_with_keyboard: "Stattdessen mit der Tastatur unterschreiben",
    draw_instead: "Stattdessen zeichnen",
    full_name: "Ihr vollständiger Name",
    typed_signature: "Ich bestätige, dass mein eingegebener Name meine Unterschrift unter die obige Erklärung ist.",

    notice_summary: "Datenschutzhinweis",
    controller: "Verantwortlicher",
    purpose: "Zweck",
    legal_basis: "Rechtsgrundlage",
    retention_label: "Speicherdauer",
    retention: |days: u32| format!("Ihre Angaben werden nach {days} Tagen gelöscht."),

    street_and_number: "Straße und Hausnummer",
    postcode: "Postleitzahl",
    city: "Ort",
    country: "Land",
    yes: "Ja",
    no: "Nein",
    other: "Anderes",
    your_answer: "Ihre Antwort",
    please_choose: "Bitte wählen",

    next: "Weiter",
    back: "Zurück",
    page_of: |n: usize, m: usize| format!("Seite {n} von {m}"),
    points_of: |n: u32, m: u32| format!("{n} von {m} Sternen"),
    rank_hint: "Wählen Sie die Einträge nacheinander, Ihre erste Wahl zuerst. Erneut wählen nimmt einen Eintrag heraus.",
    ranked_as: |label: &str, n: usize| format!("{label}: Platz {n}"),
    not_ranked: |label: &str| format!("{label}: noch ohne Platz"),
    ranked_count: |n: usize, m: usize| format!("{n} von {m} geordnet"),
    rank_reset: "Neu beginnen",
};
