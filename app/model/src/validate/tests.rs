use serde_json::json;

use super::*;
use crate::form::{ChoiceOption, DataClass, Field, FieldKind, TextPattern};
use crate::text::LocalText;
// In the wasm32 build the same tests run under wasm-bindgen-test.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

fn ctx() -> ValidationContext {
    ValidationContext { today: NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(), slack_days: 0 }
}

fn one(kind: FieldKind, required: bool) -> Field {
    Field {
        key: "f".into(),
        label: LocalText::only("en", "F"),
        help: None,
        placeholder: None,
        required,
        class: DataClass::None,
        visible_if: None,
        required_if: None,
        kind,
    }
}

fn check(kind: FieldKind, value: Value) -> Result<(), Problem> {
    check_field(&one(kind, true), Some(&value), &ctx())
}

fn options() -> Vec<ChoiceOption> {
    ["a", "b", "c"].iter().map(|v| ChoiceOption::new(v, LocalText::only("en", v))).collect()
}

#[test]
fn required_and_optional_blank_answers() {
    let f = one(FieldKind::ShortText { min_len: None, max_len: None, pattern: None }, true);
    assert_eq!(check_field(&f, None, &ctx()), Err(Problem::Required));
    assert_eq!(check_field(&f, Some(&json!("   ")), &ctx()), Err(Problem::Required));
    let optional = one(FieldKind::Email, false);
    assert_eq!(check_field(&optional, None, &ctx()), Ok(()));
    assert_eq!(check_field(&optional, Some(&json!("")), &ctx()), Ok(()));
}

#[test]
fn short_and_long_text() {
    let short = FieldKind::ShortText { min_len: Some(2), max_len: Some(5), pattern: None };
    assert_eq!(check(short.clone(), json!("Ada")), Ok(()));
    assert_eq!(check(short.clone(), json!("A")), Err(Problem::TooShort { min: 2 }));
    assert_eq!(check(short.clone(), json!("Adalbert")), Err(Problem::TooLong { max: 5 }));
    assert!(matches!(check(short.clone(), json!("a\nb")), Err(Problem::WrongType { .. })));
    assert!(matches!(check(short, json!(5)), Err(Problem::WrongType { .. })));
    let long = FieldKind::LongText { max_len: Some(10) };
    assert_eq!(check(long.clone(), json!("two\nlines")), Ok(()));
    assert_eq!(check(long.clone(), json!("much too long text")), Err(Problem::TooLong { max: 10 }));
    // The maximum counts what would be stored, spaces included; the minimum what was typed.
    let padded = format!("ok{}", " ".repeat(40_000));
    assert_eq!(check(long, json!(padded)), Err(Problem::TooLong { max: 10 }));
    let short = FieldKind::ShortText { min_len: Some(2), max_len: Some(200), pattern: None };
    assert_eq!(check(short.clone(), json!(" a ")), Err(Problem::TooShort { min: 2 }));
    assert_eq!(check(short, json!(format!("{}xy", " ".repeat(40_000)))), Err(Problem::TooLong { max: 200 }));
}

#[test]
fn email() {
    for ok in ["a@b.de", "first.last+tag@sub.example.com", "x@bücher.de"] {
        assert_eq!(check(FieldKind::Email, json!(ok)), Ok(()), "{ok}");
    }
    for bad in ["a", "a@b", "@b.de", "a@@b.de", "a b@c.de", "a@b.c", "a@-b.de", ".a@b.de", "a..b@c.de", "a@b.d3"] {
        assert_eq!(check(FieldKind::Email, json!(bad)), Err(Problem::InvalidEmail), "{bad}");
    }
}

#[test]
fn phone_is_e164() {
    assert_eq!(check(FieldKind::Phone, json!("+49301234567")), Ok(()));
    for bad in ["0301234567", "+49 30 1234567", "+0301234567", "+123", "+4930123456789012"] {
        assert_eq!(check(FieldKind::Phone, json!(bad)), Err(Problem::InvalidPhone), "{bad}");
    }
    assert_eq!(normalize_phone("+49 (30) 123-45/67", None), "+49301234567");
    assert_eq!(normalize_phone("0049 30 1234567", None), "+49301234567");
}

