//! The protocol edge over real HTTP: which pages may post (Origin), what a body
//! must be (JSON, I-JSON), the one JSON error body for every refusal of the public
//! API, and a log that a visitor's text cannot add lines to.

use crate::common::JsonResponse;
use formseal_model::demo::{DEMO_FORM_ID, contact_tracing};
use formseal_model::{SubmissionRequest, b64_encode};
use serde_json::{Value, json};

use crate::common::{TestServer, envelope, envelope_for, good_answers, prove, sign, start};

const SHOP_FORM: &str = "shop-only";
const SHOP: &str = "https://shop.example";

/// The demo form again, embeddable from the shop's origin only.
async fn shop_form(server: &TestServer) -> String {
    let mut form = contact_tracing();
    form.id = SHOP_FORM.into();
    formseal_core::forms::publish(&server.state, form, &[SHOP.to_owned()]).await.unwrap().version
}

/// A raw POST: the body as given, with the headers given (and nothing else).
async fn post_raw(server: &TestServer, path: &str, headers: &[(&str, &str)], body: impl Into<String>) -> (u16, Value) {
    let mut request = server.client.post(format!("{}{path}", server.base)).body(body.into());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let res = request.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn shop_request(server: &TestServer, version: &str, seed: u64) -> String {
    let request = sign(&envelope_for(SHOP_FORM, version, good_answers(), seed));
    serde_json::to_string(&prove(&server.client, &server.base, SHOP_FORM, &request).await).unwrap()
}

#[tokio::test]
async fn a_page_on_an_origin_the_form_does_not_list_cannot_post_and_nothing_is_stored() {
    let server = start().await;
    let version = shop_form(&server).await;
    let submissions = format!("/api/v1/forms/{SHOP_FORM}/submissions");
    let events = format!("/api/v1/forms/{SHOP_FORM}/events");
    let body = shop_request(&server, &version, 1).await;

    // The post a page elsewhere can make without a CORS preflight: text/plain.
    let (status, error) =
        post_raw(&server, &submissions, &[("origin", "https://evil.example"), ("content-type", "text/plain")], &body)
            .await;
    assert_eq!((status, error["error"].as_str()), (403, Some("origin_not_allowed")), "{error}");
    assert!(error["message"].as_str().unwrap().contains("https://evil.example"), "{error}");
    // With the right type (after a preflight the browser would not pass) it is refused too.
    let evil_json = [("origin", "https://evil.example"), ("content-type", "application/json")];
    let (status, error) = post_raw(&server, &submissions, &evil_json, &body).await;
    assert_eq!((status, error["error"].as_str()), (403, Some("origin_not_allowed")), "{error}");
    let event = json!({"stage": "view", "version": version}).to_string();
    let (status, error) = post_raw(&server, &events, &evil_json, &event).await;
    assert_eq!((status, error["error"].as_str()), (403, Some("origin_not_allowed")), "{error}");
    let (status, error) = post_raw(&server, &submissions, &[("origin", "null")], &body).await;
    assert_eq!((status, error["error"].as_str()), (403, Some("origin_not_allowed")), "{error}");

    // From the shop, or with no Origin at all, the body must still say it is JSON.
    for headers in [
        &[("origin", SHOP), ("content-type", "text/plain")][..],
        &[("content-type", "application/x-www-form-urlencoded")][..],
        &[("content-type", "application/jsonx")][..],
        &[][..],
    ] {
        let (status, error) = post_raw(&server, &submissions, headers, &body).await;
        assert_eq!((status, error["error"].as_str()), (415, Some("unsupported_media_type")), "{headers:?} {error}");
        assert!(error["message"].as_str().unwrap().contains("application/json"), "{error}");
        let (status, _) = post_raw(&server, &events, headers, &event).await;
        assert_eq!(status, 415, "{headers:?}");
    }
    let (status, error) =
        post_raw(&server, "/api/v1/links/no-such-link/open", &[("content-type", "text/plain")], "{}").await;
    assert_eq!((status, error["error"].as_str()), (415, Some("unsupported_media_type")), "{error}");
    assert_eq!(server.state.store().chain_head(SHOP_FORM).await.unwrap(), (0, None));

    // The shop's page (parameters on the type are fine), and the instance's own
    // pages (the personal-link page, the demo), may post.
    let shop = [("origin", SHOP), ("content-type", "application/json; charset=utf-8")];
    let (status, receipt) = post_raw(&server, &submissions, &shop, &body).await;
    assert_eq!(status, 201, "{receipt}");
    let own = [("origin", server.base.as_str()), ("content-type", "application/json")];
    let (status, receipt) = post_raw(&server, &submissions, &own, shop_request(&server, &version, 2).await).await;
    assert_eq!(status, 201, "{receipt}");
    let (status, _) = post_raw(&server, &events, &shop, &event).await;
    assert_eq!(status, 204);
    assert_eq!(server.state.store().chain_head(SHOP_FORM).await.unwrap().0, 2);
    // A form any origin may embed takes posts from anywhere.
    let demo = server.form(DEMO_FORM_ID).await.version;
    let request = sign(&envelope(&demo, good_answers(), 3));
    let request = prove(&server.client, &server.base, DEMO_FORM_ID, &request).await;
    let (status, receipt) = post_raw(
        &server,
        &format!("/api/v1/forms/{DEMO_FORM_ID}/submissions"),
        &[("origin", "https://anyone.example"), ("content-type", "application/json")],
        serde_json::to_string(&request).unwrap(),
    )
    .await;
    assert_eq!(status, 201, "{receipt}");
}

#[tokio::test]
async fn a_member_name_twice_is_refused_naming_it_not_read_last_wins() {
    let server = start().await;
    let version = server.form(DEMO_FORM_ID).await.version;
    let submissions = format!("/api/v1/forms/{DEMO_FORM_ID}/submissions");
    let json_type = [("content-type", "application/json")];

    // Signed over "Mallory"; a reader that keeps the first of two members sees "Ada".
    let mut answers = good_answers();
    answers.insert("name".into(), json!("Mallory"));
    let request = sign(&envelope(&version, answers, 1));
    let request: SubmissionRequest = prove(&server.client, &server.base, DEMO_FORM_ID, &request).await;
    let text = serde_json::to_string(&request).unwrap();
    assert_eq!(text.matches(r#""name":"Mallory""#).count(), 1);
    let twice = text.replace(r#""name":"Mallory""#, r#""name":"Ada Lovelace","name":"Mallory""#);
    let (status, error) = post_raw(&server, &submissions, &json_type, twice).await;
    assert_eq!((status, error["error"].as_str()), (400, Some("bad_request")), "{error}");
    assert_eq!(error["message"], r#"The member "name" appears twice in envelope.answers."#, "{error}");

    // At the top level, and inside the proof of work.
    let twice = text.replacen('{', r#"{"hp":"","hp":"","#, 1);
    let (status, error) = post_raw(&server, &submissions, &json_type, twice).await;
    assert_eq!(status, 400, "{error}");
    assert!(error["message"].as_str().unwrap().contains(r#""hp" appears twice at the top level"#), "{error}");
    let proof = serde_json::to_string(&request.proof).unwrap();
    let twice = text.replace(&proof, &proof.replacen('{', r#"{"solution":"AA","#, 1));
    let (status, error) = post_raw(&server, &submissions, &json_type, twice).await;
    assert_eq!(status, 400, "{error}");
    assert!(error["message"].as_str().unwrap().contains(r#""solution" appears twice in proof"#), "{error}");

    // The link page's opening is signed too.
    let open = json!({"open": {"v": 1, "link": "no-such-link", "time": "2026-12-03T06:00:00.000Z"}, "signature": "AA"});
    let twice = open.to_string().replacen(r#""v":1"#, r#""v":1,"v":1"#, 1);
    let (status, error) = post_raw(&server, "/api/v1/links/no-such-link/open", &json_type, twice).await;
    assert_eq!(status, 400, "{error}");
    assert!(error["message"].as_str().unwrap().contains(r#""v" appears twice in open"#), "{error}");

    assert_eq!(server.state.store().chain_head(DEMO_FORM_ID).await.unwrap(), (0, None));
    // The same request without the repetition is taken.
    let (status, receipt) = post_raw(&server, &submissions, &json_type, text).await;
    assert_eq!(status, 201, "{receipt}");
}

#[tokio::test]
async fn every_refusal_of_the_public_api_has_the_json_error_body() {
    let server = start().await;
    let send = |method: &str, path: &str| {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        server.client.request(method, format!("{}{path}", server.base)).send()
    };
    let json_error = |res: reqwest::Response, status: u16, code: &'static str| async move {
        assert_eq!(res.status().as_u16(), status, "{}", res.url());
        assert_eq!(res.headers()["content-type"], "application/json", "{}", res.url());
        let url = res.url().clone();
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"], code, "{url}: {body}");
        assert!(!body["message"].as_str().unwrap().is_empty(), "{url}: {body}");
        body
    };

    // Wrong methods: 405 with `Allow` and the body.
    let submissions = format!("/api/v1/forms/{DEMO_FORM_ID}/submissions");
    let res = send("DELETE", &submissions).await.unwrap();
    assert!(res.headers()["allow"].to_str().unwrap().contains("POST"));
    let body = json_error(res, 405, "method_not_allowed").await;
    assert_eq!(body["message"], "This address does not take DELETE; it takes POST.");
    for (method, path) in [
        ("GET", submissions.as_str()),
        ("PUT", "/api/v1/forms/contact-tracing"),
        ("GET", "/api/v1/links/x/open"),
        ("DELETE", "/.well-known/formseal-keys.json"),
        ("POST", "/embed.js"),
        ("POST", "/f/some-link"),
    ] {
        json_error(send(method, path).await.unwrap(), 405, "method_not_allowed").await;
    }
    // Addresses that do not exist.
    for (method, path) in
        [("GET", "/api/v2/forms"), ("POST", "/api/v1/nothing"), ("GET", "/api"), ("GET", "/.well-known/security.txt")]
    {
        json_error(send(method, path).await.unwrap(), 404, "not_found").await;
    }
    let res = send("POST", "/f/a/b/c").await.unwrap();
    assert!(res.status().is_client_error());
    assert_eq!(res.headers()["content-type"], "application/json");
    // A form id that is not UTF-8 once decoded: the router's own 400, as JSON.
    json_error(send("GET", "/api/v1/forms/%FF").await.unwrap(), 400, "bad_request").await;
    // Oversized request heads.
    let long = format!("/api/v1/forms/{}", "x".repeat(9000));
    json_error(send("GET", &long).await.unwrap(), 414, "uri_too_long").await;
    let mut many = server.client.get(format!("{}/api/v1/forms/{DEMO_FORM_ID}", server.base));
    for n in 0..70 {
        many = many.header(format!("x-filler-{n}"), "1");
    }
    json_error(many.send().await.unwrap(), 431, "headers_too_large").await;
    let big = server
        .client
        .get(format!("{}/api/v1/forms/{DEMO_FORM_ID}", server.base))
        .header("x-filler", "y".repeat(40 * 1024))
        .send()
        .await
        .unwrap();
    json_error(big, 431, "headers_too_large").await;

    // Pages for people keep their pages.
    let res = send("GET", "/f/no-such-link").await.unwrap();
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
}

#[tokio::test]
async fn a_user_name_with_a_line_break_does_not_forge_a_log_line() {
    use crate::durability::{Running, command, free_port, wait_ready};
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let log = dir.path().join("server.log");
    let file = || std::fs::OpenOptions::new().create(true).append(true).open(&log).unwrap();
    // The real binary and its human log format (failed log-ins are warnings).
    let mut server = command(dir.path(), port, Some("mem://"));
    server.env("FORMSEAL_LOG_FORMAT", "human").stdout(file()).stderr(file());
    let _server = Running(server.spawn().unwrap());
    let client = reqwest::Client::new();
    wait_ready(&client, &base).await;

    let forged = "1999-12-31T23:59:59.000000Z  INFO formseal_core::accounts: logged in user=\"owner\"";
    let res = client
        .post(format!("{base}/admin/fn/login"))
        .form(&[("username", format!("eve\n{forged}\r\u{1b}[2K").as_str()), ("password", "wrong")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let text = loop {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if text.contains("failed log-in") || std::time::Instant::now() > deadline {
            break text;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    let attempt: Vec<&str> = text.lines().filter(|l| l.contains("failed log-in")).collect();
    assert_eq!(attempt.len(), 1, "{text}");
    assert!(attempt[0].contains(r#"user="eve\n1999-12-31T23:59:59"#), "{text}");
    assert!(!text.lines().any(|l| l.starts_with("1999-")), "a forged line:\n{text}");
    assert!(!text.contains('\r') && !text.contains("\u{1b}[2K"), "{text:?}");
    assert_eq!(formseal::serve::one_line("a\nb\u{1b}c\u{2028}"), "a\\nb\\u{001b}c\\u{2028}");
}

/// A body that is not a submission at all still gets `bad_request`, not a
/// duplicate-member or type error.
#[tokio::test]
async fn a_body_that_is_not_json_is_a_bad_request() {
    let server = start().await;
    let (status, error) = post_raw(
        &server,
        &format!("/api/v1/forms/{DEMO_FORM_ID}/submissions"),
        &[("content-type", "application/json")],
        format!("{{\"envelope\": {}", b64_encode(b"x")),
    )
    .await;
    assert_eq!((status, error["error"].as_str()), (400, Some("bad_request")), "{error}");
    assert!(error["message"].as_str().unwrap().starts_with("The body is not a submission"), "{error}");
}
