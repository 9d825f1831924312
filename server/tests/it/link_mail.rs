//! Personal links by mail over real HTTP, through the real SMTP server of the
//! message tests (aiosmtpd on 127.0.0.1): the check before sending, 200 links from
//! a CSV each arriving with its own link, bad addresses refused row by row, the
//! templates, and reminders only for open, unused links with their sealed secret
//! gone after a use or a revocation.

use std::time::Duration;

use formseal_core::accounts::{self, Role};
use formseal_core::audit;
use formseal_core::links;
use formseal_core::store::{AuditFilter, MessageFilter};
use formseal_model::demo::DEMO_FORM_ID;
use formseal_model::link::key_from_secret;
use formseal_model::{SubmissionRequest, b64_encode};
use serde_json::{Value, json};

use crate::common::{JsonBody, TestServer, envelope, good_answers, setup_owner};
use crate::messages::{Received, SmtpSink, start_sending_with};

const GOOD: &str = "tangerine lighthouse quietly borrows";

/// A server sending through `sink`, whose reminder "day" lasts `day_ms`.
async fn start_mailing(sink: &SmtpSink, day_ms: Option<u32>) -> TestServer {
    start_sending_with(sink, move |args| args.reminder_day_ms = day_ms).await
}

async fn owner_cookie(server: &TestServer) -> String {
    accounts::create_account(&server.state, "ada", GOOD, Role::Owner).await.unwrap();
    server.login("ada", GOOD).await
}

