//! Proof of work and the honeypot: what the server refuses, and that refusing never
//! costs a visitor their receipt.

use crate::common::JsonResponse;
use formseal_core::pow;
use formseal_model::demo::DEMO_FORM_ID;
use formseal_model::{Challenge, Proof, SignedChallenge, SubmissionRequest, b64_encode};
use serde_json::{Value, json};

use crate::common::{TEST_POW_DIFFICULTY, TestServer, envelope, good_answers, sign, solve, start};

fn with_proof(request: &SubmissionRequest, proof: &Proof) -> SubmissionRequest {
    SubmissionRequest { proof: Some(proof.clone()), ..request.clone() }
}

/// A challenge signed by the server's own key, with whatever members a test needs.
fn server_signed(server: &TestServer, challenge: Challenge) -> SignedChallenge {
    let key = server.state.keys.active();
    SignedChallenge::sign(challenge, &key.id, key.signing_key()).unwrap()
}

fn error(body: &Value) -> Option<&str> {
    body["error"].as_str()
}

#[tokio::test]
async fn a_challenge_is_fresh_signed_short_lived_and_never_cached() {
    let server = start().await;
    let res = server.client.get(format!("{}/api/v1/forms/{DEMO_FORM_ID}/challenge", server.base)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let first: SignedChallenge = res.json().await.unwrap();
    let second = server.challenge(DEMO_FORM_ID).await;
    assert_ne!(first.challenge.salt, second.challenge.salt);
    assert_eq!(first.challenge.form, DEMO_FORM_ID);
    assert_eq!(first.challenge.difficulty, TEST_POW_DIFFICULTY);
    assert_eq!(first.key, server.state.keys.active().id);
    let minutes = (first.challenge.expires_at().unwrap() - chrono::Utc::now()).num_seconds() as f64 / 60.0;
    assert!((9.9..=10.0).contains(&minutes), "{minutes}");
    // Solved, it passes every check; the signature is the instance key's.
    let proof = solve(first);
    proof.check(DEMO_FORM_ID, chrono::Utc::now(), |_| Some(server.state.keys.active().verifying_key())).unwrap();

    let res = server.client.get(format!("{}/api/v1/forms/nope/challenge", server.base)).send().await.unwrap();
    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn posts_without_a_valid_proof_are_refused_readably_and_store_nothing() {
    let server = start().await;
    let version = server.form(DEMO_FORM_ID).await.version;
    let request = sign(&envelope(&version, good_answers(), 30));
    let post = |r: SubmissionRequest| {
        let server = &server;
        async move { server.post(DEMO_FORM_ID, &serde_json::to_value(r).unwrap()).await }
    };

    let (status, body) = post(request.clone()).await;
    assert_eq!((status, error(&body)), (400, Some("proof_required")), "{body}");
    assert!(body["message"].as_str().unwrap().contains("proof of work"), "{body}");

    // Too little work: a solution whose hash lacks the zero bits.
    let signed = server.challenge(DEMO_FORM_ID).await;
    let input = signed.challenge.work_input().unwrap();
    let lazy = (0u64..).find(|c| !formseal_model::pow::verify_work(&input, &c.to_be_bytes(), TEST_POW_DIFFICULTY));
    let (status, body) = post(with_proof(&request, &signed.clone().prove(lazy.unwrap()))).await;
    assert_eq!((status, error(&body)), (400, Some("proof_insufficient")), "{body}");

    // Forged: the difficulty lowered to nothing after signing.
    let mut forged = signed.clone();
    forged.challenge.difficulty = 0;
    let (status, body) = post(with_proof(&request, &forged.prove(0))).await;
    assert_eq!((status, error(&body)), (400, Some("proof_invalid")), "{body}");

    // Made up entirely, with a key that is not the server's.
    let stranger = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    let fake = SignedChallenge::sign(signed.challenge.clone(), &server.state.keys.active().id, &stranger).unwrap();
    let (status, body) = post(with_proof(&request, &solve(fake))).await;
    assert_eq!((status, error(&body)), (400, Some("proof_invalid")), "{body}");

    // Another form's challenge.
    let mut other = formseal_model::demo::contact_tracing();
    other.id = "other-form".into();
    formseal_core::forms::publish(&server.state, other, &["*".to_owned()]).await.unwrap();
    let (status, body) = post(with_proof(&request, &solve(server.challenge("other-form").await))).await;
    assert_eq!((status, error(&body)), (400, Some("proof_invalid")), "{body}");

    // Expired.
    let old =
        server_signed(&server, Challenge { expires: "2020-01-01T00:00:00.000Z".into(), ..signed.challenge.clone() });
    let (status, body) = post(with_proof(&request, &solve(old))).await;
    assert_eq!((status, error(&body)), (400, Some("proof_expired")), "{body}");

    // Garbage in the proof's shape is a readable 400 as well.
    let mut value = serde_json::to_value(with_proof(&request, &solve(signed.clone()))).unwrap();
    value["proof"]["solution"] = json!("not base64!");
    let (status, body) = server.post(DEMO_FORM_ID, &value).await;
    assert_eq!((status, error(&body)), (400, Some("proof_invalid")), "{body}");
    value["proof"] = json!("nonsense");
    let (status, body) = server.post(DEMO_FORM_ID, &value).await;
    assert_eq!((status, error(&body)), (400, Some("bad_request")), "{body}");

    assert_eq!(server.state.store().chain_head(DEMO_FORM_ID).await.unwrap(), (0, None));
    // The untouched challenge still works.
    let (status, body) = post(with_proof(&request, &solve(signed))).await;
    assert_eq!(status, 201, "{body}");
}

#[tokio::test]
async fn a_proof_is_spent_once_but_a_retry_still_gets_its_first_receipt() {
    let server = start().await;
    let version = server.form(DEMO_FORM_ID).await.version;
    let proof = solve(server.challenge(DEMO_FORM_ID).await);
    let first = with_proof(&sign(&envelope(&version, good_answers(), 40)), &proof);
    let (status, receipt) = server.submit(&first).await;
    assert_eq!(status, 201, "{receipt}");

    // The same proof for other answers: refused.
    let mut answers = good_answers();
    answers.insert("name".into(), json!("Someone Else"));
    let (status, body) = server.submit(&with_proof(&sign(&envelope(&version, answers, 41)), &proof)).await;
    assert_eq!((status, error(&body)), (409, Some("proof_spent")), "{body}");
    assert!(body["message"].as_str().unwrap().contains("already used"), "{body}");

    // The retry of the stored submission, with its spent proof: the first receipt.
    let (status, again) = server.submit(&first).await;
    assert_eq!((status, &again), (200, &receipt));
    // Even when its challenge has expired meanwhile (offline for a long time).
    let stale =
        server_signed(&server, Challenge { expires: "2020-01-01T00:00:00.000Z".into(), ..proof.challenge.clone() });
    let (status, again) = server.submit(&with_proof(&first, &solve(stale))).await;
    assert_eq!((status, &again), (200, &receipt));
    assert_eq!(server.state.store().chain_head(DEMO_FORM_ID).await.unwrap().0, 1);
}

#[tokio::test]
async fn one_proof_posted_with_many_envelopes_at_once_stores_exactly_one() {
    let server = start().await;
    let version = server.form(DEMO_FORM_ID).await.version;
    let proof = solve(server.challenge(DEMO_FORM_ID).await);
    let results = futures::future::join_all((0..12u64).map(|i| {
        let request = with_proof(&sign(&envelope(&version, good_answers(), 50 + i)), &proof);
        let server = &server;
        async move { server.submit(&request).await }
    }))
    .await;
    let statuses: Vec<u16> = results.iter().map(|(s, _)| *s).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{results:?}");
    assert!(results.iter().all(|(s, b)| *s == 201 || (*s == 409 && error(b) == Some("proof_spent"))), "{results:?}");
    assert_eq!(server.state.store().chain_head(DEMO_FORM_ID).await.unwrap().0, 1);
}

#[tokio::test]
async fn each_form_can_ask_for_its_own_difficulty() {
    let server = start().await;
    pow::set_difficulty(&server.state, &crate::common::setup_owner(), DEMO_FORM_ID, Some(12)).await.unwrap();
    let signed = server.challenge(DEMO_FORM_ID).await;
    assert_eq!(signed.challenge.difficulty, 12);
    // The work is checked against what the challenge says: 12 bits, not 8.
    let input = signed.challenge.work_input().unwrap();
    let eight_only = (0u64..)
        .find(|c| {
            formseal_model::pow::verify_work(&input, &c.to_be_bytes(), 8)
                && !formseal_model::pow::verify_work(&input, &c.to_be_bytes(), 12)
        })
        .unwrap();
    let version = server.form(DEMO_FORM_ID).await.version;
    let request = sign(&envelope(&version, good_answers(), 60));
    let (status, body) = server.submit(&with_proof(&request, &signed.clone().prove(eight_only))).await;
    assert_eq!((status, error(&body)), (400, Some("proof_insufficient")), "{body}");
    let (status, body) = server.submit(&with_proof(&request, &solve(signed))).await;
    assert_eq!(status, 201, "{body}");

    assert!(pow::set_difficulty(&server.state, &crate::common::setup_owner(), DEMO_FORM_ID, Some(33)).await.is_err());
    assert!(pow::set_difficulty(&server.state, &crate::common::setup_owner(), "nope", Some(3)).await.is_err());
    pow::set_difficulty(&server.state, &crate::common::setup_owner(), DEMO_FORM_ID, None).await.unwrap();
    assert_eq!(server.challenge(DEMO_FORM_ID).await.challenge.difficulty, TEST_POW_DIFFICULTY);
}

#[tokio::test]
async fn a_filled_honeypot_is_refused_with_a_plain_message() {
    let server = start().await;
    let version = server.form(DEMO_FORM_ID).await.version;
    let request =
        SubmissionRequest { hp: "https://cheap-pills.example".into(), ..sign(&envelope(&version, good_answers(), 70)) };
    let (status, body) = server.submit(&request).await;
    assert_eq!((status, error(&body)), (400, Some("refused")), "{body}");
    assert_eq!(body["message"], "The submission was refused.");
    assert_eq!(server.state.store().chain_head(DEMO_FORM_ID).await.unwrap(), (0, None));
    // Left empty, the same request goes through.
    let (status, body) = server.submit(&SubmissionRequest { hp: String::new(), ..request }).await;
    assert_eq!(status, 201, "{body}");
}

#[test]
fn solutions_travel_as_eight_bytes() {
    let proof = SignedChallenge {
        challenge: Challenge { v: 1, form: "f".into(), salt: "s".into(), difficulty: 0, expires: "x".into() },
        key: "k".into(),
        signature: "s".into(),
    }
    .prove(1);
    assert_eq!(proof.solution, b64_encode(&[0, 0, 0, 0, 0, 0, 0, 1]));
}
