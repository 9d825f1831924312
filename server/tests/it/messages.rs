//! Mail through a real SMTP server on 127.0.0.1 (aiosmtpd, started here by
//! `smtp_sink.py`): the outbox, retries, refusals, a dropped connection, two
//! replicas sending from one outbox, the password reset and notifications.

use std::time::Duration;

use formseal_core::accounts::{self, Role};
use formseal_core::audit;
use formseal_core::messages::{self, notify};
use formseal_core::store::{AuditFilter, MessageFilter};
use formseal_model::demo::DEMO_FORM_ID;
use formseal_model::form::{DataClass, Field, FieldKind};
use formseal_model::text::LocalText;
use serde_json::{Value, json};

use crate::common::{JsonBody, TestServer, good_answers, setup_owner, start_custom, submit_answers};
use crate::sink::Sink;

const GOOD: &str = "tangerine lighthouse quietly borrows";

/// One message as the SMTP server received it.
#[derive(Clone, Debug)]
pub struct Received {
    pub to: Vec<String>,
    pub data: String,
    /// The plain-text part, decoded by Python's mail parser.
    pub text: String,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<String> {
        let prefix = format!("{}:", name.to_lowercase());
        self.data.lines().find(|l| l.to_lowercase().starts_with(&prefix)).map(|l| l[prefix.len()..].trim().to_owned())
    }

    pub fn text(&self) -> String {
        self.text.clone()
    }
}

pub struct SmtpSink {
    pub port: u16,
    sink: Sink,
}

impl SmtpSink {
    /// `python3 smtp_sink.py` with `args` (see the script).
    pub fn start(args: &[&str]) -> SmtpSink {
        let sink = Sink::start("smtp_sink.py", args, "aiosmtpd");
        SmtpSink { port: sink.port, sink }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn received(&self) -> Vec<Received> {
        self.sink.seen().iter().map(received).collect()
    }

    /// Waits (at most 20 s) until `n` messages arrived.
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        self.sink.wait_for(n).await.iter().map(received).collect()
    }
}

fn received(v: &Value) -> Received {
    let to = v["to"].as_array().unwrap().iter().map(|t| t.as_str().unwrap().to_owned()).collect();
    Received { to, data: v["data"].as_str().unwrap().to_owned(), text: v["text"].as_str().unwrap().to_owned() }
}

/// A server sending through `sink`, retrying after 50 ms (doubling).
pub async fn start_sending(sink: &SmtpSink) -> TestServer {
    start_sending_with(sink, |_| {}).await
}

/// The same with more settings of its own.
pub async fn start_sending_with(sink: &SmtpSink, adjust: impl FnOnce(&mut formseal::cli::ServeArgs)) -> TestServer {
    let url = sink.url();
    start_custom(
        |_| "mem://".to_owned(),
        move |args| {
            args.smtp_url = Some(url);
            args.mail_from = Some("Forms <forms@example.org>".into());
            args.message_retry_ms = Some(50);
            adjust(args);
        },
    )
    .await
}

