use chrono::NaiveDate;
use serde_json::{Value, json};

use super::*;
use crate::definition::check;
use crate::form::{ChoiceOption, DataClass, Field, FieldKind};
use crate::text::LocalText;
use crate::validate::{Problem, ValidationContext, normalize, validate};
// In the wasm32 build the same tests run under wasm-bindgen-test, so the browser's
// build is shown to decide exactly as the server's.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

pub(super) fn field(key: &str, required: bool, kind: FieldKind) -> Field {
    Field::new(key, LocalText::new(key, key), required, DataClass::None, kind)
}

fn text() -> FieldKind {
    FieldKind::ShortText { min_len: None, max_len: None, pattern: None }
}

fn page(key: &str, jumps: Vec<Jump>) -> Field {
    field(key, false, FieldKind::PageBreak { jumps })
}

fn options(values: &[&str]) -> Vec<ChoiceOption> {
    values.iter().map(|v| ChoiceOption::new(v, LocalText::new(v, v))).collect()
}

fn when(mut f: Field, condition: Condition) -> Field {
    f.visible_if = Some(condition);
    f
}

pub(super) fn form(fields: Vec<Field>) -> FormDef {
    let mut def = crate::demo::contact_tracing();
    def.fields = fields;
    def
}

pub(super) fn answers(pairs: &[(&str, Value)]) -> Answers {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect()
}

pub(super) fn ctx() -> ValidationContext {
    ValidationContext { today: NaiveDate::from_ymd_opt(2026, 12, 3).unwrap_or_default(), slack_days: 0 }
}

fn eq(field: &str, value: Value) -> Condition {
    Condition::Equals { field: field.into(), value }
}

/// A form with one source field of `kind` and a target shown when `condition` holds.
fn shown_for(kind: FieldKind, condition: Condition, answer: Option<Value>) -> bool {
    let def = form(vec![field("src", false, kind), when(field("target", false, text()), condition)]);
    let given = answer.map(|a| answers(&[("src", a)])).unwrap_or_default();
    assert_eq!(check(&def), vec![], "the table's definitions are valid");
    evaluate(&def, &given).is_shown(1)
}

