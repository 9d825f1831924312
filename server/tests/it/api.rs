use crate::common::JsonResponse;
use std::collections::HashSet;

use ed25519_dalek::VerifyingKey;
use formseal_core::submissions::verify_chain;
use formseal_model::demo::DEMO_FORM_ID;
use formseal_model::{SignedReceipt, b64_decode};
use serde_json::{Value, json};

use crate::common::{envelope, good_answers, sign, start, start_custom, start_with};

async fn instance_key(server: &crate::common::TestServer) -> (String, VerifyingKey) {
    let keys: Value = server
        .client
        .get(format!("{}/.well-known/formseal-keys.json", server.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = &keys["keys"][0];
    assert_eq!(key["algorithm"], "ed25519");
    assert_eq!(key["active"], true);
    assert!(key["created"].as_str().unwrap().ends_with('Z'));
    let raw: [u8; 32] = b64_decode(key["public_key"].as_str().unwrap()).unwrap().try_into().unwrap();
    (key["id"].as_str().unwrap().to_owned(), VerifyingKey::from_bytes(&raw).unwrap())
}

#[tokio::test]
async fn happy_path_returns_a_signed_receipt_that_verifies_with_the_published_key() {
    let server = start().await;
    let (key_id, key) = instance_key(&server).await;
    let form = server.form(DEMO_FORM_ID).await;
    form.verify(&key).expect("published version signed by the instance key");
    assert_eq!(form.key, key_id);

    let request = sign(&envelope(&form.version, good_answers(), 1));
    let (status, body) = server.submit(&request).await;
    assert_eq!(status, 201, "{body}");
    let receipt: SignedReceipt = serde_json::from_value(body).unwrap();
    receipt.verify(&key).unwrap();
    assert_eq!(receipt.receipt.sequence, 1);
    assert_eq!(receipt.receipt.previous, None);
    assert_eq!(receipt.receipt.version, form.version);
    assert_eq!(receipt.receipt.envelope, request.verify().unwrap().digest);

    let stored = server.state.store().submission(&receipt.receipt.submission).await.unwrap().unwrap();
    assert_eq!(stored.envelope.unwrap(), request.envelope);
    assert_eq!(stored.signature, request.signature);
}

#[tokio::test]
async fn rejections_are_readable_4xx_and_store_nothing() {
    let server = start().await;
    let version = server.form(DEMO_FORM_ID).await.version;

    // Tampered after signing.
    let mut tampered = sign(&envelope(&version, good_answers(), 10));
    tampered.envelope["answers"]["name"] = json!("Mallory");
    let (status, body) = server.submit(&tampered).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("bad_signature")), "{body}");
    assert!(body["message"].as_str().unwrap().contains("signature"));

    // A version that is not one of this form's.
    let (status, body) = server.submit(&sign(&envelope("bm90LWEtdmVyc2lvbg", good_answers(), 11))).await;
    assert_eq!((status, body["error"].as_str()), (409, Some("unknown_version")), "{body}");

    // Invalid answers: per-field messages, in English and German.
    let mut answers = good_answers();
    answers.insert("phone".into(), json!("030 1234567"));
    answers.remove("name");
    let (status, body) = server.submit(&sign(&envelope(&version, answers, 12))).await;
    assert_eq!(status, 422, "{body}");
    let fields: Vec<&str> = body["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["name", "phone"]);
    assert_eq!(body["fields"][1]["code"], "invalid_phone");
    assert!(body["fields"][1]["message"].as_str().unwrap().contains("country code"));
    assert!(body["fields"][1]["message_de"].as_str().unwrap().contains("Ländervorwahl"));

    // Not JSON, wrong shape, wrong form in the path, floats.
    let res = server
        .client
        .post(format!("{}/api/v1/forms/{DEMO_FORM_ID}/submissions", server.base))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "bad_request");
    let (status, _) = server.post(DEMO_FORM_ID, &json!({"envelope": {}, "public_key": "x"})).await;
    assert_eq!(status, 400);
    let mut float = serde_json::to_value(envelope(&version, good_answers(), 13)).unwrap();
    float["answers"]["name"] = json!(1.5);
    let (status, body) =
        server.post(DEMO_FORM_ID, &json!({"envelope": float, "public_key": "AAAA", "signature": "AAAA"})).await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = server
        .post("no-such-form", &serde_json::to_value(sign(&envelope(&version, good_answers(), 14))).unwrap())
        .await;
    assert_eq!(status, 400, "{body}");

    // Too large.
    let huge = "x".repeat(300 * 1024);
    let res = server
        .client
        .post(format!("{}/api/v1/forms/{DEMO_FORM_ID}/submissions", server.base))
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "too_large");

    assert_eq!(server.state.store().chain_head(DEMO_FORM_ID).await.unwrap(), (0, None));
}