#[test]
fn numbers_are_exact_decimals() {
    let kind = FieldKind::Number { min: Some("-1.5".into()), max: Some("100".into()), integer: false, step: None };
    for ok in ["0", "-1.5", "100", "99.99", "007", "100.000"] {
        assert_eq!(check(kind.clone(), json!(ok)), Ok(()), "{ok}");
    }
    assert_eq!(check(kind.clone(), json!("-1.51")), Err(Problem::BelowMin { min: "-1.5".into() }));
    assert_eq!(check(kind.clone(), json!("100.01")), Err(Problem::AboveMax { max: "100".into() }));
    for bad in ["1e3", "1.", ".5", "abc", "--1", "1,5"] {
        assert_eq!(check(kind.clone(), json!(bad)), Err(Problem::NotANumber), "{bad}");
    }
    let int = FieldKind::Number { min: None, max: None, integer: true, step: None };
    assert_eq!(check(int.clone(), json!("12")), Ok(()));
    assert_eq!(check(int.clone(), json!("12.0")), Ok(()));
    assert_eq!(check(int, json!("12.5")), Err(Problem::NotAnInteger));
    assert!(cmp_decimal(&parse_decimal("-0").unwrap(), &parse_decimal("0").unwrap()).is_eq());
    assert!(cmp_decimal(&parse_decimal("-2").unwrap(), &parse_decimal("-10").unwrap()).is_gt());
}

#[test]
fn dates_with_fixed_and_relative_bounds() {
    let kind = FieldKind::Date { min: Some(DateBound::Today(-30)), max: Some(DateBound::Today(0)) };
    assert_eq!(check(kind.clone(), json!("2026-11-27")), Ok(()));
    assert_eq!(check(kind.clone(), json!("2026-10-28")), Ok(()));
    assert_eq!(check(kind.clone(), json!("2026-11-28")), Err(Problem::DateTooLate { max: "2026-11-27".into() }));
    assert_eq!(check(kind.clone(), json!("2026-10-27")), Err(Problem::DateTooEarly { min: "2026-10-28".into() }));
    for bad in ["2026-02-30", "27.11.2026", "2026-1-5", "tomorrow", "2026- 1- 5", "+2026-1-05", "２026-11-27"] {
        assert_eq!(check(kind.clone(), json!(bad)), Err(Problem::InvalidDate), "{bad}");
    }
    let server = ValidationContext { slack_days: 1, ..ctx() };
    assert_eq!(check_field(&one(kind.clone(), true), Some(&json!("2026-11-28")), &server), Ok(()));
    assert!(check_field(&one(kind, true), Some(&json!("2026-11-29")), &server).is_err());
    let fixed = FieldKind::Date { min: Some(DateBound::Date("1900-01-01".into())), max: None };
    assert_eq!(check(fixed, json!("1899-12-31")), Err(Problem::DateTooEarly { min: "1900-01-01".into() }));
}

#[test]
fn the_server_checks_numbers_and_consents_exactly_as_signed() {
    let number = FieldKind::Number { min: None, max: None, integer: false, step: None };
    assert_eq!(check(number.clone(), json!("12")), Ok(()));
    assert_eq!(check(number, json!(" 12")), Err(Problem::NotANumber), "the browser trims before it signs");
    let consent = FieldKind::Consent { text: LocalText::new("I agree", "Ich stimme zu") };
    let wrong = Err(Problem::WrongType { expected: "consent {accepted, text}".into() });
    assert_eq!(check(consent.clone(), json!({"accepted": true, "text": "I agree"})), Ok(()));
    assert_eq!(check(consent.clone(), json!({"text": "I agree", "x": 1})), wrong);
    assert_eq!(check(consent, json!({"accepted": "yes", "text": "I agree"})), wrong);
}