#[test]
fn every_operator_on_every_type_it_takes() {
    let number = || FieldKind::Number { min: None, max: None, integer: false, step: None };
    let date = || FieldKind::Date { min: None, max: None };
    let single = || FieldKind::SingleChoice { options: options(&["car", "bike"]), display: Default::default() };
    let multiple =
        || FieldKind::MultipleChoice { options: options(&["car", "bike"]), min: None, max: None, other: false };
    let consent = || FieldKind::Consent { text: LocalText::new("ok", "ok") };
    let nps = || FieldKind::OpinionScale { min: 0, max: 10, min_label: None, max_label: None };
    let s = |v: &str| Condition::Contains { field: "src".into(), value: v.into() };
    let gt = |v: &str| Condition::GreaterThan { field: "src".into(), value: v.into() };
    let lt = |v: &str| Condition::LessThan { field: "src".into(), value: v.into() };
    let one_of = |vs: &[&str]| Condition::OneOf { field: "src".into(), values: vs.iter().map(|v| json!(v)).collect() };
    let answered = || Condition::Answered { field: "src".into() };
    let not_answered = || Condition::NotAnswered { field: "src".into() };
    let ne = |value: Value| Condition::NotEquals { field: "src".into(), value };
    // (source kind, condition, the source's answer, shown?)
    let table: Vec<(FieldKind, Condition, Option<Value>, bool)> = vec![
        (FieldKind::YesNo, eq("src", json!(true)), Some(json!(true)), true),
        (FieldKind::YesNo, eq("src", json!(true)), Some(json!(false)), false),
        (FieldKind::YesNo, eq("src", json!(true)), None, false),
        (FieldKind::YesNo, ne(json!(true)), Some(json!(false)), true),
        (FieldKind::YesNo, ne(json!(true)), Some(json!(true)), false),
        // "Not equal" is the exact opposite of "equal", so it holds while unanswered.
        (FieldKind::YesNo, ne(json!(true)), None, true),
        (single(), eq("src", json!("car")), Some(json!("car")), true),
        (single(), eq("src", json!("car")), Some(json!("bike")), false),
        (single(), one_of(&["car", "bike"]), Some(json!("bike")), true),
        (single(), one_of(&["car"]), Some(json!("bike")), false),
        (multiple(), s("bike"), Some(json!(["car", "bike"])), true),
        (multiple(), s("bike"), Some(json!(["car"])), false),
        (multiple(), s("bike"), Some(json!([])), false),
        (text(), s("Glass"), Some(json!("broken glass door")), true),
        (text(), s("glass"), Some(json!("a dent")), false),
        (text(), eq("src", json!("yes")), Some(json!("yes")), true),
        (text(), one_of(&["a", "b"]), Some(json!("c")), false),
        (text(), answered(), Some(json!("x")), true),
        (text(), answered(), Some(json!("   ")), false),
        (text(), not_answered(), None, true),
        (text(), not_answered(), Some(json!("x")), false),
        // Numbers compare by value, exactly.
        (number(), eq("src", json!("1.50")), Some(json!("1.5")), true),
        (number(), gt("1000"), Some(json!("1000.01")), true),
        (number(), gt("1000"), Some(json!("1000")), false),
        (number(), gt("-1"), Some(json!("-0.5")), true),
        (number(), lt("0.3"), Some(json!("0.29999999999999999999")), true),
        (number(), lt("10"), None, false),
        (date(), gt("2026-01-31"), Some(json!("2026-02-01")), true),
        (date(), lt("2026-01-31"), Some(json!("2026-02-01")), false),
        (date(), eq("src", json!("2026-02-01")), Some(json!("2026-02-01")), true),
        (consent(), eq("src", json!(true)), Some(json!({"accepted": true, "text": "ok"})), true),
        // Ratings and scales compare as numbers.
        (FieldKind::Rating { max: 5 }, lt("3"), Some(json!("2")), true),
        (FieldKind::Rating { max: 5 }, lt("3"), Some(json!("3")), false),
        (nps(), gt("8"), Some(json!("9")), true),
        (nps(), eq("src", json!("10")), Some(json!("10")), true),
        (consent(), eq("src", json!(true)), Some(json!({"accepted": false, "text": "ok"})), false),
    ];
    for (n, (kind, condition, answer, expected)) in table.into_iter().enumerate() {
        let name = format!("row {n}: {condition:?} on {} = {answer:?}", kind.type_name());
        assert_eq!(shown_for(kind, condition, answer), expected, "{name}");
    }
}

#[test]
fn groups_combine_and_nest() {
    let yes = |k: &str| eq(k, json!(true));
    let def = |c: Condition| {
        form(vec![
            field("a", false, FieldKind::YesNo),
            field("b", false, FieldKind::YesNo),
            when(field("t", false, text()), c),
        ])
    };
    let all = Condition::AllOf { conditions: vec![yes("a"), yes("b")] };
    let any = Condition::AnyOf { conditions: vec![yes("a"), yes("b")] };
    let nested = Condition::AnyOf { conditions: vec![Condition::AllOf { conditions: vec![] }, yes("b")] };
    let empty_any = Condition::AnyOf { conditions: vec![] };
    // (a, b) -> (all, any)
    for (a, b, all_shown, any_shown) in
        [(true, true, true, true), (true, false, false, true), (false, false, false, false)]
    {
        let given = answers(&[("a", json!(a)), ("b", json!(b))]);
        assert_eq!(evaluate(&def(all.clone()), &given).is_shown(2), all_shown, "all_of for {a}, {b}");
        assert_eq!(evaluate(&def(any.clone()), &given).is_shown(2), any_shown, "any_of for {a}, {b}");
        assert!(evaluate(&def(nested.clone()), &given).is_shown(2), "an empty all_of holds");
        assert!(!evaluate(&def(empty_any.clone()), &given).is_shown(2), "an empty any_of does not");
    }
}