/// A console function taking JSON, as the page calls it.
async fn call_json(server: &TestServer, cookie: &str, name: &str, body: &Value) -> (u16, Value) {
    let res = server
        .client
        .post(format!("{}/admin/fn/{name}", server.base))
        .header("cookie", cookie)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// A send of the demo form's links from `csv`.
fn bulk(csv: &str, remind_days: u32, remind_times: u32) -> Value {
    json!({
        "form": DEMO_FORM_ID, "label": "", "note": "", "prefill": "", "to": "", "csv": csv,
        "address_column": "email", "locked": "", "single_use": true, "days": 30, "lang": "en",
        "remind_days": remind_days, "remind_times": remind_times,
    })
}

/// The personal link in a mail: its id and its secret.
fn link_in(mail: &Received) -> (String, String) {
    let text = mail.text();
    let url = text.split_whitespace().find(|w| w.contains("/f/")).unwrap_or_else(|| panic!("no link in {text}"));
    let (path, secret) = url.split_once('#').unwrap();
    (path.rsplit('/').next().unwrap().to_owned(), secret.to_owned())
}

async fn audited(server: &TestServer, action: audit::Action) -> Vec<formseal_core::store::AuditRow> {
    let filter = AuditFilter::from_inputs("", action.as_str(), "", "");
    audit::search(&server.state, &setup_owner(), &filter, 0, 1000).await.unwrap()
}

/// Waits until the outbox sent or failed everything (and so dropped the texts).
async fn settled(server: &TestServer) {
    for _ in 0..400 {
        let rows = server.state.store().messages(&MessageFilter::default(), 1000).await.unwrap();
        if rows.iter().all(|m| m.status == "sent" || m.status == "failed") {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the outbox did not settle");
}

async fn outbox_len(server: &TestServer) -> usize {
    server.state.store().messages(&MessageFilter::default(), 1000).await.unwrap().len()
}

#[tokio::test]
async fn two_hundred_links_from_a_csv_arrive_each_with_its_own_link_after_the_check() {
    let sink = SmtpSink::start(&[]);
    let server = start_mailing(&sink, None).await;
    let cookie = owner_cookie(&server).await;
    let mut csv = String::from("label,email,name\n");
    for i in 0..200 {
        csv.push_str(&format!("K-{i:03},person{i}@Example.org,Person {i}\n"));
    }

    // The check: the count and the first three, as they will read; nothing queued.
    let (status, check) = call_json(&server, &cookie, "check-link-mail", &json!({ "request": bulk(&csv, 0, 0) })).await;
    assert_eq!(status, 200, "{check}");
    assert_eq!(check["count"], 200);
    let first = check["first"].as_array().unwrap();
    assert_eq!(first.len(), 3);
    assert_eq!(first[1]["to"], "person1@example.org", "the domain lower-cased");
    assert_eq!(first[0]["subject"], "Your personal link: Guest registration", "{check}");
    let text = first[0]["text"].as_str().unwrap();
    assert!(text.starts_with("Hello K-000,") && text.contains("Café Formseal (demo)"), "{text}");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(sink.received().is_empty(), "the check sent something");
    assert_eq!(outbox_len(&server).await, 0, "the check queued something");
    assert!(links::list(&server.state, &setup_owner(), DEMO_FORM_ID, None).await.unwrap().is_empty());

    // A count other than the check's is not sent.
    let body = json!({ "request": bulk(&csv, 0, 0), "confirm": 199 });
    let (status, refused) = call_json(&server, &cookie, "send-link-mail", &body).await;
    assert_eq!(status, 409, "{refused}");
    assert_eq!(outbox_len(&server).await, 0);

    let body = json!({ "request": bulk(&csv, 0, 0), "confirm": 200 });
    let (status, sent) = call_json(&server, &cookie, "send-link-mail", &body).await;
    assert_eq!(status, 200, "{sent}");
    assert_eq!(sent["count"], 200);
    let received = sink.wait_for(200).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sink.received().len(), 200, "each once");

    // Each mail holds its recipient's own link: the key in it is that link's key,
    // and the link is labelled for that address.
    let listed = links::list(&server.state, &setup_owner(), DEMO_FORM_ID, None).await.unwrap();
    assert_eq!(listed.len(), 200);
    let mut seen = std::collections::BTreeSet::new();
    for mail in &received {
        assert_eq!(mail.to.len(), 1);
        let i: usize =
            mail.to[0].strip_prefix("person").unwrap().strip_suffix("@example.org").unwrap().parse().unwrap();
        let (id, secret) = link_in(mail);
        let row = server.state.store().link(&id).await.unwrap().unwrap();
        let key = key_from_secret(&secret).unwrap();
        assert_eq!(row.public_key, b64_encode(key.verifying_key().as_bytes()), "{id}: another link's key");
        assert_eq!(row.label.as_deref(), Some(format!("K-{i:03}").as_str()), "{id} went to person{i}");
        assert!(mail.text().contains(&format!("Hello K-{i:03},")), "{}", mail.text());
        assert!(mail.data.contains("text/html"), "an HTML part too");
        assert!(seen.insert(id), "one link per mail");
    }
    // The outbox holds each mail with its link and form; no reminder secret was kept.
    let rows = server.state.store().messages(&MessageFilter::default(), 1000).await.unwrap();
    assert!(rows.iter().all(|m| m.purpose == "personal_link" && m.form_id.as_deref() == Some(DEMO_FORM_ID)));
    assert!(rows.iter().all(|m| m.link_id.as_ref().is_some_and(|l| seen.contains(l))));
    for id in seen.iter().take(5) {
        assert!(server.state.store().reminder(id).await.unwrap().is_none());
    }
    // The list shows the mail status once the outbox settled.
    for _ in 0..200 {
        let listed = links::list(&server.state, &setup_owner(), DEMO_FORM_ID, None).await.unwrap();
        if listed.iter().all(|l| l.mail.as_ref().is_some_and(|m| m.status == "sent")) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let listed = links::list(&server.state, &setup_owner(), DEMO_FORM_ID, None).await.unwrap();
    assert!(listed.iter().all(|l| l.mail.as_ref().is_some_and(|m| m.status == "sent" && m.reminders == 0)));
    let (status, page) = server.call_fn(Some(&cookie), "links", &[("form", DEMO_FORM_ID), ("status", "")]).await;
    assert_eq!(status, 200);
    assert!(page.contains("\"mail_status\":\"sent\""), "{page}");

    // Audited once, with the count, never the text.
    let queued = audited(&server, audit::Action::LinkMailsQueued).await;
    assert_eq!(queued.len(), 1, "{queued:?}");
    assert!(queued[0].detail.contains("200 personal-link mails") && !queued[0].detail.contains("Hello"));
}

#[tokio::test]
async fn bad_addresses_are_refused_row_by_row_and_nothing_is_created() {
    let sink = SmtpSink::start(&[]);
    let server = start_mailing(&sink, None).await;
    let cookie = owner_cookie(&server).await;
    let csv = "label,email,name\nA,ada@example.org,Ada Lovelace\nB,not an address,Bea Berg\nC,,Carl Benz\n";
    for name in ["check-link-mail", "send-link-mail"] {
        let body = json!({ "request": bulk(csv, 0, 0), "confirm": 3 });
        let (status, body) = call_json(&server, &cookie, name, &body).await;
        assert_eq!(status, 400, "{name}: {body}");
        let message = body.to_string();
        assert!(message.contains("row 3: email:") && message.contains("not a mail address"), "{message}");
        assert!(message.contains("row 4: email: no mail address"), "{message}");
        assert!(!message.contains("row 2"), "{message}");
    }
    // No address column at all.
    let body = json!({ "request": bulk("label,name\nA,Ada Lovelace\n", 0, 0) });
    let (status, body) = call_json(&server, &cookie, "check-link-mail", &body).await;
    assert_eq!(status, 400);
    assert!(body.to_string().contains("no column \\\"email\\\""), "{body}");
    // Reminders out of bounds, a language the form lacks.
    for (days, times, lang) in [(0, 1, "en"), (61, 1, "en"), (3, 6, "en"), (3, 1, "fr")] {
        let mut request = bulk("label,email\nA,ada@example.org\n", days, times);
        request["lang"] = json!(lang);
        let (status, body) = call_json(&server, &cookie, "check-link-mail", &json!({ "request": request })).await;
        assert_eq!(status, 400, "{days} {times} {lang}: {body}");
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(links::list(&server.state, &setup_owner(), DEMO_FORM_ID, None).await.unwrap().is_empty());
    assert_eq!(outbox_len(&server).await, 0);
    assert!(sink.received().is_empty());
    assert!(audited(&server, audit::Action::LinkMailsQueued).await.is_empty());

    // Without a mail server: refused, saying why; the manual way stays.
    let quiet = crate::common::start().await;
    let cookie = owner_cookie(&quiet).await;
    let (status, body) = call_json(&quiet, &cookie, "check-link-mail", &json!({ "request": bulk(csv, 0, 0) })).await;
    assert_eq!(status, 409, "{body}");
    assert!(body.to_string().contains("sends no mail"), "{body}");
    let (_, page) = quiet.call_fn(Some(&cookie), "links", &[("form", DEMO_FORM_ID), ("status", "")]).await;
    assert!(page.contains("\"mail_server\":null"), "{page}");
}

#[tokio::test]
async fn one_link_by_mail_uses_the_forms_template_and_unknown_variables_are_refused() {
    let sink = SmtpSink::start(&[]);
    let server = start_mailing(&sink, None).await;
    let cookie = owner_cookie(&server).await;
    let (status, body) = save_template(&server, &cookie, "de", "Hallo {kunde}", "{anrede} {link}").await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("Subject: {kunde} is not a variable") && body.contains("text: {anrede} is not a variable"));
    let (status, _) = save_template(&server, &cookie, "de", "Ihr Link", "Kein Link").await;
    assert_eq!(status, 400, "the text needs {{link}}");
    let text = "Bitte hier: {link} (bis {expires}, {controller})";
    let (status, body) = save_template(&server, &cookie, "de", "Für {recipient}: {form}", text).await;
    assert_eq!(status, 200, "{body}");
    let (status, templates) = server.call_fn(Some(&cookie), "link-mail-templates", &[("form", DEMO_FORM_ID)]).await;
    assert_eq!(status, 200);
    let templates: Value = serde_json::from_str(&templates).unwrap();
    let de = templates["items"].as_array().unwrap().iter().find(|t| t["lang"] == "de").unwrap().clone();
    assert_eq!((de["custom"].clone(), de["subject"].clone()), (json!(true), json!("Für {recipient}: {form}")));
    assert!(templates["items"].as_array().unwrap().iter().any(|t| t["lang"] == "en" && t["custom"] == false));

    let request = json!({
        "form": DEMO_FORM_ID, "label": "Frau Meier", "note": "", "prefill": "{\"name\":\"Erika Meier\"}",
        "to": "erika@example.org", "csv": "", "address_column": "", "locked": "name", "single_use": true,
        "days": 10, "lang": "de", "remind_days": 0, "remind_times": 0,
    });
    let (status, check) = call_json(&server, &cookie, "check-link-mail", &json!({ "request": request })).await;
    assert_eq!(status, 200, "{check}");
    assert_eq!((check["count"].clone(), check["first"][0]["to"].clone()), (json!(1), json!("erika@example.org")));
    assert!(check["first"][0]["subject"].as_str().unwrap().starts_with("Für Frau Meier: "), "{check}");
    let (status, sent) =
        call_json(&server, &cookie, "send-link-mail", &json!({ "request": request, "confirm": 1 })).await;
    assert_eq!(status, 200, "{sent}");
    let mail = sink.wait_for(1).await[0].clone();
    let (id, secret) = link_in(&mail);
    assert_eq!(sent["url"].as_str().unwrap(), format!("{}/f/{id}#{secret}", server.base), "the same link to copy");
    assert!(mail.text().contains("Café Formseal (demo)") && mail.text().contains("Uhr (UTC)"), "{}", mail.text());
    // The link carries its prefill and lock as any other.
    let prefill = server.state.store().link_prefill(&id).await.unwrap().unwrap();
    assert_eq!((prefill.answers["name"].clone(), prefill.locked), (json!("Erika Meier"), vec!["name".to_owned()]));
    assert_eq!(audited(&server, audit::Action::LinkMailTemplateChanged).await.len(), 1);
    assert_eq!(audited(&server, audit::Action::LinkCreated).await.len(), 1);

    // Back to the default.
    let args = [("form", DEMO_FORM_ID), ("lang", "de"), ("subject", ""), ("text", ""), ("reset", "true")];
    assert_eq!(server.call_fn(Some(&cookie), "save-link-mail-template", &args).await.0, 200);
    let (_, templates) = server.call_fn(Some(&cookie), "link-mail-templates", &[("form", DEMO_FORM_ID)]).await;
    assert!(!templates.contains("\"custom\":true"), "{templates}");
}

async fn save_template(server: &TestServer, cookie: &str, lang: &str, subject: &str, text: &str) -> (u16, String) {
    let args = [("form", DEMO_FORM_ID), ("lang", lang), ("subject", subject), ("text", text), ("reset", "false")];
    server.call_fn(Some(cookie), "save-link-mail-template", &args).await
}

/// Signs the demo form's answers with a personal link's key.
fn signed_by_link(version: &str, link: &str, secret: &str, seed: u64) -> Value {
    let mut envelope = envelope(version, good_answers(), seed);
    envelope.link = Some(link.to_owned());
    let request = SubmissionRequest::sign(&envelope, &key_from_secret(secret).unwrap()).unwrap();
    serde_json::to_value(request).unwrap()
}

#[tokio::test]
async fn reminders_go_only_to_open_unused_links_at_most_m_times_and_the_secret_goes_with_the_link() {
    let sink = SmtpSink::start(&[]);
    // A reminder "day" of 3 s: time enough to use and revoke links before the first.
    let server = start_mailing(&sink, Some(3000)).await;
    let cookie = owner_cookie(&server).await;
    let csv = "label,email\nUsed,used@example.org\nRevoked,revoked@example.org\nEnded,ended@example.org\nOpen,open@example.org\n";
    let body = json!({ "request": bulk(csv, 1, 2), "confirm": 4 });
    let (status, sent) = call_json(&server, &cookie, "send-link-mail", &body).await;
    assert_eq!(status, 200, "{sent}");
    let first = sink.wait_for(4).await;
    let link_of = |to: &str| link_in(first.iter().find(|m| m.to == vec![to.to_owned()]).unwrap());
    let (used, used_secret) = link_of("used@example.org");
    let (revoked, _) = link_of("revoked@example.org");
    let (ended, _) = link_of("ended@example.org");
    let (open, open_secret) = link_of("open@example.org");

    // Kept for the reminders: sealed, never the secret itself (and the mails' texts
    // left the outbox with the mails).
    settled(&server).await;
    let dump = server.state.store().dump_all_tables().await.unwrap();
    let kept = server.state.store().reminder(&open).await.unwrap().unwrap();
    assert_eq!((kept.left, kept.sent), (2, 0));
    assert!(!dump.contains(&open_secret) && !dump.contains(&used_secret), "a secret is stored in plain text");
    let seal_key = server.state.keys.link_seal_key().unwrap();
    assert_eq!(links::sealed::open(&seal_key, &open, &kept.sealed).unwrap(), open_secret);

    // Used, revoked, ended: each takes its sealed secret with it at once.
    let version = server.form(DEMO_FORM_ID).await.version;
    let (status, receipt) = server.post(DEMO_FORM_ID, &signed_by_link(&version, &used, &used_secret, 7001)).await;
    assert_eq!(status, 201, "{receipt}");
    assert!(server.state.store().reminder(&used).await.unwrap().is_none(), "used: the secret is gone");
    links::revoke(&server.state, &setup_owner(), &revoked).await.unwrap();
    assert!(server.state.store().reminder(&revoked).await.unwrap().is_none(), "revoked: the secret is gone");
    links::extend(&server.state, &setup_owner(), &ended, 0).await.unwrap();
    assert!(server.state.store().reminder(&ended).await.unwrap().is_some(), "still there until the sweep");
    links::erase_expired_prefill(&server.state).await.unwrap();
    assert!(server.state.store().reminder(&ended).await.unwrap().is_none(), "expired: the secret is gone");

    // The open link: reminded twice (its own link again), then no more.
    let all = sink.wait_for(6).await;
    let reminders: Vec<&Received> = all.iter().skip(4).collect();
    for reminder in &reminders {
        assert_eq!(reminder.to, vec!["open@example.org"]);
        assert!(reminder.header("Subject").unwrap().starts_with("Reminder: "), "{:?}", reminder.header("Subject"));
        assert_eq!(link_in(reminder), (open.clone(), open_secret.clone()), "the same link");
    }
    tokio::time::sleep(Duration::from_millis(4000)).await;
    let all = sink.received();
    assert_eq!(
        all.len(),
        6,
        "at most two reminders, and only to the open link: {:?}",
        all.iter().map(|m| &m.to).collect::<Vec<_>>()
    );
    assert!(server.state.store().reminder(&open).await.unwrap().is_none(), "after the last: the secret is gone");
    let dump = server.state.store().dump_all_tables().await.unwrap();
    assert!(!dump.contains(&kept.sealed), "the sealed secret is gone");

    let listed = links::list(&server.state, &setup_owner(), DEMO_FORM_ID, None).await.unwrap();
    let status_of = |id: &str| listed.iter().find(|l| l.link_id == id).unwrap().mail.clone().unwrap();
    assert_eq!(status_of(&open).reminders, 2);
    assert_eq!(status_of(&used).reminders, 0);
    assert_eq!(audited(&server, audit::Action::LinkReminderQueued).await.len(), 2);
}