/// Waits until no message of the outbox is queued or being sent; the messages.
async fn settled(server: &TestServer) -> Vec<formseal_core::store::MessageRow> {
    for _ in 0..400 {
        let rows = messages::outbox(&server.state, &setup_owner(), &MessageFilter::default()).await.unwrap();
        if rows.iter().all(|m| m.status == "sent" || m.status == "failed") {
            return rows;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the outbox did not settle");
}

fn audited(
    server: &TestServer,
    action: audit::Action,
) -> impl std::future::Future<Output = Vec<formseal_core::store::AuditRow>> {
    let state = server.state.clone();
    async move {
        let filter = AuditFilter::from_inputs("", action.as_str(), "", "");
        audit::search(&state, &setup_owner(), &filter, 0, 1000).await.unwrap()
    }
}

#[tokio::test]
async fn a_test_message_arrives_and_the_outbox_shows_it_sent() {
    let sink = SmtpSink::start(&[]);
    let server = start_sending(&sink).await;
    accounts::create_account(&server.state, "ada", GOOD, Role::Owner).await.unwrap();
    let cookie = server.login("ada", GOOD).await;
    let (status, body) = server.call_fn(Some(&cookie), "test-message", &[("to", "Ops@Example.ORG")]).await;
    assert_eq!(status, 200, "{body}");
    let id: String = serde_json::from_str(&body).unwrap();
    let mail = &sink.wait_for(1).await[0];
    assert_eq!(mail.to, vec!["Ops@example.org"], "the domain is lower-cased, the local part kept");
    assert_eq!(mail.header("Subject").as_deref(), Some("Formseal test message"));
    assert!(mail.header("From").unwrap().contains("<forms@example.org>"), "{mail:?}");
    assert!(mail.header("Message-ID").unwrap().contains(&id), "{mail:?}");
    assert!(mail.text().contains("sent by ada"), "{}", mail.text());

    let rows = settled(&server).await;
    let row = rows.iter().find(|m| m.message_id == id).unwrap();
    assert_eq!((row.status.as_str(), row.attempts), ("sent", 1));
    // What was said is gone from the outbox; that it was sent, to whom, stays.
    let stored = server.state.store().message(&id).await.unwrap().unwrap();
    assert_eq!((stored.body_text, stored.body_html), (None, None));
    let sent = audited(&server, audit::Action::MessageSent).await;
    assert!(sent.iter().any(|r| r.object == id && r.detail.contains("mail test: 250")), "{sent:?}");
    assert!(sent.iter().all(|r| !r.detail.contains("sent by")), "never the body: {sent:?}");

    // The outbox page's function gives the same, and a viewer may not see it.
    let (status, page) = server.call_fn(Some(&cookie), "outbox", &[]).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("\"sent\"") && page.contains("Ops@example.org"), "{page}");
    accounts::create_account(&server.state, "vic", GOOD, Role::Viewer).await.unwrap();
    let viewer = server.login("vic", GOOD).await;
    assert_eq!(server.call_fn(Some(&viewer), "outbox", &[]).await.0, 403);
    assert_eq!(server.call_fn(Some(&viewer), "test-message", &[("to", "x@example.org")]).await.0, 403);
    // A malformed address is refused before anything is queued.
    let (status, body) = server.call_fn(Some(&cookie), "test-message", &[("to", "not an address")]).await;
    assert_eq!(status, 400, "{body}");
}

#[tokio::test]
async fn without_a_mail_server_nothing_is_queued_and_the_refusal_says_why() {
    let server = crate::common::start().await;
    accounts::create_account(&server.state, "ada", GOOD, Role::Owner).await.unwrap();
    let cookie = server.login("ada", GOOD).await;
    let (status, body) = server.call_fn(Some(&cookie), "test-message", &[("to", "ops@example.org")]).await;
    assert_eq!(status, 409, "{body}");
    assert!(body.contains("--smtp-url"), "{body}");
    let (status, body) = server.call_fn(None, "forgot-password", &[("who", "ada")]).await;
    assert!(status == 409 && body.contains("sends no mail"), "{status} {body}");
    // An invitation to a mail address: refused, and no invitation was made.
    let args =
        [("username", "grace"), ("role", "viewer"), ("forms", ""), ("personal_forms", ""), ("email", "g@example.org")];
    let (status, body) = server.call_fn(Some(&cookie), "invite", &args).await;
    assert!(status == 409 && body.contains("sends no mail"), "{status} {body}");
    assert!(server.state.store().messages(&MessageFilter::default(), 10).await.unwrap().is_empty());
    // Without an address, the link is shown to copy, as always.
    let (status, body) = server.call_fn(Some(&cookie), "invite", &args[..4]).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("/admin/invite/"), "{body}");
}

#[tokio::test]
async fn an_invitation_goes_by_mail_and_the_account_starts_with_that_address() {
    let sink = SmtpSink::start(&[]);
    let server = start_sending(&sink).await;
    accounts::create_account(&server.state, "ada", GOOD, Role::Owner).await.unwrap();
    let cookie = server.login("ada", GOOD).await;
    let args = [
        ("username", "grace"),
        ("role", "editor"),
        ("forms", ""),
        ("personal_forms", ""),
        ("email", "Grace@Example.ORG"),
    ];
    let (status, body) = server.call_fn(Some(&cookie), "invite", &args).await;
    assert_eq!(status, 200, "{body}");
    // The link is still shown once, and the same link arrives by mail.
    let link: String = serde_json::from_str(&body).unwrap();
    let mail = &sink.wait_for(1).await[0];
    assert_eq!(mail.to, vec!["Grace@example.org"]);
    assert_eq!(mail.header("Subject").as_deref(), Some("Your invitation to Formseal"));
    assert!(mail.text().contains(&link) && mail.text().contains("ada invited you"), "{}", mail.text());
    let invited = audited(&server, audit::Action::AccountInvited).await;
    assert!(invited.iter().any(|r| r.object == "grace" && r.detail.contains("sent by mail")), "{invited:?}");

    let token = link.rsplit('/').next().unwrap();
    accounts::accept_invite(&server.state, token, GOOD).await.unwrap();
    let account = server.state.store().account("grace").await.unwrap().unwrap();
    assert_eq!(account.email.as_deref(), Some("Grace@example.org"), "resets can reach the new account at once");
}

