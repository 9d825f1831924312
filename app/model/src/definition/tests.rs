use super::*;
use crate::form::{ChoiceOption, DataClass, TextPattern};
use crate::templates::{TEMPLATES, build};
// In the wasm32 build the same tests run under wasm-bindgen-test.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

fn settings_of(problems: &[DefinitionProblem], field: Option<usize>) -> Vec<&str> {
    problems.iter().filter(|p| p.field == field).map(|p| p.setting.as_str()).collect()
}

fn filled(template: &str) -> FormDef {
    let mut form = build(template, "test-form", "Test").unwrap();
    form.notice.controller = crate::form::Controller {
        name: "Example GmbH".into(),
        address: "Musterstraße 1, 10115 Berlin".into(),
        contact: "privacy@example.com".into(),
    };
    if form.notice.purpose.is_empty() {
        form.notice.purpose = LocalText::new("Testing", "Testen");
    }
    form
}

fn with_field(kind: FieldKind) -> FormDef {
    let mut form = filled("lead_form");
    form.fields.push(Field {
        key: "extra".into(),
        label: LocalText::new("Extra", "Extra"),
        help: None,
        placeholder: None,
        required: false,
        class: DataClass::None,
        visible_if: None,
        required_if: None,
        kind,
    });
    form
}

#[test]
fn every_template_once_filled_in_is_publishable() {
    for (template, _, _) in TEMPLATES {
        if template == "blank" {
            continue;
        }
        assert_eq!(check(&filled(template)), vec![], "{template}");
    }
}

#[test]
fn a_blank_form_says_what_is_missing() {
    let form = build("blank", "new-form", "").unwrap();
    let problems = check(&form);
    let settings = settings_of(&problems, None);
    for expected in ["title", "notice.controller.name", "notice.controller.contact", "notice.purpose", "fields"] {
        assert!(settings.contains(&expected), "{expected} missing from {settings:?}");
    }
}

#[test]
fn form_ids_keys_and_languages() {
    let mut form = filled("lead_form");
    form.id = "Bad Id".into();
    form.languages.push("fr".into());
    form.fields[1].key = "name".into();
    form.fields[2].key = "2nd".into();
    let problems = check(&form);
    assert!(settings_of(&problems, None).contains(&"id"));
    assert!(settings_of(&problems, None).contains(&"languages"));
    assert_eq!(settings_of(&problems, Some(0)), Vec::<&str>::new(), "the first use of a key is fine");
    assert_eq!(settings_of(&problems, Some(1)), vec!["key"]);
    assert_eq!(settings_of(&problems, Some(2)), vec!["key"]);
    assert!(is_form_id("guest-list-2") && !is_form_id("-x") && !is_form_id("a"));
    assert!(is_field_key("visit_date") && !is_field_key("Visit") && !is_field_key("_x"));
}

#[test]
fn texts_are_needed_in_every_language() {
    let mut form = filled("lead_form");
    form.fields[0].label = LocalText::only("en", "Name");
    let problems = check(&form);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].field, Some(0));
    assert!(problems[0].message.contains("German"));
}

#[test]
fn choices_need_options_with_unique_values() {
    let none = check(&with_field(FieldKind::SingleChoice { options: vec![], display: Default::default() }));
    assert_eq!(settings_of(&none, Some(3)), vec!["options"]);
    let twice =
        vec![ChoiceOption::new("a", LocalText::new("A", "A")), ChoiceOption::new("a", LocalText::new("B", "B"))];
    let dup =
        check(&with_field(FieldKind::MultipleChoice { options: twice, min: Some(3), max: Some(2), other: false }));
    let settings = settings_of(&dup, Some(3));
    assert!(settings.contains(&"options") && settings.contains(&"min"), "{dup:?}");
    assert!(dup.iter().any(|p| p.message.contains("used twice")));
    assert!(dup.iter().any(|p| p.message.contains("above the maximum")));
    assert!(dup.iter().any(|p| p.message.contains("only 2")));
}

#[test]
fn bounds_above_each_other_are_refused() {
    let text = with_field(FieldKind::ShortText { min_len: Some(10), max_len: Some(5), pattern: None });
    assert_eq!(settings_of(&check(&text), Some(3)), vec!["min"]);
    let number = with_field(FieldKind::Number {
        min: Some("10.5".into()),
        max: Some("9".into()),
        integer: false,
        step: Some("0".into()),
    });
    assert_eq!(settings_of(&check(&number), Some(3)), vec!["step", "min"]);
    let integer =
        with_field(FieldKind::Number { min: Some("1.5".into()), max: Some("x".into()), integer: true, step: None });
    assert_eq!(settings_of(&check(&integer), Some(3)), vec!["min", "max"]);
    let dates = with_field(FieldKind::Date {
        min: Some(DateBound::Date("2026-12-01".into())),
        max: Some(DateBound::Date("2026-11-01".into())),
    });
    assert_eq!(settings_of(&check(&dates), Some(3)), vec!["min"]);
    let relative = with_field(FieldKind::Date { min: Some(DateBound::Today(1)), max: Some(DateBound::Today(0)) });
    assert_eq!(settings_of(&check(&relative), Some(3)), vec!["min"]);
    let bad_date = with_field(FieldKind::Date { min: Some(DateBound::Date("2026-13-01".into())), max: None });
    assert_eq!(settings_of(&check(&bad_date), Some(3)), vec!["min"]);
}

