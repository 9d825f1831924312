//! The renderer's own words, in English and German.

pub fn submit(lang: &str) -> &'static str {
    if lang == "de" { "Absenden" } else { "Submit" }
}

pub fn sending(lang: &str) -> &'static str {
    if lang == "de" { "Wird gesendet …" } else { "Sending …" }
}

pub fn required(lang: &str) -> &'static str {
    if lang == "de" { "Pflichtfeld" } else { "required" }
}

pub fn fix_errors(lang: &str, count: usize) -> String {
    match (lang == "de", count) {
        (true, 1) => "Bitte korrigieren Sie 1 Feld.".into(),
        (true, n) => format!("Bitte korrigieren Sie {n} Felder."),
        (false, 1) => "Please correct 1 field.".into(),
        (false, n) => format!("Please correct {n} fields."),
    }
}

pub fn clear_signature(lang: &str) -> &'static str {
    if lang == "de" { "Unterschrift löschen" } else { "Clear signature" }
}

pub fn sign_here(lang: &str) -> &'static str {
    if lang == "de" {
        "Hier mit Finger, Stift oder Maus unterschreiben"
    } else {
        "Sign here with finger, stylus or mouse"
    }
}

pub fn notice_summary(lang: &str) -> &'static str {
    if lang == "de" { "Datenschutzhinweis" } else { "Privacy notice" }
}

pub fn controller(lang: &str) -> &'static str {
    if lang == "de" { "Verantwortlicher" } else { "Controller" }
}

pub fn purpose(lang: &str) -> &'static str {
    if lang == "de" { "Zweck" } else { "Purpose" }
}

pub fn legal_basis(lang: &str) -> &'static str {
    if lang == "de" { "Rechtsgrundlage" } else { "Legal basis" }
}

pub fn retention(lang: &str, days: u32) -> String {
    if lang == "de" {
        format!("Ihre Angaben werden nach {days} Tagen gelöscht.")
    } else {
        format!("Your answers are deleted after {days} days.")
    }
}

pub fn retention_label(lang: &str) -> &'static str {
    if lang == "de" { "Speicherdauer" } else { "Retention" }
}

/// A short word in English or German; the renderer's labels for address parts,
/// yes/no and choices.
pub fn word(lang: &str, en: &'static str) -> &'static str {
    if lang != "de" {
        return en;
    }
    match en {
        "Street and number" => "Straße und Hausnummer",
        "Postcode" => "Postleitzahl",
        "City" => "Ort",
        "Country" => "Land",
        "Yes" => "Ja",
        "No" => "Nein",
        "Other" => "Anderes",
        "Your answer" => "Ihre Antwort",
        "Please choose" => "Bitte wählen",
        other => other,
    }
}
