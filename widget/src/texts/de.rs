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
};