#[tokio::test]
async fn a_deferred_message_is_tried_again_until_the_server_takes_it() {
    let sink = SmtpSink::start(&["--defer-first", "2"]);
    let server = start_sending(&sink).await;
    let id = messages::send_test(&server.state, &setup_owner(), "ops@example.org").await.unwrap();
    sink.wait_for(1).await;
    let rows = settled(&server).await;
    assert_eq!(rows[0].attempts, 3);
    let tries = messages::attempts(&server.state, &setup_owner(), &id).await.unwrap();
    let outcomes: Vec<&str> = tries.iter().map(|t| t.outcome.as_str()).collect();
    assert_eq!(outcomes, vec!["retry", "retry", "sent"]);
    assert!(tries[0].detail.contains("451"), "{tries:?}");
    // Backoff: the second wait is longer than the first (50 ms, then 100 ms).
    assert!(tries[2].at_ms - tries[1].at_ms >= 100 && tries[1].at_ms - tries[0].at_ms >= 50, "{tries:?}");
    assert_eq!(sink.received().len(), 1, "delivered once");
}

#[tokio::test]
async fn refused_recipients_and_a_dropped_connection_end_delivered_once_or_failed_with_the_reason() {
    // The 5th message's connection is cut before the server answers.
    let sink = SmtpSink::start(&["--refuse", "gone@example.org", "--drop-at", "5"]);
    let server = start_sending(&sink).await;
    let mut ids = Vec::new();
    for i in 0..20 {
        let to = if i % 7 == 3 { "gone@example.org".to_owned() } else { format!("person{i}@example.org") };
        ids.push((to.clone(), messages::send_test(&server.state, &setup_owner(), &to).await.unwrap()));
    }
    let rows = settled(&server).await;
    let failed: Vec<_> = rows.iter().filter(|m| m.status == "failed").collect();
    assert_eq!(failed.len(), 3, "{rows:?}");
    for m in &failed {
        assert_eq!(m.to_address.as_deref(), Some("gone@example.org"));
        assert!(m.last_error.as_deref().unwrap_or_default().contains("550"), "{m:?}");
    }
    // Every other message arrived exactly once, to its own recipient.
    let received = sink.received();
    assert_eq!(received.len(), 17, "{received:?}");
    for (to, id) in ids.iter().filter(|(to, _)| to != "gone@example.org") {
        let copies: Vec<_> =
            received.iter().filter(|r| r.header("Message-ID").is_some_and(|m| m.contains(id.as_str()))).collect();
        assert_eq!(copies.len(), 1, "{id}");
        assert_eq!(copies[0].to, vec![to.clone()]);
    }
    // The cut connection shows as a retry before its success.
    assert!(rows.iter().any(|m| m.status == "sent" && m.attempts == 2), "{rows:?}");
    let failures = audited(&server, audit::Action::MessageFailed).await;
    assert_eq!(failures.len(), 3);

    // An operator sends a failed one again: refused again, with a fresh attempt.
    let (_, failed_id) = ids.iter().find(|(to, _)| to == "gone@example.org").unwrap();
    messages::retry(&server.state, &setup_owner(), failed_id).await.unwrap();
    let err = messages::retry(&server.state, &setup_owner(), &ids[0].1).await.unwrap_err();
    assert_eq!(err.status(), 409, "a sent message is not sent again");
    settled(&server).await;
    assert_eq!(messages::attempts(&server.state, &setup_owner(), failed_id).await.unwrap().len(), 2);
    assert_eq!(audited(&server, audit::Action::MessageRetried).await.len(), 1);
}

