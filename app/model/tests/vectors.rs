//! The Rust code against docs/test-vectors.json, which other implementations use too.

// A panic is how a test fails (helpers included, which clippy's test allowance misses).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use ed25519_dalek::{SigningKey, VerifyingKey};
use formseal_model::{
    Domain, FormDef, Proof, PublishedVersion, SignedChallenge, SignedReceipt, SubmissionRequest, b64_decode,
    b64_encode, canonical_bytes, digest, key_id,
};
use serde_json::Value;
// In the wasm32 build the same tests run under wasm-bindgen-test.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

fn vectors() -> Value {
    serde_json::from_str(include_str!("../../../docs/test-vectors.json")).unwrap()
}

fn key(seed_hex: &str) -> SigningKey {
    let seed: Vec<u8> =
        (0..seed_hex.len()).step_by(2).map(|i| u8::from_str_radix(&seed_hex[i..i + 2], 16).unwrap()).collect();
    SigningKey::from_bytes(&seed.try_into().unwrap())
}

#[test]
fn keys_match() {
    let v = vectors();
    let visitor = key(v["keys"]["visitor_seed_hex"].as_str().unwrap());
    let instance = key(v["keys"]["instance_seed_hex"].as_str().unwrap());
    assert_eq!(b64_encode(visitor.verifying_key().as_bytes()), v["keys"]["visitor_public_key"]);
    assert_eq!(b64_encode(instance.verifying_key().as_bytes()), v["keys"]["instance_public_key"]);
    assert_eq!(key_id(&instance.verifying_key()), v["keys"]["instance_key_id"]);
}

#[test]
fn form_version_bytes_digest_and_signature_match() {
    let v = vectors();
    let instance = key(v["keys"]["instance_seed_hex"].as_str().unwrap());
    let form: FormDef = serde_json::from_value(v["form_version"]["definition"].clone()).unwrap();
    let bytes = canonical_bytes(Domain::FormVersion, &form).unwrap();
    assert_eq!(String::from_utf8(bytes.clone()).unwrap(), v["form_version"]["canonical"]);
    assert_eq!(b64_encode(&digest(&bytes)), v["form_version"]["digest"]);
    let signed = PublishedVersion::sign(form, &key_id(&instance.verifying_key()), &instance).unwrap();
    assert_eq!(signed.signature, v["form_version"]["signature"]);
    signed.verify(&instance.verifying_key()).unwrap();
}

#[test]
fn submission_bytes_digest_and_signature_match() {
    let v = vectors();
    let request: SubmissionRequest = serde_json::from_value(v["submission"]["request"].clone()).unwrap();
    let verified = request.verify().unwrap();
    assert_eq!(verified.digest, v["submission"]["digest"]);
    let bytes = canonical_bytes(Domain::Envelope, &verified.envelope).unwrap();
    assert_eq!(String::from_utf8(bytes).unwrap(), v["submission"]["canonical"]);
    // Deterministic ed25519: re-signing gives the same signature.
    let visitor = key(v["keys"]["visitor_seed_hex"].as_str().unwrap());
    assert_eq!(SubmissionRequest::sign(&verified.envelope, &visitor).unwrap().signature, request.signature);
}

