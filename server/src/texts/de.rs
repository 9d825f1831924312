//! The server's page words in German.

use super::{Closed, Texts};

pub static TEXTS: Texts = Texts {
    // Not translated yet: German pages have always shown this line in English.
    footer: "Formseal · your answers are signed in this browser before they are sent",
    notice: "Datenschutzhinweis",
    controller: "Verantwortlicher",
    purpose: "Zweck",
    legal_basis: "Rechtsgrundlage",
    retention: "Speicherdauer",
    deleted_after: |days: u32| format!("Ihre Angaben werden nach {days} Tagen gelöscht."),
    incomplete: "Dieser Link ist unvollständig. Bitte öffnen Sie den ganzen Link, den Sie bekommen haben (mit dem Teil nach „#“).",
    expired: Closed {
        heading: "Dieser Link ist abgelaufen",
        text: "Die Zeit für Antworten über diesen Link ist vorbei. Bitte fragen Sie beim Absender nach einem neuen Link.",
    },
    used: Closed {
        heading: "Dieser Link wurde schon benutzt",
        text: "Über diesen Link wurden bereits Antworten gesendet; er gilt nur einmal. Für Änderungen wenden Sie sich bitte an den Absender.",
    },
    revoked: Closed {
        heading: "Dieser Link wurde zurückgezogen",
        text: "Der Absender hat diesen Link zurückgezogen. Wenn Sie das für einen Irrtum halten, wenden Sie sich bitte an ihn.",
    },
    // A link that does not exist has no form, so no language: its page and the
    // trouble page are English today. These are ready for when they have one.
    missing: Closed {
        heading: "Diesen Link gibt es nicht",
        text: "Bitte prüfen Sie, ob Sie den ganzen Link geöffnet haben, den Sie bekommen haben. Er kann auch gelöscht worden sein.",
    },
    sender: "Absender:",
    trouble: Closed { heading: "Etwas ist schiefgegangen", text: "Bitte versuchen Sie es gleich noch einmal." },
};