#[test]
fn date_time() {
    assert_eq!(check(FieldKind::DateTime, json!("2026-11-27T18:30")), Ok(()));
    assert_eq!(check(FieldKind::DateTime, json!("2026-11-27 18:30")), Err(Problem::InvalidDateTime));
    assert_eq!(check(FieldKind::DateTime, json!("2026-11-27T25:00")), Err(Problem::InvalidDateTime));
    for bad in ["2026-1-5T8:3", "2026-11-27T8:30", " 2026-11-27T18:30", "2026-11-27T18:30:00"] {
        assert_eq!(check(FieldKind::DateTime, json!(bad)), Err(Problem::InvalidDateTime), "{bad}");
    }
}

#[test]
fn single_and_multiple_choice() {
    let single = FieldKind::SingleChoice { options: options(), display: Default::default() };
    assert_eq!(check(single.clone(), json!("b")), Ok(()));
    assert_eq!(check(single, json!("z")), Err(Problem::UnknownOption { value: "z".into() }));
    let multi = FieldKind::MultipleChoice { options: options(), min: Some(1), max: Some(2), other: false };
    assert_eq!(check(multi.clone(), json!(["a", "c"])), Ok(()));
    assert_eq!(check(multi.clone(), json!(["a", "b", "c"])), Err(Problem::TooManyChoices { max: 2 }));
    assert_eq!(check(multi.clone(), json!(["a", "a"])), Err(Problem::DuplicateChoice { value: "a".into() }));
    assert_eq!(check(multi.clone(), json!(["q"])), Err(Problem::UnknownOption { value: "q".into() }));
    assert!(matches!(check(multi, json!("a")), Err(Problem::WrongType { .. })));
    let at_least_two = FieldKind::MultipleChoice { options: options(), min: Some(2), max: None, other: false };
    let f = one(at_least_two, false);
    assert_eq!(check_field(&f, Some(&json!(["a"])), &ctx()), Err(Problem::TooFewChoices { min: 2 }));
}

#[test]
fn consent_records_the_exact_text() {
    let text = LocalText::new("I agree.", "Ich stimme zu.");
    let kind = FieldKind::Consent { text };
    assert_eq!(check(kind.clone(), json!({"accepted": true, "text": "Ich stimme zu."})), Ok(()));
    assert_eq!(check(kind.clone(), json!({"accepted": false, "text": "I agree."})), Err(Problem::ConsentRequired));
    assert_eq!(check(kind.clone(), json!({"accepted": true, "text": "Something else"})), Err(Problem::UnknownText));
    assert!(matches!(
        check(kind.clone(), json!({"accepted": true, "text": "I agree.", "x": 1})),
        Err(Problem::WrongType { .. })
    ));
    assert_eq!(check_field(&one(kind, true), None, &ctx()), Err(Problem::ConsentRequired));
}