#[test]
fn receipts_match_and_chain() {
    let v = vectors();
    let instance = key(v["keys"]["instance_seed_hex"].as_str().unwrap());
    let raw: [u8; 32] = b64_decode(v["keys"]["instance_public_key"].as_str().unwrap()).unwrap().try_into().unwrap();
    let public = VerifyingKey::from_bytes(&raw).unwrap();
    let mut previous: Option<String> = None;
    for entry in v["receipts"].as_array().unwrap() {
        let signed: SignedReceipt = serde_json::from_value(entry["signed"].clone()).unwrap();
        signed.verify(&public).unwrap();
        assert_eq!(
            String::from_utf8(canonical_bytes(Domain::Receipt, &signed.receipt).unwrap()).unwrap(),
            entry["canonical"]
        );
        assert_eq!(signed.receipt.digest().unwrap(), entry["digest"]);
        assert_eq!(signed.receipt.previous, previous);
        assert_eq!(
            SignedReceipt::sign(signed.receipt.clone(), &signed.key, &instance).unwrap().signature,
            signed.signature
        );
        previous = Some(signed.receipt.digest().unwrap());
    }
    assert_eq!(v["receipts"][0]["signed"]["receipt"]["envelope"], v["submission"]["digest"]);
    assert_eq!(v["receipts"][1]["signed"]["receipt"]["envelope"], v["second_submission"]["digest"]);
    // An envelope is stored once, so it has one receipt: no digest named twice.
    let named: Vec<&Value> =
        v["receipts"].as_array().unwrap().iter().map(|r| &r["signed"]["receipt"]["envelope"]).collect();
    let distinct: std::collections::BTreeSet<String> = named.iter().map(|d| d.to_string()).collect();
    assert_eq!(distinct.len(), named.len(), "an envelope named by two receipts");
}

#[test]
fn the_second_submission_matches() {
    let v = vectors();
    let request: SubmissionRequest = serde_json::from_value(v["second_submission"]["request"].clone()).unwrap();
    let verified = request.verify().unwrap();
    assert_eq!(verified.digest, v["second_submission"]["digest"]);
    let bytes = canonical_bytes(Domain::Envelope, &verified.envelope).unwrap();
    assert_eq!(String::from_utf8(bytes).unwrap(), v["second_submission"]["canonical"]);
    let first: SubmissionRequest = serde_json::from_value(v["submission"]["request"].clone()).unwrap();
    assert_ne!(first.verify().unwrap().envelope.nonce, verified.envelope.nonce, "a nonce is unique per form");
}

#[test]
fn challenge_signature_work_and_proof_match() {
    let v = vectors();
    let instance = key(v["keys"]["instance_seed_hex"].as_str().unwrap());
    let c = &v["challenge"];
    let signed: SignedChallenge = serde_json::from_value(c["signed"].clone()).unwrap();
    let bytes = canonical_bytes(Domain::Challenge, &signed.challenge).unwrap();
    assert_eq!(String::from_utf8(bytes.clone()).unwrap(), c["canonical"]);
    assert_eq!(b64_encode(&signed.challenge.work_input().unwrap()), c["work_input"]);
    assert_eq!(SignedChallenge::sign(signed.challenge.clone(), &signed.key, &instance).unwrap(), signed);

    let proof: Proof = serde_json::from_value(c["proof"].clone()).unwrap();
    let now = chrono::DateTime::parse_from_rfc3339("2026-11-27T18:31:02.000Z").unwrap().to_utc();
    proof.check("contact-tracing", now, |_| Some(instance.verifying_key())).unwrap();
    let mut solved = signed.challenge.work_input().unwrap().to_vec();
    solved.extend(b64_decode(&proof.solution).unwrap());
    assert_eq!(b64_encode(&digest(&solved)), c["solution_hash"]);
    // The widget's solver finds exactly this first solution.
    let counter = formseal_model::pow::solve(&signed.challenge.work_input().unwrap(), 12, 0, u64::MAX).unwrap();
    assert_eq!(signed.prove(counter), proof);
}

#[test]
fn a_request_without_proof_or_honeypot_serialises_as_before() {
    // Old clients and the vectors: the new members are absent, not null.
    let v = vectors();
    let request: SubmissionRequest = serde_json::from_value(v["submission"]["request"].clone()).unwrap();
    assert_eq!(serde_json::to_value(&request).unwrap(), v["submission"]["request"]);
}

