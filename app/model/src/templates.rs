//! The forms an operator can start from in the designer.

use crate::form::{
    ChoiceDisplay, ChoiceOption, Controller, DataClass, DateBound, Field, FieldKind, FormDef, LegalBasis, Notice,
};
use crate::text::LocalText;

/// Template id, English name, what it is for.
pub const TEMPLATES: [(&str, &str, &str); 4] = [
    ("blank", "Blank form", "Start from nothing."),
    (
        "contact_tracing",
        "Contact tracing",
        "Guest registration: name, address, phone, time of visit; deleted after 30 days.",
    ),
    (
        "customer_questionnaire",
        "Customer questionnaire",
        "Name, address, birth date, a multiple choice and an e-signature.",
    ),
    ("lead_form", "Lead form", "Name, e-mail and consent to be contacted."),
];

fn field(key: &str, en: &str, de: &str, required: bool, class: DataClass, kind: FieldKind) -> Field {
    Field { key: key.into(), label: LocalText::new(en, de), help: None, placeholder: None, required, class, kind }
}

fn name_field() -> Field {
    field(
        "name",
        "Full name",
        "Vor- und Nachname",
        true,
        DataClass::Personal,
        FieldKind::ShortText { min_len: Some(2), max_len: Some(200), pattern: None },
    )
}

fn address_field() -> Field {
    field(
        "address",
        "Address",
        "Anschrift",
        true,
        DataClass::Personal,
        FieldKind::Address { countries: vec!["DE".into(), "AT".into(), "CH".into()] },
    )
}

fn email_field(required: bool) -> Field {
    let (en, de) = if required { ("E-mail", "E-Mail") } else { ("E-mail (optional)", "E-Mail (optional)") };
    let mut email = field("email", en, de, required, DataClass::Personal, FieldKind::Email);
    email.placeholder = Some(LocalText::new("name@example.com", "name@beispiel.de"));
    email
}

fn options(items: &[(&str, &str, &str)]) -> Vec<ChoiceOption> {
    items.iter().map(|(value, en, de)| ChoiceOption { value: (*value).into(), label: LocalText::new(en, de) }).collect()
}

/// A new form from template `template`, with the operator's id and title.
pub fn build(template: &str, id: &str, title: &str) -> Option<FormDef> {
    let mut form = FormDef {
        id: id.to_owned(),
        title: LocalText::new(title, title),
        description: None,
        languages: vec!["en".into(), "de".into()],
        notice: Notice {
            controller: Controller { name: String::new(), address: String::new(), contact: String::new() },
            purpose: LocalText::default(),
            legal_basis: LegalBasis::Consent,
            retention_days: 90,
        },
        fields: Vec::new(),
        success_message: None,
        phone_region: Some("DE".into()),
        theme: None,
    };
    match template {
        "blank" => {}
        "contact_tracing" => {
            form.notice.purpose = LocalText::new(
                "Contact tracing: to inform you if a guest present at the same time reports an infection.",
                "Kontaktnachverfolgung: um Sie zu informieren, falls ein zeitgleich anwesender Gast eine Infektion meldet.",
            );
            form.notice.legal_basis = LegalBasis::LegalObligation;
            form.notice.retention_days = 30;
            let mut phone = field("phone", "Phone", "Telefon", true, DataClass::Personal, FieldKind::Phone);
            phone.help =
                Some(LocalText::new("E.g. 030 1234567 or +49 30 1234567.", "Z. B. 030 1234567 oder +49 30 1234567."));
            form.fields = vec![
                name_field(),
                address_field(),
                phone,
                email_field(false),
                field(
                    "visit_date",
                    "Date of visit",
                    "Datum des Besuchs",
                    true,
                    DataClass::Personal,
                    FieldKind::Date { min: Some(DateBound::Today(-30)), max: Some(DateBound::Today(0)) },
                ),
                field(
                    "arrival",
                    "Time of arrival",
                    "Uhrzeit der Ankunft",
                    true,
                    DataClass::Personal,
                    FieldKind::DateTime,
                ),
            ];
        }
        "customer_questionnaire" => {
            form.notice.purpose = LocalText::new(
                "To set up and serve your customer account.",
                "Um Ihr Kundenkonto einzurichten und Sie zu betreuen.",
            );
            form.notice.legal_basis = LegalBasis::Contract;
            form.notice.retention_days = 365;
            form.fields = vec![
                name_field(),
                address_field(),
                field(
                    "birth_date",
                    "Date of birth",
                    "Geburtsdatum",
                    true,
                    DataClass::Personal,
                    FieldKind::Date { min: Some(DateBound::Date("1900-01-01".into())), max: Some(DateBound::Today(0)) },
                ),
                field(
                    "interests",
                    "What are you interested in?",
                    "Wofür interessieren Sie sich?",
                    false,
                    DataClass::None,
                    FieldKind::MultipleChoice {
                        options: options(&[
                            ("advice", "Advice", "Beratung"),
                            ("offers", "Offers", "Angebote"),
                            ("service", "Service", "Service"),
                        ]),
                        min: None,
                        max: None,
                        other: true,
                    },
                ),
                field(
                    "contact_by",
                    "How may we contact you?",
                    "Wie dürfen wir Sie kontaktieren?",
                    true,
                    DataClass::None,
                    FieldKind::SingleChoice {
                        options: options(&[("mail", "Letter", "Brief"), ("phone", "Phone", "Telefon")]),
                        display: ChoiceDisplay::Radio,
                    },
                ),
                field(
                    "signature",
                    "Signature",
                    "Unterschrift",
                    true,
                    DataClass::Personal,
                    FieldKind::Signature {
                        statement: LocalText::new(
                            "I confirm that the information above is correct.",
                            "Ich bestätige, dass die obigen Angaben richtig sind.",
                        ),
                    },
                ),
            ];
        }
        "lead_form" => {
            form.notice.purpose = LocalText::new(
                "To answer your enquiry and send you the information you asked for.",
                "Um Ihre Anfrage zu beantworten und Ihnen die gewünschten Informationen zu senden.",
            );
            form.notice.retention_days = 180;
            form.fields = vec![
                name_field(),
                email_field(true),
                field(
                    "consent",
                    "Consent",
                    "Einwilligung",
                    true,
                    DataClass::None,
                    FieldKind::Consent {
                        text: LocalText::new(
                            "I agree to be contacted by e-mail about my enquiry.",
                            "Ich bin einverstanden, zu meiner Anfrage per E-Mail kontaktiert zu werden.",
                        ),
                    },
                ),
            ];
        }
        _ => return None,
    }
    Some(form)
}