#[test]
fn patterns_must_compile_and_explain_themselves() {
    let pattern = |regex: &str, en: &str| {
        with_field(FieldKind::ShortText {
            min_len: None,
            max_len: None,
            pattern: Some(TextPattern { regex: regex.into(), message: LocalText::new(en, en) }),
        })
    };
    assert_eq!(check(&pattern("[A-Z]{2}[0-9]{4}", "Two letters, four digits")), vec![]);
    assert_eq!(settings_of(&check(&pattern("([A-Z]", "x")), Some(3)), vec!["pattern"]);
    assert_eq!(settings_of(&check(&pattern("[0-9]+", "")), Some(3)), vec!["pattern.message", "pattern.message"]);
}

#[test]
fn addresses_theme_region_retention_and_hidden_fields() {
    let address = with_field(FieldKind::Address { countries: vec!["DE".into(), "DE".into(), "US".into()] });
    assert_eq!(settings_of(&check(&address), Some(3)), vec!["countries", "countries"]);
    let mut hidden = with_field(FieldKind::Hidden);
    hidden.fields[3].required = true;
    assert_eq!(settings_of(&check(&hidden), Some(3)), vec!["required"]);
    let mut form = filled("lead_form");
    form.theme = Some(crate::form::Theme {
        accent: Some("red; background: url(x)".into()),
        font: Some("x}body{".into()),
        radius_px: Some(99),
    });
    assert_eq!(form.theme.as_ref().unwrap().declarations(), "", "unsafe values never reach CSS");
    let good =
        crate::form::Theme { accent: Some("#1a5fb4".into()), font: Some("Georgia, serif".into()), radius_px: Some(0) };
    assert_eq!(good.declarations(), "--fs-accent:#1a5fb4;--fs-font:Georgia, serif;--fs-radius:0px;");
    form.phone_region = Some("XX".into());
    form.notice.retention_days = 0;
    let problems = check(&form);
    let settings = settings_of(&problems, None);
    assert_eq!(
        settings,
        vec!["notice.retention_days", "phone_region", "theme.accent", "theme.font", "theme.radius_px"]
    );
}

#[test]
fn headings_alone_ask_nothing() {
    let mut form = filled("lead_form");
    form.fields = vec![Field {
        key: "intro".into(),
        label: LocalText::new("Welcome", "Willkommen"),
        help: None,
        placeholder: None,
        required: false,
        class: DataClass::None,
        visible_if: None,
        required_if: None,
        kind: FieldKind::Heading,
    }];
    assert_eq!(settings_of(&check(&form), None), vec!["fields"]);
}

#[test]
fn embed_origins() {
    for good in
        ["*", "https://shop.example", "http://127.0.0.1:8080", "https://[::1]:3000", "https://xn--bcher-kva.example"]
    {
        assert!(origin_valid(good), "{good}");
    }
    for bad in [
        "shop.example",
        "https://shop.example/path",
        "https://a b",
        "ftp://x",
        "https://",
        "https://x:",
        "https://x:123456",
        "https://user@x",
    ] {
        assert!(!origin_valid(bad), "{bad}");
    }
    let form = filled("lead_form");
    let problems = check_with_origins(&form, &["https://ok.example".into(), "nope".into()]);
    assert_eq!(settings_of(&problems, None), vec!["origins"]);
}

#[test]
fn ratings_and_scales_have_sensible_points() {
    let settings = |kind: FieldKind| {
        let form = with_field(kind);
        let last = form.fields.len() - 1;
        check(&form).into_iter().filter(|p| p.field == Some(last)).map(|p| p.setting).collect::<Vec<_>>()
    };
    assert!(settings(FieldKind::Rating { max: 5 }).is_empty());
    assert_eq!(settings(FieldKind::Rating { max: 2 }), vec!["max"]);
    assert_eq!(settings(FieldKind::Rating { max: 11 }), vec!["max"]);
    let scale = |min, max| FieldKind::OpinionScale { min, max, min_label: None, max_label: None };
    assert!(settings(scale(0, 10)).is_empty());
    assert_eq!(settings(scale(2, 10)), vec!["min"]);
    assert_eq!(settings(scale(1, 2)), vec!["max"]);
    let half_labelled = FieldKind::OpinionScale {
        min: 0,
        max: 10,
        min_label: Some(LocalText::only("en", "Not likely")),
        max_label: Some(LocalText::default()),
    };
    assert_eq!(settings(half_labelled), vec!["min_label"], "a label given in English only, the empty one ignored");
}

#[test]
fn text_that_asks_nothing_cannot_be_required_and_lengths_stay_answerable() {
    for kind in [FieldKind::Heading, FieldKind::Paragraph { text: LocalText::new("Note", "Hinweis") }] {
        let mut form = with_field(kind);
        let last = form.fields.len() - 1;
        assert!(settings_of(&check(&form), Some(last)).is_empty());
        form.fields[last].required = true;
        assert_eq!(settings_of(&check(&form), Some(last)), vec!["required"]);
    }
    // Without a maximum the limit is 1000 characters, so a larger minimum could
    // never be met.
    let form = with_field(FieldKind::ShortText { min_len: Some(1_001), max_len: None, pattern: None });
    assert_eq!(settings_of(&check(&form), Some(form.fields.len() - 1)), vec!["min"]);
    // Option values count characters, as the message says.
    let umlauts = "ä".repeat(100);
    let options =
        vec![ChoiceOption::new(&umlauts, LocalText::new("A", "A")), ChoiceOption::new("b", LocalText::new("B", "B"))];
    let form = with_field(FieldKind::SingleChoice { options, display: Default::default() });
    assert!(settings_of(&check(&form), Some(form.fields.len() - 1)).is_empty());
}