/// The claims form of the issue: "Was anyone injured?" → details.
fn claims() -> FormDef {
    let mut details = when(field("injuries", true, FieldKind::LongText { max_len: None }), eq("injured", json!(true)));
    details.class = DataClass::Special;
    let mut witness = field("witness", false, text());
    witness.required_if = Some(eq("police", json!(true)));
    form(vec![
        field("happened", true, FieldKind::LongText { max_len: None }),
        field("injured", true, FieldKind::YesNo),
        details,
        field("police", false, FieldKind::YesNo),
        witness,
    ])
}

#[test]
fn visible_and_required_sets() {
    let def = claims();
    assert_eq!(check(&def), vec![]);
    // (injured, police) -> shown, required (by position)
    let table = [
        (None, None, [true, true, false, true, true], [true, true, false, false, false]),
        (Some(true), None, [true, true, true, true, true], [true, true, true, false, false]),
        (Some(false), Some(true), [true, true, false, true, true], [true, true, false, false, true]),
        (Some(true), Some(false), [true, true, true, true, true], [true, true, true, false, false]),
    ];
    for (injured, police, shown, required) in table {
        let mut given = answers(&[("happened", json!("A tree fell on the car."))]);
        if let Some(i) = injured {
            given.insert("injured".into(), json!(i));
        }
        if let Some(p) = police {
            given.insert("police".into(), json!(p));
        }
        let outcome = evaluate(&def, &given);
        assert_eq!(outcome.shown, shown, "shown for {injured:?}, {police:?}");
        assert_eq!(outcome.required, required, "required for {injured:?}, {police:?}");
    }
}

#[test]
fn validation_follows_the_logic() {
    let def = claims();
    let base = || answers(&[("happened", json!("A tree fell.")), ("injured", json!(false))]);
    assert_eq!(validate(&def, &base(), &ctx()), Ok(()), "a required field the logic hides is not required");

    let mut hidden_answered = base();
    hidden_answered.insert("injuries".into(), json!("a broken arm"));
    let errors = validate(&def, &hidden_answered, &ctx()).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!((errors[0].field.as_str(), &errors[0].problem), ("injuries", &Problem::NotAsked));

    let mut shown_missing = base();
    shown_missing.insert("injured".into(), json!(true));
    let errors = validate(&def, &shown_missing, &ctx()).unwrap_err();
    assert_eq!((errors[0].field.as_str(), &errors[0].problem), ("injuries", &Problem::Required));

    let mut required_if = base();
    required_if.insert("police".into(), json!(true));
    let errors = validate(&def, &required_if, &ctx()).unwrap_err();
    assert_eq!((errors[0].field.as_str(), &errors[0].problem), ("witness", &Problem::Required));
}

#[test]
fn normalising_drops_what_the_logic_hid() {
    let def = claims();
    // The visitor said yes, typed details, then changed to no: the details go.
    let mut given = answers(&[
        ("happened", json!(" A tree fell. ")),
        ("injured", json!(false)),
        ("injuries", json!("a broken arm")),
    ]);
    normalize(&def, &mut given);
    assert_eq!(given, answers(&[("happened", json!("A tree fell.")), ("injured", json!(false))]));
    assert_eq!(validate(&def, &given, &ctx()), Ok(()));
}

#[test]
fn a_hidden_answer_drives_no_other_condition() {
    // c depends on b, which depends on a: hiding b hides c, whatever b's stale answer.
    let def = form(vec![
        field("a", false, FieldKind::YesNo),
        when(field("b", false, FieldKind::YesNo), eq("a", json!(true))),
        when(field("c", false, text()), eq("b", json!(true))),
    ]);
    let given = answers(&[("a", json!(false)), ("b", json!(true))]);
    assert_eq!(evaluate(&def, &given).shown, vec![true, false, false]);
    let given = answers(&[("a", json!(true)), ("b", json!(true))]);
    assert_eq!(evaluate(&def, &given).shown, vec![true, true, true]);
}