#[tokio::test]
async fn two_replicas_sending_from_one_outbox_deliver_each_message_once() {
    let sink = SmtpSink::start(&[]);
    let server = start_sending(&sink).await;
    // A second replica over the same database, with its own sender.
    let replica = server.state.replica();
    tokio::spawn(messages::run(replica.clone()));
    for i in 0..60 {
        let state = if i % 2 == 0 { &server.state } else { &replica };
        messages::send_test(state, &setup_owner(), &format!("p{i}@example.org")).await.unwrap();
    }
    sink.wait_for(60).await;
    settled(&server).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let received = sink.received();
    let mut ids: Vec<String> = received.iter().map(|r| r.header("Message-ID").unwrap()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!((received.len(), ids.len()), (60, 60));
}

/// The link in a reset mail, and its token.
fn reset_link(mail: &Received) -> (String, String) {
    let text = mail.text();
    let link = text.split_whitespace().find(|w| w.contains("/admin/reset/")).unwrap().to_owned();
    let token = link.rsplit('/').next().unwrap().to_owned();
    (link, token)
}

#[tokio::test]
async fn a_reset_link_by_mail_works_once_and_strangers_get_the_same_answer() {
    let sink = SmtpSink::start(&[]);
    let server = start_sending(&sink).await;
    accounts::create_account(&server.state, "ada", GOOD, Role::Editor).await.unwrap();
    let old_session = server.login("ada", GOOD).await;
    let (status, _) = server.call_fn(Some(&old_session), "set-my-email", &[("email", "ada@example.org")]).await;
    assert_eq!(status, 200);

    let (status, known) = server.call_fn(None, "forgot-password", &[("who", "ada")]).await;
    assert_eq!(status, 200, "{known}");
    let (status, unknown) = server.call_fn(None, "forgot-password", &[("who", "nobody@example.org")]).await;
    assert_eq!((status, &unknown), (200, &known), "the same answer");
    let mail = sink.wait_for(1).await[0].clone();
    assert_eq!(mail.to, vec!["ada@example.org"]);
    let (link, token) = reset_link(&mail);
    assert!(link.starts_with(&server.base), "{link}");
    // The token is in the mail only: the store keeps its hash (and the outbox forgot the text).
    settled(&server).await;
    let dump = server.state.store().dump_all_tables().await.unwrap();
    assert!(!dump.contains(&token), "the reset token is stored in plain text");

    let (status, who) = server.call_fn(None, "reset-state", &[("token", &token)]).await;
    assert_eq!((status, who.as_str()), (200, "\"ada\""));
    let new = "violet harbour gently remembers";
    let (status, body) =
        server.call_fn(None, "reset-password", &[("token", &token), ("new", new), ("repeat", new)]).await;
    assert!(status == 200 || status == 302, "{status} {body}");
    // Every session ended; the new password works, the old does not.
    assert_eq!(server.call_fn(Some(&old_session), "me", &[]).await.0, 401);
    let (status, _) = server.call_fn(None, "login", &[("username", "ada"), ("password", GOOD)]).await;
    assert_eq!(status, 401);
    server.login("ada", new).await;
    // Once only.
    let (status, body) =
        server.call_fn(None, "reset-password", &[("token", &token), ("new", GOOD), ("repeat", GOOD)]).await;
    assert_eq!(status, 410, "{body}");
    assert_eq!(audited(&server, audit::Action::PasswordResetByMail).await.len(), 1);

    // By address too; and at most three mails an hour, whatever is asked.
    for _ in 0..5 {
        assert_eq!(server.call_fn(None, "forgot-password", &[("who", "ADA@example.org")]).await.0, 200);
    }
    sink.wait_for(3).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(sink.received().len(), 3, "the first mail and two more in the hour");
}

#[tokio::test]
async fn notifications_carry_no_answer_unless_the_form_allows_its_plain_ones() {
    let sink = SmtpSink::start(&[]);
    let server = start_sending(&sink).await;
    let mut form = formseal_model::demo::contact_tracing();
    form.id = "notified".into();
    form.fields.push(Field::new(
        "topic",
        LocalText::new("Topic", "Thema"),
        false,
        DataClass::None,
        FieldKind::ShortText { min_len: None, max_len: Some(100), pattern: None },
    ));
    let version = formseal_core::forms::publish(&server.state, form, &["*".into()]).await.unwrap().version;
    accounts::create_account(&server.state, "ed", GOOD, Role::Editor).await.unwrap();
    let ed = accounts::Operator { username: "ed".into(), role: Role::Editor, forms: vec![], personal_forms: vec![] };
    accounts::set_my_email(&server.state, &ed, "ed@example.org").await.unwrap();
    // A partner not given the form cannot be chosen.
    accounts::create_account(&server.state, "agency", GOOD, Role::Partner).await.unwrap();
    let err =
        notify::set(&server.state, &setup_owner(), "notified", vec!["agency".into()], false, false).await.unwrap_err();
    assert_eq!(err.status(), 400);
    notify::set(&server.state, &setup_owner(), "notified", vec!["ed".into()], false, false).await.unwrap();

    let mut answers = good_answers();
    answers.insert("topic".into(), json!("Late opening hours"));
    let (status, body) = submit_answers(&server, "notified", &version, answers.clone(), 1).await;
    assert_eq!(status, 201, "{body}");
    let submission = body["receipt"]["submission"].as_str().unwrap().to_owned();
    let mail = sink.wait_for(1).await[0].clone();
    assert_eq!(mail.to, vec!["ed@example.org"]);
    let text = mail.text();
    assert!(text.contains(&submission) && text.contains("/admin/forms/notified/submissions/"), "{text}");
    for value in ["Ada Lovelace", "Musterstra", "+49301234567", "Late opening hours"] {
        assert!(!mail.text().contains(value), "{value} is in the mail: {}", mail.data);
    }

    // Allowed: the plain answer is in, the personal ones still are not.
    notify::set(&server.state, &setup_owner(), "notified", vec!["ed".into()], true, false).await.unwrap();
    let (status, _) = submit_answers(&server, "notified", &version, answers, 2).await;
    assert_eq!(status, 201);
    let mail = sink.wait_for(2).await[1].clone();
    assert!(mail.text().contains("Topic: Late opening hours"), "{}", mail.text());
    for value in ["Ada Lovelace", "Musterstra", "+49301234567"] {
        assert!(!mail.text().contains(value), "{value} is in the mail");
    }
    let changes = audited(&server, audit::Action::NotificationsChanged).await;
    assert_eq!(changes.len(), 2);

    // The demo form notifies nobody: its submissions cause no mail.
    let demo = server.form(DEMO_FORM_ID).await.version;
    let (status, _) = submit_answers(&server, DEMO_FORM_ID, &demo, good_answers(), 3).await;
    assert_eq!(status, 201);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sink.received().len(), 2);
}

