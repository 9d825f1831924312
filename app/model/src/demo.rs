//! The demo form seeded on first start: contact tracing at a venue, the classic
//! short-retention form (30 days).

use crate::form::{Controller, DataClass, DateBound, Field, FieldKind, FormDef, LegalBasis, Notice};
use crate::text::LocalText;

pub const DEMO_FORM_ID: &str = "contact-tracing";

fn field(key: &str, en: &str, de: &str, required: bool, class: DataClass, kind: FieldKind) -> Field {
    Field::new(key, LocalText::new(en, de), required, class, kind)
}

pub fn contact_tracing() -> FormDef {
    let mut phone = field("phone", "Phone", "Telefon", true, DataClass::Personal, FieldKind::Phone);
    phone.help =
        Some(LocalText::new("With country code, e.g. +49 30 1234567.", "Mit Ländervorwahl, z. B. +49 30 1234567."));
    phone.placeholder = Some(LocalText::new("+49 30 1234567", "+49 30 1234567"));
    let mut email =
        field("email", "E-mail (optional)", "E-Mail (optional)", false, DataClass::Personal, FieldKind::Email);
    email.placeholder = Some(LocalText::new("name@example.com", "name@beispiel.de"));
    FormDef {
        id: DEMO_FORM_ID.into(),
        title: LocalText::new("Guest registration", "Gästeregistrierung"),
        description: Some(LocalText::new(
            "Please register your visit so we can reach you if an infection is reported.",
            "Bitte registrieren Sie Ihren Besuch, damit wir Sie bei einer gemeldeten Infektion erreichen können.",
        )),
        languages: vec!["en".into(), "de".into()],
        notice: Notice {
            controller: Controller {
                name: "Café Formseal (demo)".into(),
                address: "Musterstraße 1, 10115 Berlin, Germany".into(),
                contact: "privacy@example.com".into(),
            },
            purpose: LocalText::new(
                "Contact tracing: to inform you if a guest present at the same time reports an infection.",
                "Kontaktnachverfolgung: um Sie zu informieren, falls ein zeitgleich anwesender Gast eine Infektion meldet.",
            ),
            legal_basis: LegalBasis::LegalObligation,
            retention_days: 30,
        },
        fields: vec![
            field(
                "name",
                "Full name",
                "Vor- und Nachname",
                true,
                DataClass::Personal,
                FieldKind::ShortText { min_len: Some(2), max_len: Some(200), pattern: None },
            ),
            field(
                "address",
                "Address",
                "Anschrift",
                true,
                DataClass::Personal,
                FieldKind::LongText { max_len: Some(500) },
            ),
            phone,
            email,
            field(
                "visit_date",
                "Date of visit",
                "Datum des Besuchs",
                true,
                DataClass::Personal,
                FieldKind::Date { min: Some(DateBound::Today(-30)), max: Some(DateBound::Today(0)) },
            ),
            field(
                "visit_time",
                "Time of arrival",
                "Uhrzeit der Ankunft",
                true,
                DataClass::Personal,
                FieldKind::DateTime,
            ),
        ],
        success_message: Some(LocalText::new(
            "Thank you, your visit is registered.",
            "Danke, Ihr Besuch ist registriert.",
        )),
        phone_region: None,
        theme: None,
    }
}