/// Three pages; page one jumps over page two when the visitor has no car.
fn three_pages() -> FormDef {
    let jump = Jump { when: eq("car", json!(false)), to: JumpTarget::Page("p3".into()) };
    form(vec![
        page("p1", vec![jump]),
        field("car", true, FieldKind::YesNo),
        page("p2", vec![]),
        field("plate", true, text()),
        page("p3", vec![Jump { when: eq("done", json!(true)), to: JumpTarget::End }]),
        field("done", false, FieldKind::YesNo),
        page("p4", vec![]),
        field("extra", false, text()),
    ])
}

#[test]
fn pages_and_jumps() {
    let def = three_pages();
    assert_eq!(check(&def), vec![]);
    assert_eq!(pages(&def), vec![0..2, 2..4, 4..6, 6..8]);
    let path = |given: &[(&str, Value)]| evaluate(&def, &answers(given)).path;
    assert_eq!(path(&[]), vec![0, 1, 2, 3], "no jump holds yet: every page");
    assert_eq!(path(&[("car", json!(false))]), vec![0, 2, 3], "no car: over page two");
    assert_eq!(path(&[("car", json!(true)), ("done", json!(true))]), vec![0, 1, 2], "done: straight to the end");
    let outcome = evaluate(&def, &answers(&[("car", json!(false))]));
    assert!(!outcome.is_shown(3) && !outcome.is_required(3), "the plate is not asked on a page jumped over");
    assert_eq!(validate(&def, &answers(&[("car", json!(false))]), &ctx()), Ok(()));
    let stale = answers(&[("car", json!(false)), ("plate", json!("B-AB 123"))]);
    assert_eq!(validate(&def, &stale, &ctx()).unwrap_err()[0].problem, Problem::NotAsked);
}

#[test]
fn a_page_with_a_condition_is_skipped_when_it_fails() {
    let mut second = page("p2", vec![]);
    second.visible_if = Some(eq("more", json!(true)));
    let def = form(vec![field("more", false, FieldKind::YesNo), second, field("detail", true, text())]);
    assert_eq!(check(&def), vec![]);
    assert_eq!(pages(&def), vec![0..1, 1..3], "without a leading break, page one starts at the first field");
    assert_eq!(evaluate(&def, &answers(&[("more", json!(false))])).path, vec![0]);
    assert_eq!(evaluate(&def, &answers(&[("more", json!(true))])).path, vec![0, 1]);
    assert_eq!(validate(&def, &answers(&[("more", json!(false))]), &ctx()), Ok(()));
}

fn problems_of(def: &FormDef) -> Vec<(Option<usize>, String, String)> {
    check(def).into_iter().map(|p| (p.field, p.setting, p.message)).collect()
}

#[test]
fn forward_references_unknown_fields_and_wrong_types_are_refused() {
    // A condition naming a later field (and so any cycle: a on b, b on a).
    let def = form(vec![
        when(field("a", false, text()), eq("b", json!("x"))),
        when(field("b", false, text()), eq("a", json!("x"))),
    ]);
    let problems = problems_of(&def);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!((problems[0].0, problems[0].1.as_str()), (Some(0), "visible_if"));
    assert!(problems[0].2.contains("comes later"), "{}", problems[0].2);

    let cases: Vec<(FieldKind, Condition, &str)> = vec![
        (text(), eq("nope", json!("x")), "names no field"),
        (FieldKind::YesNo, eq("src", json!("yes")), "compare with true or false"),
        (
            FieldKind::SingleChoice { options: options(&["a", "b"]), display: Default::default() },
            eq("src", json!("c")),
            "has no option",
        ),
        (FieldKind::Number { min: None, max: None, integer: false, step: None }, eq("src", json!(3)), "is a number"),
        (
            FieldKind::Date { min: None, max: None },
            Condition::GreaterThan { field: "src".into(), value: "soon".into() },
            "is a date",
        ),
        (text(), Condition::GreaterThan { field: "src".into(), value: "3".into() }, "has no order"),
        (FieldKind::YesNo, Condition::Contains { field: "src".into(), value: "x".into() }, "cannot contain"),
        (
            FieldKind::MultipleChoice { options: options(&["a"]), min: None, max: None, other: false },
            eq("src", json!("a")),
            "use contains",
        ),
        (FieldKind::Heading, Condition::Answered { field: "src".into() }, "takes no answer"),
        (text(), Condition::OneOf { field: "src".into(), values: vec![] }, "lists no values"),
        (FieldKind::Rating { max: 5 }, eq("src", json!("6")), "has no point"),
    ];
    for (kind, condition, expected) in cases {
        let name = format!("{condition:?} on {}", kind.type_name());
        let def = form(vec![
            field("ask", true, text()),
            field("src", false, kind),
            when(field("t", false, text()), condition),
        ]);
        let problems = problems_of(&def);
        assert!(
            problems
                .iter()
                .any(|(at, setting, message)| *at == Some(2) && setting == "visible_if" && message.contains(expected)),
            "{name}: expected {expected:?} in {problems:?}"
        );
    }
}