#[test]
fn signature_strokes() {
    let kind = FieldKind::Signature { statement: LocalText::only("en", "I confirm the above.") };
    let good = json!({"statement": "I confirm the above.", "strokes": [[[10, 10, 0], [20, 15, 16], [30, 12, 33]]]});
    assert_eq!(check(kind.clone(), good), Ok(()));
    assert_eq!(
        check(kind.clone(), json!({"statement": "Other", "strokes": [[[1, 1, 0], [2, 2, 1]]]})),
        Err(Problem::UnknownText)
    );
    assert!(matches!(
        check(kind.clone(), json!({"statement": "I confirm the above.", "strokes": [[[1, 1, 0]]]})),
        Err(Problem::InvalidSignature { .. })
    ));
    assert!(matches!(
        check(kind.clone(), json!({"statement": "I confirm the above.", "strokes": [[["x", 1]]]})),
        Err(Problem::InvalidSignature { .. })
    ));
    // Pressure as a fourth number, in thousandths.
    let pressed = json!({"statement": "I confirm the above.", "strokes": [[[1, 1, 0, 500], [2, 2, 8, 1000]]]});
    assert_eq!(check(kind.clone(), pressed), Ok(()));
    assert!(matches!(
        check(kind.clone(), json!({"statement": "I confirm the above.", "strokes": [[[1, 1, 0, 1001], [2, 2, 8]]]})),
        Err(Problem::InvalidSignature { .. })
    ));
    // The keyboard alternative: a typed name, explicitly confirmed.
    let typed = json!({"statement": "I confirm the above.", "typed": "Ada Lovelace", "confirmed": true});
    assert_eq!(check(kind.clone(), typed), Ok(()));
    for bad in [
        json!({"statement": "I confirm the above.", "typed": "Ada Lovelace", "confirmed": false}),
        json!({"statement": "I confirm the above.", "typed": " ", "confirmed": true}),
        json!({"statement": "I confirm the above.", "typed": "Ada", "confirmed": true, "strokes": []}),
    ] {
        assert!(matches!(check(kind.clone(), bad), Err(Problem::InvalidSignature { .. })));
    }
    let too_many: Vec<Value> = (0..(MAX_SIGNATURE_POINTS as i64 + 1)).map(|i| json!([i, i, i])).collect();
    assert!(matches!(
        check(kind, json!({"statement": "I confirm the above.", "strokes": [too_many]})),
        Err(Problem::InvalidSignature { .. })
    ));
}

#[test]
fn whole_form_reports_every_field_and_unknown_keys() {
    let form = crate::demo::contact_tracing();
    let mut answers: Answers = [
        ("name".to_owned(), json!("Ada Lovelace")),
        ("address".to_owned(), json!("Musterstraße 1\n10115 Berlin")),
        ("phone".to_owned(), json!("+49301234567")),
        ("visit_date".to_owned(), json!("2026-11-27")),
        ("visit_time".to_owned(), json!("2026-11-27T18:30")),
    ]
    .into();
    assert_eq!(validate(&form, &answers, &ctx()), Ok(()));
    answers.insert("phone".into(), json!("12"));
    answers.remove("name");
    answers.insert("shoe_size".into(), json!("44"));
    let errors = validate(&form, &answers, &ctx()).unwrap_err();
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["shoe_size", "name", "phone"]);
    let json = serde_json::to_value(&errors[2]).unwrap();
    assert_eq!(json, json!({"field": "phone", "code": "invalid_phone"}));
    assert!(errors[1].problem.message("de").contains("ausfüllen"));
}

// Randomised cases run natively (proptest needs a clock and threads wasm32 lacks).
#[cfg(not(target_arch = "wasm32"))]
proptest::proptest! {
    // Validation is total: whatever JSON arrives for whatever field, it answers.
    #[test]
    fn validation_never_panics(s in ".{0,40}", n in proptest::num::i64::ANY) {
        let form = crate::demo::contact_tracing();
        for field in &form.fields {
            for v in [json!(s), json!(n), json!([s.clone()]), json!({"accepted": true, "text": s.clone()})] {
                let _ = check_field(field, Some(&v), &ctx());
            }
        }
    }

    #[test]
    fn decimal_order_matches_integer_order(a in -1_000_000i64..1_000_000, b in -1_000_000i64..1_000_000) {
        let (sa, sb) = (a.to_string(), b.to_string());
        proptest::prop_assert_eq!(cmp_decimal(&parse_decimal(&sa).unwrap(), &parse_decimal(&sb).unwrap()), a.cmp(&b));
    }
}

