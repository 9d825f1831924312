//! Prints docs/test-vectors.json: fixed keys and objects with their canonical bytes,
//! digests and signatures. Run `cargo run -p formseal-model --example test_vectors`
//! only when the protocol changes on purpose; the test `vectors` checks the file.

// A generator run by hand on fixed inputs: a failure is a bug to see at once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use ed25519_dalek::SigningKey;
use formseal_model::link::{SignedLinkOpen, secret_of};
use formseal_model::templates;
use formseal_model::{
    Challenge, Domain, Envelope, PublishedVersion, Receipt, SignedChallenge, SignedReceipt, SubmissionRequest,
    b64_encode, canonical_bytes, demo, digest, key_id, pow,
};
use serde_json::json;

fn main() {
    let visitor = SigningKey::from_bytes(&[0x11; 32]);
    let instance = SigningKey::from_bytes(&[0x22; 32]);
    let instance_id = key_id(&instance.verifying_key());

    let form = demo::contact_tracing();
    let version = PublishedVersion::sign(form.clone(), &instance_id, &instance).unwrap();
    let envelope = Envelope {
        v: 1,
        form: form.id.clone(),
        version: version.version.clone(),
        answers: [
            ("name".to_owned(), json!("Zoë Müller")),
            ("address".to_owned(), json!("Musterstraße 1\n10115 Berlin")),
            ("phone".to_owned(), json!("+49301234567")),
            ("visit_date".to_owned(), json!("2026-11-27")),
            ("visit_time".to_owned(), json!("2026-11-27T18:30")),
        ]
        .into(),
        nonce: b64_encode(&[0x33; 16]),
        client_time: "2026-11-27T18:31:02.123Z".into(),
        link: None,
    };
    let request = SubmissionRequest::sign(&envelope, &visitor).unwrap();
    let envelope_bytes = canonical_bytes(Domain::Envelope, &envelope).unwrap();
    let receipt = Receipt {
        v: 1,
        submission: "0193a5f0-0000-7000-8000-000000000001".into(),
        form: form.id.clone(),
        version: version.version.clone(),
        envelope: b64_encode(&digest(&envelope_bytes)),
        received_at: "2026-11-27T18:31:02.456Z".into(),
        sequence: 1,
        previous: None,
    };
    let first = SignedReceipt::sign(receipt.clone(), &instance_id, &instance).unwrap();
    // The form's second submission: another visitor's envelope (a nonce is unique
    // per form, and a stored envelope has exactly one receipt).
    let second_envelope = Envelope {
        answers: [
            ("name".to_owned(), json!("Jan Kowalski")),
            ("address".to_owned(), json!("Hauptstraße 5\n80331 München")),
            ("phone".to_owned(), json!("+4989123456")),
            ("visit_date".to_owned(), json!("2026-11-27")),
            ("visit_time".to_owned(), json!("2026-11-27T18:45")),
        ]
        .into(),
        nonce: b64_encode(&[0x34; 16]),
        client_time: "2026-11-27T18:46:10.000Z".into(),
        ..envelope.clone()
    };
    let second_request = SubmissionRequest::sign(&second_envelope, &visitor).unwrap();
    let second_envelope_bytes = canonical_bytes(Domain::Envelope, &second_envelope).unwrap();
    let second_receipt = Receipt {
        sequence: 2,
        previous: Some(receipt.digest().unwrap()),
        submission: "0193a5f0-0000-7000-8000-000000000002".into(),
        envelope: b64_encode(&digest(&second_envelope_bytes)),
        received_at: "2026-11-27T18:46:10.789Z".into(),
        ..receipt.clone()
    };
    let second = SignedReceipt::sign(second_receipt.clone(), &instance_id, &instance).unwrap();
    let form_bytes = canonical_bytes(Domain::FormVersion, &form).unwrap();

    // A proof-of-work challenge of 12 bits, issued for the demo form, and its solution.
    let challenge = Challenge {
        v: 1,
        form: form.id.clone(),
        salt: b64_encode(&[0x44; 16]),
        difficulty: 12,
        expires: "2026-11-27T18:41:02.000Z".into(),
    };
    let challenge_bytes = canonical_bytes(Domain::Challenge, &challenge).unwrap();
    let signed_challenge = SignedChallenge::sign(challenge.clone(), &instance_id, &instance).unwrap();
    let work_input = challenge.work_input().unwrap();
    let counter = pow::solve(&work_input, challenge.difficulty, 0, u64::MAX).unwrap();
    let proof = signed_challenge.clone().prove(counter);
    let mut solved = work_input.to_vec();
    solved.extend_from_slice(&counter.to_be_bytes());

    // A personal link: its key's seed is the secret in the URL fragment. The page
    // signs the opening and an envelope (with a drawn signature) with it.
    let link_key = SigningKey::from_bytes(&[0x55; 32]);
    let link_id = "bGluay0wMDAwMDAwMDAwMDE";
    let open = SignedLinkOpen::sign(link_id, "2026-11-27T18:30:00.000Z", &link_key).unwrap();
    let open_bytes = canonical_bytes(Domain::LinkOpen, &open.open).unwrap();
    // The link's form is published like any other: its version is in the file, so
    // the envelope names a version whose definition anyone can hash.
    let mut questionnaire = templates::build("customer_questionnaire", "agreement", "Customer agreement").unwrap();
    questionnaire.notice.controller = formseal_model::Controller {
        name: "Example Bank AG".into(),
        address: "Musterstraße 1, 10115 Berlin".into(),
        contact: "privacy@example.com".into(),
    };
    assert_eq!(formseal_model::definition::check(&questionnaire), vec![]);
    let questionnaire_version = PublishedVersion::sign(questionnaire.clone(), &instance_id, &instance).unwrap();
    let signed_envelope = Envelope {
        v: 1,
        form: questionnaire.id.clone(),
        version: questionnaire_version.version.clone(),
        answers: [
            ("name".to_owned(), json!("Zoë Müller")),
            (
                "address".to_owned(),
                json!({"street": "Musterstraße 1", "postcode": "10115", "city": "Berlin", "country": "DE"}),
            ),
            ("birth_date".to_owned(), json!("1990-05-17")),
            ("interests".to_owned(), json!(["advice", {"other": "Pensions"}])),
            ("contact_by".to_owned(), json!("mail")),
            (
                "signature".to_owned(),
                json!({
                    "statement": "I confirm that the information above is correct.",
                    "strokes": [[[12, 40, 0, 480], [30, 52, 17, 530], [58, 33, 33, 610]], [[20, 70, 250], [90, 72, 268]]]
                }),
            ),
        ]
        .into(),
        nonce: b64_encode(&[0x66; 16]),
        client_time: "2026-11-27T18:32:10.000Z".into(),
        link: Some(link_id.into()),
    };
    // Every envelope here is one a server accepts on the day it was sent.
    let on_the_day = formseal_model::ValidationContext {
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(),
        slack_days: 1,
    };
    formseal_model::validate(&questionnaire, &signed_envelope.answers, &on_the_day).unwrap();
    formseal_model::validate(&form, &envelope.answers, &on_the_day).unwrap();
    formseal_model::validate(&form, &second_envelope.answers, &on_the_day).unwrap();
    let link_request = SubmissionRequest::sign(&signed_envelope, &link_key).unwrap();
    let link_envelope_bytes = canonical_bytes(Domain::Envelope, &signed_envelope).unwrap();

    // Form logic: the damage-report template (conditions, three pages) and answer
    // sets with what each calls for, so another implementation can recompute them.
    let mut claims = templates::build("damage_report", "damage-report", "Damage report").unwrap();
    claims.notice.controller = formseal_model::Controller {
        name: "Example Versicherung AG".into(),
        address: "Musterstraße 1, 10115 Berlin".into(),
        contact: "privacy@example.com".into(),
    };
    let claims_version = PublishedVersion::sign(claims.clone(), &instance_id, &instance).unwrap();
    let base = json!({"incident_date": "2026-12-01", "description": "A branch broke the window.", "damage_type": "property",
        "injured": false, "name": "Zoë Müller", "email": "zoe@example.com"});
    let with = |extra: serde_json::Value| {
        let mut answers = base.as_object().unwrap().clone();
        answers.extend(extra.as_object().unwrap().clone());
        answers.retain(|_, v| !v.is_null());
        answers
    };
    let logic_cases: Vec<serde_json::Value> = [
        ("property damage, nobody hurt: injuries and the vehicle page are not asked", with(json!({}))),
        ("someone hurt: injuries asked and required, here missing", with(json!({"injured": true}))),
        ("an answer to the hidden injuries field is refused", with(json!({"injuries": "a cut"}))),
        (
            "vehicle damage: the vehicle page applies; police came, reference missing",
            with(json!({"damage_type": "vehicle", "plate": "B-AB 123", "police": true})),
        ),
        ("nothing answered yet", serde_json::Map::new()),
    ]
    .into_iter()
    .map(|(name, answers)| {
        let answers: formseal_model::Answers = answers.into_iter().collect();
        let outcome = formseal_model::logic::evaluate(&claims, &answers);
        let keys = |pick: &dyn Fn(usize) -> bool| -> Vec<String> {
            claims.fields.iter().enumerate().filter(|(i, _)| pick(*i)).map(|(_, f)| f.key.clone()).collect()
        };
        let pages = formseal_model::logic::pages(&claims);
        let path: Vec<&str> = outcome.path.iter().map(|p| claims.fields[pages[*p].start].key.as_str()).collect();
        let ctx = formseal_model::ValidationContext {
            today: chrono::NaiveDate::from_ymd_opt(2026, 12, 3).unwrap(),
            slack_days: 0,
        };
        let problems: Vec<serde_json::Value> = match formseal_model::validate(&claims, &answers, &ctx) {
            Ok(()) => Vec::new(),
            Err(errors) => errors.iter().map(|e| json!({"field": e.field, "problem": e.problem})).collect(),
        };
        json!({
            "name": name,
            "answers": answers,
            "shown": keys(&|i| outcome.is_shown(i)),
            "required": keys(&|i| outcome.is_required(i)),
            "path": path,
            "problems": problems,
        })
    })
    .collect();

    // Calculations: a quote whose total counts every kind a formula reads, a second
    // calculation on the first, and a question shown when the total is high.
    let quote: formseal_model::FormDef = serde_json::from_value(json!({
        "id": "quote", "title": {"en": "Quote", "de": "Angebot"}, "languages": ["en", "de"],
        "notice": {"controller": {"name": "Example GmbH", "address": "Musterstraße 1, 10115 Berlin", "contact": "privacy@example.com"},
            "purpose": {"en": "To send you a quote.", "de": "Um Ihnen ein Angebot zu senden."}, "legal_basis": "contract", "retention_days": 90},
        "fields": [
            {"key": "quantity", "label": {"en": "Quantity", "de": "Menge"}, "type": "number", "min": "0"},
            {"key": "size", "label": {"en": "Size", "de": "Größe"}, "type": "single_choice", "options": [
                {"value": "s", "label": {"en": "Small", "de": "Klein"}, "score": "0.1"},
                {"value": "l", "label": {"en": "Large", "de": "Groß"}, "score": "0.2"},
                {"value": "x", "label": {"en": "Custom", "de": "Eigene"}}]},
            {"key": "extras", "label": {"en": "Extras", "de": "Extras"}, "type": "multiple_choice", "other": true, "options": [
                {"value": "gift", "label": {"en": "Gift wrap", "de": "Geschenk"}, "score": "1.5"},
                {"value": "express", "label": {"en": "Express", "de": "Express"}, "score": "2.25"}]},
            {"key": "service", "label": {"en": "Service", "de": "Service"}, "type": "matrix",
                "rows": [{"value": "speed", "label": {"en": "Speed", "de": "Tempo"}}, {"value": "care", "label": {"en": "Care", "de": "Sorgfalt"}}],
                "columns": [{"value": "bad", "label": {"en": "Bad", "de": "Schlecht"}, "score": "0"},
                    {"value": "good", "label": {"en": "Good", "de": "Gut"}, "score": "2"}]},
            {"key": "member", "label": {"en": "Member?", "de": "Mitglied?"}, "type": "yes_no"},
            {"key": "stars", "label": {"en": "Stars", "de": "Sterne"}, "type": "rating", "max": 5},
            {"key": "total", "label": {"en": "Total", "de": "Summe"}, "type": "calculation", "show": true, "formula":
                {"op": "sum", "terms": [
                    {"op": "product", "factors": [{"op": "answer", "field": "quantity"}, {"op": "number", "value": "19.99"}]},
                    {"op": "answer", "field": "size"}, {"op": "answer", "field": "extras"}, {"op": "answer", "field": "service"},
                    {"op": "product", "factors": [{"op": "answer", "field": "member"}, {"op": "number", "value": "-5"}]},
                    {"op": "answer", "field": "stars"}]}},
            {"key": "with_tax", "label": {"en": "With tax", "de": "Mit Steuer"}, "type": "calculation", "formula":
                {"op": "product", "factors": [{"op": "answer", "field": "total"}, {"op": "number", "value": "1.19"}]}},
            {"key": "invoice", "label": {"en": "Invoice address", "de": "Rechnungsadresse"}, "type": "long_text",
                "visible_if": {"op": "greater_than", "field": "total", "value": "100"}}
        ]
    }))
    .unwrap();
    assert_eq!(formseal_model::definition::check(&quote), vec![]);
    let quote_version = PublishedVersion::sign(quote.clone(), &instance_id, &instance).unwrap();
    let calculation_cases: Vec<serde_json::Value> = [
        ("nothing answered: every term counts 0", json!({})),
        ("decimals stay exact: 0.1 × 1.19 = 0.119", json!({"size": "s"})),
        (
            "one of each",
            json!({"quantity": "2", "size": "l", "extras": ["gift", "express", {"other": "a card"}],
            "service": {"speed": "good", "care": "bad"}, "member": true, "stars": "4"}),
        ),
        (
            "a high total asks for the invoice address",
            json!({"quantity": "6", "size": "x", "member": false,
            "invoice": "Musterstraße 1"}),
        ),
        ("an answer sent for a calculation does not count", json!({"quantity": "1", "total": "1000", "invoice": "x"})),
    ]
    .into_iter()
    .map(|(name, given)| {
        let given: formseal_model::Answers = given.as_object().unwrap().clone().into_iter().collect();
        let outcome = formseal_model::logic::evaluate(&quote, &given);
        let values: serde_json::Map<String, serde_json::Value> = quote
            .fields
            .iter()
            .enumerate()
            .filter(|(_, f)| matches!(f.kind, formseal_model::FieldKind::Calculation { .. }))
            .map(|(i, f)| (f.key.clone(), json!(outcome.computed(i))))
            .collect();
        let mut normalised = given.clone();
        formseal_model::normalize(&quote, &mut normalised);
        let shown: Vec<&str> = quote
            .fields
            .iter()
            .enumerate()
            .filter(|(i, _)| outcome.is_shown(*i))
            .map(|(_, f)| f.key.as_str())
            .collect();
        json!({"name": name, "answers": given, "values": values, "shown": shown, "normalised": normalised})
    })
    .collect();

    let vectors = json!({
        "description": "Formseal protocol v1 test vectors; see docs/protocol.md. Bytes are given as UTF-8 text (canonical) and digests/keys/signatures as base64url without padding.",
        "keys": {
            "visitor_seed_hex": "11".repeat(32),
            "visitor_public_key": b64_encode(visitor.verifying_key().as_bytes()),
            "instance_seed_hex": "22".repeat(32),
            "instance_public_key": b64_encode(instance.verifying_key().as_bytes()),
            "instance_key_id": instance_id,
        },
        "form_version": {
            "definition": form,
            "canonical": String::from_utf8(form_bytes).unwrap(),
            "digest": version.version,
            "signature": version.signature,
        },
        "submission": {
            "request": request,
            "canonical": String::from_utf8(envelope_bytes).unwrap(),
            "digest": receipt.envelope,
        },
        "second_submission": {
            "request": second_request,
            "canonical": String::from_utf8(second_envelope_bytes).unwrap(),
            "digest": second_receipt.envelope,
        },
        "challenge": {
            "signed": signed_challenge,
            "canonical": String::from_utf8(challenge_bytes).unwrap(),
            "work_input": b64_encode(&work_input),
            "proof": proof,
            "solution_hash": b64_encode(&digest(&solved)),
        },
        "link": {
            "secret": secret_of(&link_key),
            "public_key": b64_encode(link_key.verifying_key().as_bytes()),
            "url": format!("https://forms.example.com/f/{link_id}#{}", secret_of(&link_key)),
            "open": open,
            "open_canonical": String::from_utf8(open_bytes).unwrap(),
            "request": link_request,
            "canonical": String::from_utf8(link_envelope_bytes.clone()).unwrap(),
            "digest": b64_encode(&digest(&link_envelope_bytes)),
            "form_version": questionnaire_version,
        },
        "logic": {
            "today": "2026-12-03",
            "definition": claims,
            "digest": claims_version.version,
            "cases": logic_cases,
        },
        "calculations": {
            "definition": quote,
            "digest": quote_version.version,
            "cases": calculation_cases,
        },
        "receipts": [
            { "signed": first, "canonical": String::from_utf8(canonical_bytes(Domain::Receipt, &receipt).unwrap()).unwrap(), "digest": receipt.digest().unwrap() },
            { "signed": second, "canonical": String::from_utf8(canonical_bytes(Domain::Receipt, &second_receipt).unwrap()).unwrap(), "digest": second_receipt.digest().unwrap() },
        ],
    });
    println!("{}", serde_json::to_string_pretty(&vectors).unwrap());
}
