//! The widget's words in German.

use super::Texts;

pub static TEXTS: Texts = Texts {
    draft_kept: "Ihre Angaben bleiben bis zum Absenden in diesem Browser gespeichert. ",
    clear_form: "Formular leeren",
    send_again: "Erneut senden",
    received: "Danke, Ihre Angaben sind eingegangen.",
    receipt: "Beleg",
    digest: "Prüfsumme",
    received_at: "Eingegangen",
    link_incomplete: "Dieser Link ist unvollständig. Bitte öffnen Sie den ganzen Link, den Sie bekommen haben.",
    copy_html: "Ihre Kopie herunterladen (zum Drucken)",
    copy_json: "Signierte Daten (JSON)",
    refused_autofill: "Ihr Browser oder Passwortmanager hat ein Feld ausgefüllt, das auf diesem Formular verborgen ist; deshalb wurde das Formular nicht gesendet. Ihre Angaben bleiben erhalten: Drücken Sie „Erneut senden“. Passiert das wieder, schalten Sie das automatische Ausfüllen für diese Seite aus.",
    proof_failed: "Der Spamschutz des Formulars konnte nicht abgeschlossen werden (die Seite war lange geöffnet, oder die Verbindung brach ab). Ihre Angaben bleiben erhalten: Drücken Sie „Erneut senden“.",
    refused_status: |status| {
        format!(
            "Das Formular konnte nicht gesendet werden (Fehler {status}). Ihre Angaben bleiben erhalten; bitte versuchen Sie es später noch einmal."
        )
    },
    busy: |status| {
        format!(
            "Der Server ist ausgelastet (Fehler {status}). Ihre Angaben bleiben erhalten und werden von selbst erneut gesendet."
        )
    },
    receipt_unreadable: "Ihre Angaben wurden gesendet, aber der Beleg konnte nicht gelesen werden. Bitte lassen Sie diese Seite offen und drücken Sie „Erneut senden“: Die Angaben werden nur einmal gespeichert.",
};