#[tokio::test]
async fn a_daily_digest_counts_the_day_s_submissions_once_and_holds_no_answer() {
    let sink = SmtpSink::start(&[]);
    let server = start_sending(&sink).await;
    accounts::create_account(&server.state, "ed", GOOD, Role::Editor).await.unwrap();
    let ed = accounts::Operator { username: "ed".into(), role: Role::Editor, forms: vec![], personal_forms: vec![] };
    accounts::set_my_email(&server.state, &ed, "ed@example.org").await.unwrap();
    // Daily, even where the plain answers were allowed: a digest never holds one.
    notify::set(&server.state, &setup_owner(), DEMO_FORM_ID, vec!["ed".into()], true, true).await.unwrap();
    let version = server.form(DEMO_FORM_ID).await.version;
    for seed in 0..3 {
        let (status, body) = submit_answers(&server, DEMO_FORM_ID, &version, good_answers(), 40 + seed).await;
        assert_eq!(status, 201, "{body}");
    }
    // No mail per submission.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(sink.received().is_empty());

    // Today's submissions are counted in tomorrow's digest; two replicas at once send one.
    let tomorrow = formseal_core::time::now_ms() + 86_400_000;
    let other = server.state.replica();
    let (a, b) = tokio::join!(notify::send_digests(&server.state, tomorrow), notify::send_digests(&other, tomorrow));
    assert_eq!(a.unwrap() + b.unwrap(), 1);
    let mail = sink.wait_for(1).await[0].clone();
    assert_eq!(mail.to, vec!["ed@example.org"]);
    assert!(mail.header("Subject").unwrap().starts_with("3 new submissions:"), "{mail:?}");
    assert!(mail.text().contains(&format!("/admin/forms/{DEMO_FORM_ID}")), "{}", mail.text());
    for value in ["Ada Lovelace", "Musterstra", "+49301234567"] {
        assert!(!mail.text().contains(value), "{value} is in the digest");
    }
    assert_eq!(notify::send_digests(&server.state, tomorrow).await.unwrap(), 0, "once per day");
    // The day after has no submissions: no mail.
    assert_eq!(notify::send_digests(&server.state, tomorrow + 86_400_000).await.unwrap(), 0);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sink.received().len(), 1);
}

