//! Webhooks to a real receiver on 127.0.0.1 (`webhook_sink.py`), which verifies
//! every delivery on its own: the HMAC form with the `standardwebhooks` package
//! from PyPI, the ed25519 form with the public keys it reads from
//! /.well-known/formseal-keys.json. Retries through the outbox, the answers only
//! where chosen, deletions announced, private targets refused.

use std::time::Duration;

use formseal_core::audit::Action;
use formseal_core::messages::webhooks;
use formseal_core::store::{AuditFilter, NewWebhook};
use formseal_core::{Error, retention};
use formseal_model::demo::DEMO_FORM_ID;
use serde_json::{Value, json};

use crate::common::{JsonBody, TestServer, envelope, good_answers, setup_owner, sign, start, start_custom};
use crate::sink::Sink;

/// The receiver, and what it printed of each delivery.
struct Receiver(Sink);

impl Receiver {
    fn start(args: &[&str]) -> Receiver {
        Receiver(Sink::start("webhook_sink.py", args, "standardwebhooks and cryptography"))
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.0.port)
    }

    /// Tells the receiver each path's webhook secret and where the instance's keys are.
    async fn configure(&self, server: &TestServer, secrets: &[(&str, &str)]) {
        let secrets: serde_json::Map<String, Value> =
            secrets.iter().map(|(path, secret)| ((*path).to_owned(), json!(secret))).collect();
        let keys_url = format!("{}/.well-known/formseal-keys.json", server.base);
        let settings = json!({ "secrets": secrets, "keys_url": keys_url });
        let res = server.client.post(self.url("/_config")).json(&settings).send().await.unwrap();
        assert_eq!(res.status(), 204);
    }

    fn seen(&self) -> Vec<Value> {
        self.0.seen()
    }

    /// Waits (at most 20 s) until `n` deliveries arrived.
    async fn wait_for(&self, n: usize) -> Vec<Value> {
        self.0.wait_for(n).await
    }
}

/// A server that may deliver to 127.0.0.1, retrying after 50 ms (doubling).
async fn start_delivering() -> TestServer {
    start_custom(
        |_| "mem://".to_owned(),
        |args| {
            args.allow_private_webhooks = true;
            args.message_retry_ms = Some(50);
        },
    )
    .await
}

async fn add(server: &TestServer, url: &str, events: &[&str], answers: bool) -> (String, String) {
    let events: Vec<String> = events.iter().map(|e| (*e).to_owned()).collect();
    let (hook, secret) =
        webhooks::add(&server.state, &setup_owner(), DEMO_FORM_ID, url, &events, answers).await.unwrap();
    (hook.webhook_id, secret)
}