#[test]
fn short_text_patterns_give_the_operators_message() {
    let hint =
        LocalText::new("Two letters and four digits, e.g. AB1234.", "Zwei Buchstaben und vier Ziffern, z. B. AB1234.");
    let kind = FieldKind::ShortText {
        min_len: None,
        max_len: None,
        pattern: Some(TextPattern { regex: "[A-Z]{2}[0-9]{4}".into(), message: hint.clone() }),
    };
    assert_eq!(check(kind.clone(), json!("AB1234")), Ok(()));
    // The whole answer must match, not a part of it.
    for bad in ["AB12345", "xAB1234", "ab1234", "AB 1234"] {
        assert_eq!(check(kind.clone(), json!(bad)), Err(Problem::PatternMismatch { hint: hint.clone() }), "{bad}");
    }
    let problem = check(kind, json!("x")).unwrap_err();
    assert_eq!(problem.message("de"), "Zwei Buchstaben und vier Ziffern, z. B. AB1234.");
    // An alternation is anchored as a whole.
    let alternation = FieldKind::ShortText {
        min_len: None,
        max_len: None,
        pattern: Some(TextPattern { regex: "yes|no".into(), message: LocalText::default() }),
    };
    assert_eq!(check(alternation.clone(), json!("no")), Ok(()));
    assert!(check(alternation.clone(), json!("yesno")).is_err());
    assert_eq!(check(alternation, json!("nope")).unwrap_err().message("en"), "The format is not right.");
}

#[test]
fn number_steps_are_exact() {
    let kind = |min: Option<&str>, step: &str| FieldKind::Number {
        min: min.map(Into::into),
        max: None,
        integer: false,
        step: Some(step.into()),
    };
    assert_eq!(check(kind(None, "0.5"), json!("2.5")), Ok(()));
    assert_eq!(check(kind(None, "0.5"), json!("-1.50")), Ok(()));
    assert_eq!(check(kind(None, "0.5"), json!("2.25")), Err(Problem::StepMismatch { step: "0.5".into() }));
    // Steps count from the minimum.
    assert_eq!(check(kind(Some("1"), "5"), json!("11")), Ok(()));
    assert!(check(kind(Some("1"), "5"), json!("10")).is_err());
    // 0.1 steps have no binary rounding trouble here.
    assert_eq!(check(kind(None, "0.1"), json!("0.3")), Ok(()));
    // Too long to compute exactly: refused, not guessed.
    assert!(check(kind(None, "0.1"), json!("99999999999999999999999999999999999999.5")).is_err());
}

fn address(street: &str, postcode: &str, city: &str, country: &str) -> Value {
    json!({"street": street, "postcode": postcode, "city": city, "country": country})
}

#[test]
fn addresses_need_every_part_and_a_plausible_postcode() {
    let kind = FieldKind::Address { countries: vec!["DE".into(), "AT".into(), "CH".into()] };
    assert_eq!(check(kind.clone(), address("Musterstraße 1", "10115", "Berlin", "DE")), Ok(()));
    assert_eq!(check(kind.clone(), address("Ring 1", "1010", "Wien", "AT")), Ok(()));
    assert_eq!(
        check(kind.clone(), address("Ring 1", "10115", "Wien", "AT")),
        Err(Problem::InvalidPostcode { country: "AT".into() })
    );
    assert_eq!(
        check(kind.clone(), address("", "10115", "Berlin", "DE")),
        Err(Problem::AddressIncomplete { part: "street".into() })
    );
    assert_eq!(
        check(kind.clone(), json!({"street": "a", "postcode": "10115", "city": "b"})),
        Err(Problem::AddressIncomplete { part: "country".into() })
    );
    assert_eq!(
        check(kind.clone(), address("Rue 1", "75001", "Paris", "FR")),
        Err(Problem::UnknownOption { value: "FR".into() })
    );
    assert!(matches!(check(kind.clone(), json!("Berlin")), Err(Problem::WrongType { .. })));
    let extra = json!({"street": "a", "postcode": "10115", "city": "b", "country": "DE", "x": "y"});
    assert!(matches!(check(kind, extra), Err(Problem::WrongType { .. })));
    assert_eq!(
        Problem::InvalidPostcode { country: "CH".into() }.message("de"),
        "Diese Postleitzahl passt nicht zu Schweiz."
    );
}