/// The real binary on RocksDB, killed with SIGKILL during a bulk send of 60
/// personal links from a CSV: after the restart every recipient gets their mail;
/// at most the one in flight at the kill arrives twice (the mail server's "250"
/// came, our record of it did not).
#[tokio::test]
async fn kill_9_while_sending_loses_no_message() {
    use crate::durability::{command, free_port, log_file, wait_ready};
    let sink = SmtpSink::start(&["--delay-ms", "20"]);
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let spawn = || {
        let mut c = command(dir.path(), port, None);
        c.args(["--smtp-url", &sink.url(), "--mail-from", "forms@example.org", "--message-retry-ms", "50"]);
        crate::durability::Running(c.stdout(log_file(dir.path())).stderr(log_file(dir.path())).spawn().unwrap())
    };
    let http = reqwest::Client::new();
    let mut server = spawn();
    wait_ready(&http, &base).await;
    let log = std::fs::read_to_string(dir.path().join("server.log")).unwrap();
    let one_time = log.split("one-time password ").nth(1).unwrap().split_whitespace().next().unwrap().to_owned();
    let post = |cookie: Option<String>, name: &'static str, args: Vec<(&'static str, String)>| {
        let mut request = http.post(format!("{base}/admin/fn/{name}")).form(&args);
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        async move { request.send().await.unwrap() }
    };
    let res = post(None, "login", vec![("username", "owner".into()), ("password", one_time.clone())]).await;
    let cookie = res.headers().get("set-cookie").unwrap().to_str().unwrap().split(';').next().unwrap().to_owned();
    let args = vec![("current", one_time), ("new", GOOD.into()), ("repeat", GOOD.into())];
    assert!(post(Some(cookie.clone()), "change-password", args).await.status().as_u16() < 400);

    // One bulk send, acknowledged as a whole: 60 links, 60 mails.
    let acknowledged: Vec<String> = (0..60).map(|i| format!("p{i}@example.org")).collect();
    let csv = std::iter::once("label,email".to_owned())
        .chain(acknowledged.iter().enumerate().map(|(i, to)| format!("K-{i},{to}")))
        .collect::<Vec<_>>()
        .join("\n");
    let request = json!({
        "form": DEMO_FORM_ID, "label": "", "note": "", "prefill": "", "to": "", "csv": csv,
        "address_column": "email", "locked": "", "single_use": true, "days": 30, "lang": "en",
        "remind_days": 0, "remind_times": 0,
    });
    let res = http
        .post(format!("{base}/admin/fn/send-link-mail"))
        .header("cookie", &cookie)
        .json(&json!({ "request": request, "confirm": 60 }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    // Some are out, most are not: kill it mid-send.
    while sink.received().len() < 10 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    server.0.kill().unwrap();
    server.0.wait().unwrap();
    let before_restart = sink.received().len();
    assert!(before_restart < 60, "the kill came too late to prove anything");

    // Restarted, it sends the rest (the one in flight once its claim runs out: the
    // test waits for the others only).
    let _server = spawn();
    wait_ready(&http, &base).await;
    let missing = |received: &[Received]| -> Vec<String> {
        acknowledged.iter().filter(|to| !received.iter().any(|r| r.to.contains(to))).cloned().collect()
    };
    for _ in 0..400 {
        if missing(&sink.received()).len() <= 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let missing = missing(&sink.received());
    let got: Vec<String> = sink.received().iter().filter_map(|r| r.header("Message-ID")).collect();
    // The one message claimed at the kill waits for its 5-minute lease; every other is here.
    assert!(missing.len() <= 1, "lost: {missing:?}");
    let mut unique = got.clone();
    unique.sort();
    unique.dedup();
    assert!(got.len() - unique.len() <= 1, "sent twice: {} of {}", got.len() - unique.len(), got.len());
}