#[tokio::test]
async fn a_retried_post_gets_the_first_receipt_and_a_reused_nonce_is_refused() {
    let server = start().await;
    let version = server.form(DEMO_FORM_ID).await.version;
    let request = sign(&envelope(&version, good_answers(), 20));
    let (first_status, first) = server.submit(&request).await;
    let (again_status, again) = server.submit(&request).await;
    assert_eq!((first_status, again_status), (201, 200));
    assert_eq!(first, again);

    let mut other = good_answers();
    other.insert("name".into(), json!("Somebody Else"));
    let (status, body) = server.submit(&sign(&envelope(&version, other, 20))).await;
    assert_eq!((status, body["error"].as_str()), (409, Some("nonce_reused")), "{body}");

    // Twenty identical posts at once: one row, one receipt.
    let burst = sign(&envelope(&version, good_answers(), 21));
    let results = futures::future::join_all((0..20).map(|_| server.submit(&burst))).await;
    let receipts: HashSet<String> = results
        .iter()
        .map(|(s, b)| {
            assert!(*s == 201 || *s == 200, "{s} {b}");
            b["receipt"]["submission"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(receipts.len(), 1);
    assert_eq!(results.iter().filter(|(s, _)| *s == 201).count(), 1);
    assert_eq!(server.state.store().chain_head(DEMO_FORM_ID).await.unwrap().0, 2);
}

#[tokio::test]
async fn the_chain_verifies_after_100_concurrent_submissions() {
    let server = start().await;
    let version = server.form(DEMO_FORM_ID).await.version;
    let results = futures::future::join_all((0..100u64).map(|i| {
        let request = sign(&envelope(&version, good_answers(), 1000 + i));
        let server = &server;
        async move { server.submit(&request).await }
    }))
    .await;
    assert!(results.iter().all(|(s, _)| *s == 201), "{results:?}");
    let sequences: HashSet<u64> = results.iter().map(|(_, b)| b["receipt"]["sequence"].as_u64().unwrap()).collect();
    assert_eq!(sequences, (1..=100).collect::<HashSet<u64>>());
    let report = verify_chain(&server.state, DEMO_FORM_ID).await.unwrap();
    assert!(report.intact, "{report:?}");
    assert_eq!(report.receipts, 100);
}

#[tokio::test]
async fn cors_allows_only_the_origins_a_form_lists() {
    let server = start().await;
    let mut restricted = formseal_model::demo::contact_tracing();
    restricted.id = "shop-only".into();
    formseal_core::forms::publish(&server.state, restricted, &["https://shop.example".to_owned()]).await.unwrap();

    let preflight = |form: &'static str, origin: &'static str| {
        server
            .client
            .request(reqwest::Method::OPTIONS, format!("{}/api/v1/forms/{form}/submissions", server.base))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
    };
    let allowed = |res: &reqwest::Response| {
        res.headers().get("access-control-allow-origin").map(|v| v.to_str().unwrap().to_owned())
    };
    assert_eq!(
        allowed(&preflight("shop-only", "https://shop.example").await.unwrap()).as_deref(),
        Some("https://shop.example")
    );
    assert_eq!(allowed(&preflight("shop-only", "https://evil.example").await.unwrap()), None);
    assert_eq!(
        allowed(&preflight(DEMO_FORM_ID, "https://anyone.example").await.unwrap()).as_deref(),
        Some("https://anyone.example")
    );
}

#[tokio::test]
async fn health_keys_embed_and_demo_are_served() {
    let server = start().await;
    for (path, needle) in [
        ("/healthz", "ok"),
        ("/readyz", "ready"),
        ("/embed.js", "attachShadow"),
        ("/demo", "data-form=\"contact-tracing\""),
    ] {
        let res = server.client.get(format!("{}{path}", server.base)).send().await.unwrap();
        assert_eq!(res.status(), 200, "{path}");
        assert!(res.text().await.unwrap().contains(needle), "{path}");
    }
    let res = server.client.get(format!("{}/api/v1/forms/nope", server.base)).send().await.unwrap();
    assert_eq!(res.status(), 404);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["message"], "Form not found.");
}

#[tokio::test]
async fn surrealkv_is_accepted_as_an_engine() {
    let server = start_with(|dir| format!("surrealkv://{}", dir.join("skv").display())).await;
    let version = server.form(DEMO_FORM_ID).await.version;
    for i in 0..5 {
        let (status, body) = server.submit(&sign(&envelope(&version, good_answers(), 700 + i))).await;
        assert_eq!(status, 201, "{body}");
    }
    let report = verify_chain(&server.state, DEMO_FORM_ID).await.unwrap();
    assert!(report.intact && report.receipts == 5, "{report:?}");
}

#[tokio::test]
async fn one_client_is_rate_limited_with_429_and_retry_after() {
    let server = start_custom(|_| "mem://".to_owned(), |args| args.rate_limit_burst = 3).await;
    let url = format!("{}/api/v1/forms/{DEMO_FORM_ID}", server.base);
    for _ in 0..3 {
        assert_eq!(server.client.get(&url).send().await.unwrap().status(), 200);
    }
    let res = server.client.get(&url).send().await.unwrap();
    assert_eq!(res.status(), 429);
    let wait: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=2).contains(&wait), "{wait}");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "rate_limited");
    // Health checks are not limited.
    assert_eq!(server.client.get(format!("{}/healthz", server.base)).send().await.unwrap().status(), 200);
}