#[test]
fn link_opening_and_link_signed_envelope_match() {
    use formseal_model::link::{SignedLinkOpen, key_from_secret};
    let v = vectors();
    let l = &v["link"];
    let key = key_from_secret(l["secret"].as_str().unwrap()).unwrap();
    assert_eq!(b64_encode(key.verifying_key().as_bytes()), l["public_key"]);
    assert!(l["url"].as_str().unwrap().ends_with(&format!("#{}", l["secret"].as_str().unwrap())));
    let open: SignedLinkOpen = serde_json::from_value(l["open"].clone()).unwrap();
    open.verify(&key.verifying_key()).unwrap();
    assert_eq!(String::from_utf8(canonical_bytes(Domain::LinkOpen, &open.open).unwrap()).unwrap(), l["open_canonical"]);
    assert_eq!(SignedLinkOpen::sign(&open.open.link, &open.open.time, &key).unwrap(), open);
    let request: SubmissionRequest = serde_json::from_value(l["request"].clone()).unwrap();
    let verified = request.verify().unwrap();
    assert_eq!(verified.digest, l["digest"]);
    assert_eq!(verified.envelope.link.as_deref(), Some(open.open.link.as_str()));
    assert_eq!(request.public_key, l["public_key"]);
    assert_eq!(
        String::from_utf8(canonical_bytes(Domain::Envelope, &verified.envelope).unwrap()).unwrap(),
        l["canonical"]
    );
}

#[test]
fn logic_cases_match() {
    let v = vectors();
    let logic = &v["logic"];
    let form: FormDef = serde_json::from_value(logic["definition"].clone()).unwrap();
    assert_eq!(formseal_model::definition::check(&form), vec![]);
    assert_eq!(b64_encode(&digest(&canonical_bytes(Domain::FormVersion, &form).unwrap())), logic["digest"]);
    let today = chrono::NaiveDate::parse_from_str(logic["today"].as_str().unwrap(), "%Y-%m-%d").unwrap();
    let ctx = formseal_model::ValidationContext { today, slack_days: 0 };
    let pages = formseal_model::logic::pages(&form);
    for case in logic["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let answers: formseal_model::Answers = serde_json::from_value(case["answers"].clone()).unwrap();
        let outcome = formseal_model::logic::evaluate(&form, &answers);
        let keys = |pick: &dyn Fn(usize) -> bool| -> Value {
            form.fields.iter().enumerate().filter(|(i, _)| pick(*i)).map(|(_, f)| Value::from(f.key.clone())).collect()
        };
        assert_eq!(keys(&|i| outcome.is_shown(i)), case["shown"], "{name}");
        assert_eq!(keys(&|i| outcome.is_required(i)), case["required"], "{name}");
        let path: Value = outcome.path.iter().map(|p| Value::from(form.fields[pages[*p].start].key.clone())).collect();
        assert_eq!(path, case["path"], "{name}");
        let problems: Value = match formseal_model::validate(&form, &answers, &ctx) {
            Ok(()) => Value::Array(vec![]),
            Err(errors) => errors.iter().map(|e| serde_json::json!({"field": e.field, "problem": e.problem})).collect(),
        };
        assert_eq!(problems, case["problems"], "{name}");
    }
}

#[test]
fn calculation_cases_match() {
    let v = vectors();
    let calc = &v["calculations"];
    let form: FormDef = serde_json::from_value(calc["definition"].clone()).unwrap();
    assert_eq!(formseal_model::definition::check(&form), vec![]);
    assert_eq!(b64_encode(&digest(&canonical_bytes(Domain::FormVersion, &form).unwrap())), calc["digest"]);
    for case in calc["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let answers: formseal_model::Answers = serde_json::from_value(case["answers"].clone()).unwrap();
        let outcome = formseal_model::logic::evaluate(&form, &answers);
        for (key, value) in case["values"].as_object().unwrap() {
            let index = form.fields.iter().position(|f| &f.key == key).unwrap();
            assert_eq!(outcome.computed(index).map(Value::from).unwrap_or(Value::Null), *value, "{name}: {key}");
        }
        let mut normalised = answers.clone();
        formseal_model::normalize(&form, &mut normalised);
        assert_eq!(serde_json::to_value(&normalised).unwrap(), case["normalised"], "{name}");
    }
}