#[test]
fn jumps_go_forward_to_a_page_break_only() {
    let back = Jump { when: eq("car", json!(true)), to: JumpTarget::Page("p1".into()) };
    let def = form(vec![page("p1", vec![]), field("car", false, FieldKind::YesNo), page("p2", vec![back])]);
    let problems = problems_of(&def);
    assert!(
        problems.iter().any(|(at, s, m)| *at == Some(2) && s == "jumps" && m.contains("jumps only go forward")),
        "{problems:?}"
    );

    let to_field = Jump { when: eq("car", json!(true)), to: JumpTarget::Page("car".into()) };
    let def = form(vec![page("p1", vec![to_field]), field("car", false, FieldKind::YesNo), page("p2", vec![])]);
    assert!(problems_of(&def).iter().any(|(_, s, _)| s == "jumps"));

    // A jump may read the fields of its own page, but not of later ones.
    let later = Jump { when: eq("late", json!(true)), to: JumpTarget::End };
    let def = form(vec![
        page("p1", vec![later]),
        field("car", false, FieldKind::YesNo),
        page("p2", vec![]),
        field("late", false, FieldKind::YesNo),
    ]);
    assert!(problems_of(&def).iter().any(|(_, s, m)| s == "jumps" && m.contains("comes later")));

    let mut first = page("p1", vec![]);
    first.visible_if = Some(Condition::Answered { field: "x".into() });
    let def = form(vec![first, field("x", false, text())]);
    assert!(problems_of(&def).iter().any(|(at, s, m)| *at == Some(0) && s == "visible_if" && m.contains("first page")));
}

#[test]
fn conditions_are_bounded_in_size_and_depth() {
    let many = Condition::AnyOf {
        conditions: (0..=MAX_COMPARISONS).map(|_| Condition::Answered { field: "a".into() }).collect(),
    };
    let mut deep = Condition::Answered { field: "a".into() };
    for _ in 0..=MAX_DEPTH {
        deep = Condition::AllOf { conditions: vec![deep] };
    }
    for (condition, expected) in [(many, "at most 50"), (deep, "nest at most")] {
        let def = form(vec![field("a", false, text()), when(field("t", false, text()), condition)]);
        assert!(problems_of(&def).iter().any(|(_, _, m)| m.contains(expected)), "{expected}");
    }
}