/// Waits until the outbox holds `id` as `status`.
async fn wait_status(server: &TestServer, id: &str, status: &str) -> formseal_core::store::MessageRow {
    for _ in 0..400 {
        if let Some(row) = server.state.store().message(id).await.unwrap()
            && row.status == status
        {
            return row;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{id} is not {status}: {:?}", server.state.store().message(id).await.unwrap());
}

fn assert_verified(delivery: &Value) {
    assert_eq!(delivery["hmac"], true, "HMAC (standardwebhooks): {delivery}");
    assert_eq!(delivery["ed25519"], true, "ed25519 with the published key: {delivery}");
}

#[tokio::test]
async fn every_delivery_verifies_and_carries_the_answers_only_where_chosen() {
    let receiver = Receiver::start(&[]);
    let server = start_delivering().await;
    let both = [webhooks::SUBMISSION_CREATED, webhooks::SUBMISSION_DELETED];
    let (plain, secret) = add(&server, &receiver.url("/plain"), &both, false).await;
    let (with_answers, other) = add(&server, &receiver.url("/answers"), &[webhooks::SUBMISSION_CREATED], true).await;
    assert_ne!(secret, other, "each webhook has its own secret");
    receiver.configure(&server, &[("/plain", &secret), ("/answers", &other)]).await;

    let version = server.form(DEMO_FORM_ID).await.version;
    let (status, body) = server.submit(&sign(&envelope(&version, good_answers(), 1_901))).await;
    assert_eq!(status, 201, "{body}");
    let submission = body["receipt"]["submission"].as_str().unwrap().to_owned();
    let deliveries = receiver.wait_for(2).await;
    let at = |path: &str| deliveries.iter().find(|d| d["path"] == path).unwrap().clone();

    let plain_event = at("/plain");
    assert_verified(&plain_event);
    let event = &plain_event["body"];
    assert_eq!(event["type"], "submission.created");
    assert_eq!(event["data"]["submission"], submission.as_str());
    assert_eq!(event["data"]["form"], DEMO_FORM_ID);
    // The receipt the visitor got, signed by the instance: the receiver can check it too.
    assert_eq!(event["data"]["receipt"], body);
    assert!(event["data"].get("answers").is_none(), "no answers unless chosen: {event}");
    assert!(!plain_event.to_string().contains("Ada Lovelace"));

    let answers_event = at("/answers");
    assert_verified(&answers_event);
    assert_eq!(answers_event["body"]["data"]["answers"]["name"], "Ada Lovelace");
    assert_eq!(answers_event["body"]["data"]["submission"], submission.as_str());

    // Each message is in the outbox as sent, with the receiver's answer.
    for id in [plain_event["id"].as_str().unwrap(), answers_event["id"].as_str().unwrap()] {
        let row = wait_status(&server, id, "sent").await;
        assert_eq!((row.kind.as_str(), row.attempts), ("webhook", 1));
        let tries = server.state.store().message_attempts(id).await.unwrap();
        assert_eq!(tries.len(), 1);
        assert_eq!(tries[0].detail, "HTTP 200: thanks");
    }
    let filter = AuditFilter::from_inputs("", Action::WebhookAdded.as_str(), "", "");
    let added = formseal_core::audit::search(&server.state, &setup_owner(), &filter, 0, 100).await.unwrap();
    assert_eq!(added.len(), 2);
    assert!(added.iter().any(|r| r.object == with_answers && r.detail.contains("WITH THE ANSWERS")), "{added:?}");
    assert!(added.iter().any(|r| r.object == plain && !r.detail.contains("ANSWERS")), "{added:?}");

    // 31 days later retention deletes the answers: the deletion is announced, signed.
    let later = chrono::Utc::now().timestamp_millis() + 31 * 86_400_000;
    assert_eq!(retention::sweep(&server.state, later).await.unwrap(), 1);
    let deliveries = receiver.wait_for(3).await;
    let deleted = deliveries.iter().find(|d| d["body"]["type"] == "submission.deleted").unwrap();
    assert_verified(deleted);
    assert_eq!(deleted["path"], "/plain", "only the webhook that asked for deletions");
    assert_eq!(deleted["body"]["data"]["submission"], submission.as_str());
    assert_eq!(deleted["body"]["data"]["reason"], "retention");
    assert_eq!(deleted["body"]["data"]["tombstone"]["tombstone"]["submission"], submission.as_str());
}

#[tokio::test]
async fn a_receiver_failing_three_times_gets_the_event_once_acknowledged() {
    let receiver = Receiver::start(&["--fail-first", "3"]);
    let server = start_delivering().await;
    let (hook, secret) = add(&server, &receiver.url("/flaky"), &[webhooks::SUBMISSION_CREATED], false).await;
    receiver.configure(&server, &[("/flaky", &secret)]).await;
    let id = webhooks::send_test(&server.state, &setup_owner(), &hook).await.unwrap();

    let row = wait_status(&server, &id, "sent").await;
    assert_eq!(row.attempts, 4);
    let deliveries = receiver.wait_for(4).await;
    // Nothing more comes once it was acknowledged.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let deliveries_after = receiver.seen();
    assert_eq!(deliveries_after.len(), 4, "{deliveries_after:?}");
    let statuses: Vec<_> = deliveries.iter().map(|d| d["status"].as_u64().unwrap()).collect();
    assert_eq!(statuses, [500, 500, 500, 200]);
    for delivery in &deliveries {
        // The same webhook-id every time (the receiver drops duplicates by it), a
        // fresh timestamp and signature each try.
        assert_eq!(delivery["id"], id.as_str());
        assert_eq!(delivery["body"]["type"], "webhook.test");
        assert_verified(delivery);
    }
    let tries = server.state.store().message_attempts(&id).await.unwrap();
    let outcomes: Vec<_> = tries.iter().map(|t| (t.outcome.as_str(), t.detail.as_str())).collect();
    assert_eq!(
        outcomes,
        [
            ("retry", "HTTP 500: not yet, try again"),
            ("retry", "HTTP 500: not yet, try again"),
            ("retry", "HTTP 500: not yet, try again"),
            ("sent", "HTTP 200: thanks"),
        ]
    );

    // A new secret: the receiver that still holds the old one no longer verifies the HMAC.
    let new = webhooks::new_secret(&server.state, &setup_owner(), &hook).await.unwrap();
    assert_ne!(new, secret);
    let second = webhooks::send_test(&server.state, &setup_owner(), &hook).await.unwrap();
    wait_status(&server, &second, "sent").await;
    let last = receiver.wait_for(5).await.into_iter().find(|d| d["id"] == second.as_str()).unwrap();
    assert_eq!((last["hmac"].clone(), last["ed25519"].clone()), (json!(false), json!(true)), "{last}");
}

#[tokio::test]
async fn private_targets_are_refused_without_the_flag() {
    let server = start().await;
    let owner = setup_owner();
    let events = [webhooks::SUBMISSION_CREATED.to_owned()];
    for (url, why) in [
        ("https://127.0.0.1:9/hooks", "private address"),
        ("https://localhost:9/hooks", "private address"),
        ("https://[::1]:9/hooks", "private address"),
        ("https://169.254.169.254/latest", "private address"),
        ("https://10.0.0.8/hooks", "private address"),
        ("http://93.184.216.34/hooks", "https://"),
    ] {
        match webhooks::add(&server.state, &owner, DEMO_FORM_ID, url, &events, false).await {
            Err(Error::BadRequest(message)) => assert!(message.contains(why), "{url}: {message}"),
            other => panic!("{url} was not refused: {other:?}"),
        }
    }
    assert!(webhooks::list(&server.state, &owner, DEMO_FORM_ID).await.unwrap().is_empty());

    // Refused at delivery too (a webhook stored before, or an address that moved):
    // failed at once, with the reason, never sent.
    let stored = NewWebhook {
        webhook_id: "inside".into(),
        form_id: DEMO_FORM_ID.into(),
        url: "https://127.0.0.1:1/hooks".into(),
        events: events.to_vec(),
        include_answers: false,
        created_ms: 0,
        created_by: "setup".into(),
    };
    server.state.store().create_webhook(&stored).await.unwrap();
    let id = webhooks::send_test(&server.state, &owner, "inside").await.unwrap();
    let row = wait_status(&server, &id, "failed").await;
    assert_eq!(row.attempts, 1);
    assert!(row.last_error.as_deref().unwrap_or_default().contains("private address"), "{row:?}");

    // A removed webhook's queued message fails with that reason.
    webhooks::remove(&server.state, &owner, "inside").await.unwrap();
    assert!(matches!(webhooks::send_test(&server.state, &owner, "inside").await, Err(Error::NotFound(_))));
    let now = formseal_core::time::now_ms();
    let orphan = formseal_core::store::NewMessage {
        message_id: "msg_orphan".into(),
        kind: "webhook".into(),
        purpose: webhooks::TEST_EVENT.into(),
        form_id: Some(DEMO_FORM_ID.into()),
        link_id: None,
        webhook_id: Some("inside".into()),
        submission_id: None,
        to_address: Some("https://127.0.0.1:1/hooks".into()),
        to_account: None,
        subject: webhooks::TEST_EVENT.into(),
        body_text: "{}".into(),
        body_html: None,
        created_ms: now,
        give_up_ms: now + 60_000,
        created_by: "setup".into(),
    };
    server.state.store().enqueue(&[orphan]).await.unwrap();
    let row = wait_status(&server, "msg_orphan", "failed").await;
    assert_eq!(row.last_error.as_deref(), Some("the webhook was removed"));
}
