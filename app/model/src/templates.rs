//! The forms an operator can start from in the designer.

use serde_json::json;

use crate::calculation::Formula;
use crate::form::{
    ChoiceDisplay, ChoiceOption, Controller, DataClass, DateBound, Field, FieldKind, FormDef, LegalBasis, MatrixRow,
    Notice,
};
use crate::logic::{Condition, Jump, JumpTarget};
use crate::text::LocalText;

/// Template id, English name, what it is for.
pub const TEMPLATES: [(&str, &str, &str); 6] = [
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
    (
        "damage_report",
        "Damage report",
        "Three pages with logic: what happened, injuries only if someone was hurt, the vehicle page only for vehicle damage.",
    ),
    (
        "service_feedback",
        "Service feedback",
        "A rating, a matrix of service aspects, a ranking and a recommendation scale; a service score the form computes asks what to improve when it is low.",
    ),
];

fn field(key: &str, en: &str, de: &str, required: bool, class: DataClass, kind: FieldKind) -> Field {
    Field::new(key, LocalText::new(en, de), required, class, kind)
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
    items.iter().map(|(value, en, de)| ChoiceOption::new(value, LocalText::new(en, de))).collect()
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
        "damage_report" => {
            form.notice.purpose = LocalText::new(
                "To handle the damage you report under your insurance contract.",
                "Um den gemeldeten Schaden im Rahmen Ihres Versicherungsvertrags zu bearbeiten.",
            );
            form.notice.legal_basis = LegalBasis::Contract;
            form.notice.retention_days = 365;
            form.fields = damage_report_fields();
        }
        "service_feedback" => {
            form.notice.purpose = LocalText::new(
                "To improve our service from your feedback and, if you wish, to answer you.",
                "Um unseren Service nach Ihrer Rückmeldung zu verbessern und Ihnen auf Wunsch zu antworten.",
            );
            form.notice.retention_days = 180;
            form.fields = service_feedback_fields();
        }
        _ => return None,
    }
    Some(form)
}

/// Feedback with every kind that is scored: the matrix's columns count 0 to 3, the
/// service score sums them (0 to 9), and a low score asks what to improve. The score
/// is for the operator; the visitor does not see it.
fn service_feedback_fields() -> Vec<Field> {
    let scored = |items: &[(&str, &str, &str)]| {
        options(items).into_iter().enumerate().map(|(n, o)| ChoiceOption { score: Some(n.to_string()), ..o }).collect()
    };
    let row = |value: &str, en: &str, de: &str| MatrixRow {
        value: value.into(),
        label: LocalText::new(en, de),
        required: true,
    };
    let recommend = field(
        "recommend",
        "How likely are you to recommend us to a friend?",
        "Wie wahrscheinlich ist es, dass Sie uns einem Freund empfehlen?",
        false,
        DataClass::None,
        FieldKind::OpinionScale {
            min: 0,
            max: 10,
            min_label: Some(LocalText::new("Not at all likely", "Sehr unwahrscheinlich")),
            max_label: Some(LocalText::new("Extremely likely", "Sehr wahrscheinlich")),
        },
    );
    let score = Formula::Answer { field: "service".into() };
    vec![
        field(
            "overall",
            "How was your visit overall?",
            "Wie war Ihr Besuch insgesamt?",
            true,
            DataClass::None,
            FieldKind::Rating { max: 5 },
        ),
        field(
            "service",
            "How did we do?",
            "Wie waren wir?",
            true,
            DataClass::None,
            FieldKind::Matrix {
                rows: vec![
                    row("speed", "Speed", "Schnelligkeit"),
                    row("friendliness", "Friendliness", "Freundlichkeit"),
                    row("value", "Value for money", "Preis-Leistung"),
                ],
                columns: scored(&[
                    ("poor", "Poor", "Schlecht"),
                    ("fair", "Fair", "Mittel"),
                    ("good", "Good", "Gut"),
                    ("excellent", "Excellent", "Sehr gut"),
                ]),
            },
        ),
        field(
            "service_score",
            "Service score (0–9)",
            "Service-Wert (0–9)",
            false,
            DataClass::None,
            FieldKind::Calculation { formula: score, show: false },
        ),
        shown_when(
            field(
                "improve",
                "What should we do better?",
                "Was sollten wir besser machen?",
                false,
                DataClass::None,
                FieldKind::LongText { max_len: Some(2000) },
            ),
            Condition::LessThan { field: "service_score".into(), value: "5".into() },
        ),
        field(
            "priorities",
            "What matters most to you?",
            "Was ist Ihnen am wichtigsten?",
            false,
            DataClass::None,
            FieldKind::Ranking {
                options: options(&[
                    ("price", "Price", "Preis"),
                    ("speed", "Speed", "Schnelligkeit"),
                    ("quality", "Quality", "Qualität"),
                ]),
            },
        ),
        recommend,
        email_field(false),
    ]
}