#[test]
fn yes_no_static_and_hidden_fields() {
    assert_eq!(check(FieldKind::YesNo, json!(false)), Ok(()));
    assert!(matches!(check(FieldKind::YesNo, json!("yes")), Err(Problem::WrongType { .. })));
    let required = one(FieldKind::YesNo, true);
    assert_eq!(check_field(&required, None, &ctx()), Err(Problem::Required));
    // A heading takes no answer, even when marked required.
    let heading = one(FieldKind::Heading, true);
    assert_eq!(check_field(&heading, None, &ctx()), Ok(()));
    assert_eq!(check_field(&heading, Some(&json!("x")), &ctx()), Err(Problem::NoAnswerExpected));
    let paragraph = one(FieldKind::Paragraph { text: LocalText::new("a", "b") }, false);
    assert_eq!(check_field(&paragraph, Some(&json!(true)), &ctx()), Err(Problem::NoAnswerExpected));
    assert_eq!(check(FieldKind::Hidden, json!("customer-42")), Ok(()));
    assert!(check(FieldKind::Hidden, json!("x".repeat(1001))).is_err());
}

#[test]
fn multiple_choice_with_an_own_answer() {
    let kind = |other| FieldKind::MultipleChoice { options: options(), min: Some(1), max: Some(2), other };
    assert_eq!(check(kind(true), json!(["a", {"other": "Something else"}])), Ok(()));
    assert_eq!(check(kind(true), json!([{"other": "only mine"}])), Ok(()));
    assert!(check(kind(false), json!(["a", {"other": "x"}])).is_err(), "own answers only when allowed");
    assert!(check(kind(true), json!([{"other": "x"}, {"other": "y"}])).is_err(), "one own answer at most");
    assert!(check(kind(true), json!([{"other": ""}])).is_err());
    assert_eq!(check(kind(true), json!(["a", "b", {"other": "x"}])), Err(Problem::TooManyChoices { max: 2 }));
}

#[test]
fn normalize_completes_national_phone_numbers_and_drops_untouched_parts() {
    let mut form = crate::templates::build("contact_tracing", "t", "T").unwrap();
    form.fields.push(one(FieldKind::MultipleChoice { options: options(), min: None, max: None, other: true }, false));
    let mut answers: Answers = [
        ("phone".to_owned(), json!(" 030 123 4567 ")),
        ("address".to_owned(), json!({"street": " ", "postcode": "", "city": "", "country": "DE"})),
        ("f".to_owned(), json!(["a", {"other": "  "}])),
    ]
    .into_iter()
    .collect();
    normalize(&form, &mut answers);
    assert_eq!(answers["phone"], json!("+49301234567"));
    assert!(!answers.contains_key("address"), "a preselected country alone is no answer");
    assert_eq!(answers["f"], json!(["a"]));
}

#[test]
fn ratings_and_scales_take_their_points_only() {
    let rating = FieldKind::Rating { max: 5 };
    assert_eq!(check(rating.clone(), json!("1")), Ok(()));
    assert_eq!(check(rating.clone(), json!("5")), Ok(()));
    assert_eq!(check(rating.clone(), json!("0")), Err(Problem::BelowMin { min: "1".into() }));
    assert_eq!(check(rating.clone(), json!("6")), Err(Problem::AboveMax { max: "5".into() }));
    assert_eq!(check(rating.clone(), json!("4.0")), Err(Problem::NotAnInteger));
    assert_eq!(check(rating.clone(), json!("04")), Err(Problem::NotAnInteger));
    assert_eq!(check(rating, json!(4)), Err(Problem::WrongType { expected: "text".into() }));
    let nps = FieldKind::OpinionScale { min: 0, max: 10, min_label: None, max_label: None };
    assert_eq!(check(nps.clone(), json!("0")), Ok(()));
    assert_eq!(check(nps.clone(), json!("10")), Ok(()));
    assert_eq!(check(nps, json!("11")), Err(Problem::AboveMax { max: "10".into() }));
}