#[test]
fn conditions_read_as_json_as_documented() {
    // The shape docs/protocol.md shows.
    let field: Field = serde_json::from_value(json!({
        "key": "injuries", "label": {"en": "Injuries"}, "type": "long_text",
        "visible_if": {"op": "all_of", "conditions": [
            {"op": "equals", "field": "injured", "value": true},
            {"op": "greater_than", "field": "people", "value": "0"}
        ]}
    }))
    .unwrap();
    let expected = Condition::AllOf {
        conditions: vec![
            eq("injured", json!(true)),
            Condition::GreaterThan { field: "people".into(), value: "0".into() },
        ],
    };
    assert_eq!(field.visible_if, Some(expected));
    let page: Field = serde_json::from_value(json!({
        "key": "p2", "label": {"en": "Vehicle"}, "type": "page_break",
        "jumps": [{"when": {"op": "answered", "field": "x"}, "to": "end"},
                  {"when": {"op": "not_answered", "field": "x"}, "to": {"page": "p4"}}]
    }))
    .unwrap();
    let FieldKind::PageBreak { jumps } = page.kind else { panic!("a page break") };
    assert_eq!(jumps[0].to, JumpTarget::End);
    assert_eq!(jumps[1].to, JumpTarget::Page("p4".into()));
    // A field without logic serialises exactly as before logic existed, so the
    // digests of versions published earlier do not change.
    let plain = serde_json::to_value(self::field("a", true, FieldKind::YesNo)).unwrap();
    assert_eq!(
        plain,
        json!({"key": "a", "label": {"en": "a", "de": "a"}, "required": true, "class": "none", "type": "yes_no"})
    );
}

// Randomised cases run natively (proptest needs a clock and threads wasm32 lacks).
#[cfg(not(target_arch = "wasm32"))]
proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
    /// Random definitions (conditions naming any field, forward or not, of any type)
    /// with random answers: evaluation and validation never panic, the path only goes
    /// forward, and a hidden field is never required.
    #[test]
    fn random_logic_never_panics(
        kinds in proptest::collection::vec(0usize..6, 1..8),
        refs in proptest::collection::vec((0usize..8, 0usize..10, 0usize..4), 0..8),
        values in proptest::collection::vec(0usize..5, 8),
    ) {
        let pick_value = |n: usize| [json!(true), json!("a"), json!("3.5"), json!(["a"]), json!("2026-01-01")][n % 5].clone();
        let mut fields: Vec<Field> = kinds.iter().enumerate().map(|(i, k)| {
            let kind = match k {
                0 => FieldKind::YesNo,
                1 => text(),
                2 => FieldKind::Number { min: None, max: None, integer: false, step: None },
                3 => FieldKind::MultipleChoice { options: options(&["a", "b"]), min: None, max: None, other: false },
                4 => FieldKind::Date { min: None, max: None },
                _ => FieldKind::PageBreak { jumps: vec![] },
            };
            field(&format!("f{i}"), i % 2 == 0, kind)
        }).collect();
        let count = fields.len();
        for (target, source, op) in refs {
            let key = format!("f{}", source % (count + 2));
            let value = pick_value(source);
            let condition = match op {
                0 => Condition::Equals { field: key, value },
                1 => Condition::Contains { field: key, value: "a".into() },
                2 => Condition::GreaterThan { field: key, value: "1".into() },
                _ => Condition::Answered { field: key },
            };
            let target = target % count;
            if let FieldKind::PageBreak { jumps } = &mut fields[target].kind {
                jumps.push(Jump { when: condition.clone(), to: JumpTarget::Page(format!("f{}", source % count)) });
            }
            fields[target].visible_if = Some(condition);
        }
        let def = form(fields);
        let given: Answers = values.iter().enumerate().map(|(i, v)| (format!("f{i}"), pick_value(*v))).collect();
        let _ = check(&def);
        let outcome = evaluate(&def, &given);
        proptest::prop_assert!(outcome.path.windows(2).all(|w| w[0] < w[1]));
        for i in 0..count {
            proptest::prop_assert!(outcome.is_shown(i) || !outcome.is_required(i));
        }
        let _ = validate(&def, &given, &ctx());
        let mut normalised = given.clone();
        normalize(&def, &mut normalised);
        // Whatever normalising leaves is never refused as "not asked".
        if let Err(errors) = validate(&def, &normalised, &ctx()) {
            proptest::prop_assert!(errors.iter().all(|e| e.problem != Problem::NotAsked));
        }
    }
}