fn page(key: &str, en: &str, de: &str) -> Field {
    field(key, en, de, false, DataClass::None, FieldKind::PageBreak { jumps: Vec::new() })
}

fn shown_when(mut field: Field, condition: Condition) -> Field {
    field.visible_if = Some(condition);
    field
}

/// The claims form: injuries are asked only when someone was hurt (and, being
/// health data, are special-category), the vehicle page only for vehicle damage (a
/// jump over it otherwise), the police reference only when the police came.
fn damage_report_fields() -> Vec<Field> {
    let is = |key: &str, value: serde_json::Value| Condition::Equals { field: key.into(), value };
    let long = || FieldKind::LongText { max_len: Some(5000) };
    let short = || FieldKind::ShortText { min_len: None, max_len: Some(100), pattern: None };
    // After page one, anything but vehicle damage goes straight to the contact page.
    let mut first = page("incident", "What happened", "Was ist passiert");
    first.kind = FieldKind::PageBreak {
        jumps: vec![Jump {
            when: Condition::NotEquals { field: "damage_type".into(), value: json!("vehicle") },
            to: JumpTarget::Page("contact".into()),
        }],
    };
    vec![
        first,
        field(
            "incident_date",
            "Date of the damage",
            "Datum des Schadens",
            true,
            DataClass::Personal,
            FieldKind::Date { min: Some(DateBound::Today(-365)), max: Some(DateBound::Today(0)) },
        ),
        field("description", "What happened?", "Was ist passiert?", true, DataClass::Personal, long()),
        field(
            "damage_type",
            "What was damaged?",
            "Was wurde beschädigt?",
            true,
            DataClass::None,
            FieldKind::SingleChoice {
                options: options(&[
                    ("vehicle", "A vehicle", "Ein Fahrzeug"),
                    ("property", "A building or its contents", "Ein Gebäude oder Hausrat"),
                    ("other", "Something else", "Etwas anderes"),
                ]),
                display: ChoiceDisplay::Radio,
            },
        ),
        field("injured", "Was anyone injured?", "Wurde jemand verletzt?", true, DataClass::None, FieldKind::YesNo),
        shown_when(
            field("injuries", "Who was injured, and how?", "Wer wurde wie verletzt?", true, DataClass::Special, long()),
            is("injured", json!(true)),
        ),
        page("vehicle", "The vehicle", "Das Fahrzeug"),
        field("plate", "Number plate", "Kennzeichen", true, DataClass::Personal, short()),
        field("police", "Did the police come?", "War die Polizei vor Ort?", true, DataClass::None, FieldKind::YesNo),
        shown_when(
            field("police_ref", "Police reference", "Aktenzeichen der Polizei", true, DataClass::None, short()),
            is("police", json!(true)),
        ),
        page("contact", "How we reach you", "Wie wir Sie erreichen"),
        name_field(),
        email_field(true),
    ]
}
