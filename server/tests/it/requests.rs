//! Data-subject requests: the person is found by each key type across three forms
//! (and nobody else is), the report holds exactly the included hits, erasure
//! leaves no personal value anywhere in the store, rectification is signed and
//! linked to the original.

use crate::common::JsonResponse;
use formseal_core::accounts::{self, Operator, Role};
use formseal_core::requests::{self, Criteria, RequestInput};
use formseal_model::correction::SignedCorrection;
use formseal_model::demo::{self, DEMO_FORM_ID};
use formseal_model::{DataClass, DateBound, Field, FieldKind, LocalText};
use serde_json::{Value, json};

use crate::common::{TestServer, envelope_for, prove, sign, start};

const PASSWORD: &str = "correct horse battery staple";

fn field(key: &str, kind: FieldKind) -> Field {
    Field {
        key: key.into(),
        label: LocalText::new(key, key),
        help: None,
        placeholder: None,
        required: false,
        class: DataClass::Personal,
        visible_if: None,
        required_if: None,
        kind,
    }
}

fn text() -> FieldKind {
    FieldKind::ShortText { min_len: None, max_len: Some(200), pattern: None }
}

/// Publishes a form with these fields (the demo's notice); returns its version.
async fn publish(server: &TestServer, id: &str, fields: Vec<Field>) -> String {
    let state = &server.state;
    formseal_core::forms::create(state, &crate::common::setup_owner(), "blank", id, id).await.unwrap();
    let mut def = demo::contact_tracing();
    def.id = id.into();
    def.fields = fields;
    formseal_core::forms::save_draft(state, &crate::common::setup_owner(), id, &def, &["*".into()]).await.unwrap();
    formseal_core::forms::publish_draft(state, &crate::common::setup_owner(), id).await.unwrap();
    server.form(id).await.version
}

async fn submit(server: &TestServer, form: &str, version: &str, answers: Value, seed: u64) -> String {
    let answers = serde_json::from_value(answers).unwrap();
    let request = prove(&server.client, &server.base, form, &sign(&envelope_for(form, version, answers, seed))).await;
    let (status, body) = server.post(form, &serde_json::to_value(&request).unwrap()).await;
    assert_eq!(status, 201, "{body}");
    body["receipt"]["submission"].as_str().unwrap().to_owned()
}

fn dpo() -> Operator {
    Operator { username: "dpo".into(), role: Role::Dpo, forms: vec![], personal_forms: vec![] }
}

/// Anna in three forms, Ada and Ben beside her.
struct People {
    demo: String,
    customer: String,
    lead: String,
    others: Vec<String>,
}

async fn people(server: &TestServer) -> People {
    let today = chrono::Utc::now().date_naive().to_string();
    let demo_version = server.form(DEMO_FORM_ID).await.version;
    let birth = FieldKind::Date { min: Some(DateBound::Date("1900-01-01".into())), max: None };
    let customers = publish(
        server,
        "customers",
        vec![field("name", text()), field("email", FieldKind::Email), field("birth_date", birth)],
    )
    .await;
    let leads = publish(server, "leads", vec![field("name", text()), field("email", FieldKind::Email)]).await;
    let visit = |name: &str, phone: &str| {
        json!({
            "name": name, "address": "Musterstraße 1\n10115 Berlin", "phone": phone,
            "visit_date": today, "visit_time": format!("{today}T18:30"),
        })
    };
    let demo = submit(server, DEMO_FORM_ID, &demo_version, visit("Anna Müller", "+4917612345678"), 1).await;
    let customer = submit(
        server,
        "customers",
        &customers,
        json!({"name": "Müller, Anna", "email": "anna@example.org", "birth_date": "1990-04-01"}),
        2,
    )
    .await;
    let lead = submit(server, "leads", &leads, json!({"name": "Anna M.", "email": "ANNA@Example.org"}), 3).await;
    let others = vec![
        submit(server, DEMO_FORM_ID, &demo_version, visit("Ada Lovelace", "+49301234567"), 4).await,
        submit(server, "leads", &leads, json!({"name": "Ben", "email": "ben@example.org"}), 5).await,
        // Same name, another birth date: another person.
        submit(
            server,
            "customers",
            &customers,
            json!({"name": "ANNA MÜLLER", "email": "anna2@example.org", "birth_date": "1985-02-02"}),
            6,
        )
        .await,
    ];
    People { demo, customer, lead, others }
}

async fn register(server: &TestServer) -> String {
    let input = RequestInput {
        requester: "Letter of 20 November".into(),
        contact: "by post".into(),
        received_on: "2026-11-20".into(),
        identity_check: "signature compared with the contract".into(),
    };
    requests::register(&server.state, &dpo(), &input).await.unwrap()
}

fn hits_of(entries: &[formseal_model::access_report::ReportEntry]) -> Vec<String> {
    let mut ids: Vec<String> = entries.iter().map(|e| e.submission.clone()).collect();
    ids.sort();
    ids
}

fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}

#[tokio::test]
async fn the_person_is_found_by_each_key_across_forms_and_nobody_else() {
    let server = start().await;
    let p = people(&server).await;
    let state = &server.state;
    let by = |email: &str, phone: &str, name: &str, birth: &str| Criteria {
        email: email.into(),
        phone: phone.into(),
        name: name.into(),
        birth_date: birth.into(),
    };
    let cases = [
        (by("Anna@example.org", "", "", ""), vec![p.customer.clone(), p.lead.clone()]),
        (by("", "+49 176 12345678", "", ""), vec![p.demo.clone()]),
        (by("", "", "anna müller", "1990-04-01"), vec![p.customer.clone()]),
        (
            by("anna@example.org", "0049 176 1234 5678", "Anna Müller", "1990-04-01"),
            vec![p.demo.clone(), p.customer.clone(), p.lead.clone()],
        ),
    ];
    for (criteria, expected) in cases {
        let id = register(&server).await;
        requests::search(state, &dpo(), &id, &criteria).await.unwrap();
        let entries = requests::entries(state, &dpo(), &id, "en").await.unwrap();
        assert_eq!(hits_of(&entries), sorted(expected), "{criteria:?}");
        assert!(entries.iter().all(|e| !p.others.contains(&e.submission)));
    }
    let id = register(&server).await;
    // Unusable criteria get a clear refusal.
    for bad in [by("", "", "", ""), by("", "", "Anna Müller", ""), by("", "0176 123", "", "")] {
        let e = requests::search(state, &dpo(), &id, &bad).await.unwrap_err();
        assert_eq!(e.status(), 400, "{bad:?}: {e}");
    }
    // Only the owner and the DPO handle requests.
    let viewer = Operator { username: "v".into(), role: Role::Viewer, ..dpo() };
    assert_eq!(
        requests::search(state, &viewer, &id, &by("anna@example.org", "", "", "")).await.unwrap_err().status(),
        403
    );
    // The search is audited without the values searched for.
    let audit = state.store().audit_range(1, 1000).await.unwrap();
    let text = serde_json::to_string(&audit).unwrap();
    assert!(text.contains("request_searched"));
    assert!(!text.contains("anna@example.org") && !text.contains("12345678") && !text.contains("1990-04-01"));
}

/// Every record of every table, as text.
async fn whole_store(server: &TestServer) -> String {
    server.state.store().dump_all_tables().await.unwrap()
}

#[tokio::test]
async fn review_report_and_erasure_leave_nothing_of_the_person() {
    let server = start().await;
    let p = people(&server).await;
    let state = &server.state;
    let id = register(&server).await;
    let criteria = Criteria {
        email: "anna@example.org".into(),
        phone: "+4917612345678".into(),
        name: "Anna Müller".into(),
        birth_date: "1990-04-01".into(),
    };
    assert_eq!(requests::search(state, &dpo(), &id, &criteria).await.unwrap(), 3);

    // Rectification: signed, linked to the original, which stays as signed.
    requests::rectify(state, &dpo(), &id, &p.customer, "email", " Anna.New@example.org ", "new address").await.unwrap();
    let bad = requests::rectify(state, &dpo(), &id, &p.customer, "email", "not-an-address", "x").await.unwrap_err();
    assert_eq!(bad.status(), 422, "{bad}");
    let stored = state.store().corrections(&p.customer).await.unwrap();
    assert_eq!(stored.len(), 1);
    let signed: SignedCorrection = serde_json::from_value(stored[0].clone()).unwrap();
    assert!(signed.verify(&state.keys.find(&signed.key).unwrap().verifying_key()).is_ok());
    assert_eq!(signed.correction.value, json!("Anna.New@example.org"), "trimmed as the form does");
    let row = state.store().submission(&p.customer).await.unwrap().unwrap();
    assert_eq!(signed.correction.envelope, row.envelope_digest);
    assert_eq!(row.envelope.unwrap()["answers"]["email"], "anna@example.org", "the signed original is unchanged");
    // The integrity check verifies the correction; the JSON export carries it.
    let checked = formseal_core::verify::verify_form(state, "customers").await.unwrap();
    assert_eq!(checked.outcome.as_ref().map(|s| s.corrections), Ok(1), "{:?}", checked.outcome);
    let doc = formseal_core::export::document(state, "customers", false).await.unwrap();
    let exported = doc.submissions.iter().find(|s| s.id == p.customer).unwrap();
    assert_eq!(exported.corrections, vec![signed.clone()]);
    let compact = formseal_core::export::document(state, "customers", true).await.unwrap();
    assert!(compact.submissions.iter().all(|s| s.corrections.is_empty()), "no corrected values in compact exports");
    // The corrected address finds her too.
    let again = register(&server).await;
    let found = Criteria { email: "anna.new@example.org".into(), ..Criteria::default() };
    assert_eq!(requests::search(state, &dpo(), &again, &found).await.unwrap(), 1);

    // Review: the lead is excluded, with a note.
    requests::decide(state, &dpo(), &id, &p.lead, false, "other person, same address").await.unwrap();
    let report = requests::report(state, &dpo(), &id, "de").await.unwrap();
    assert_eq!(hits_of(&report.entries), sorted(vec![p.demo.clone(), p.customer.clone()]));
    let html = formseal_model::access_report::to_html(&report);
    let json = serde_json::to_string(&report).unwrap();
    for text in [&html, &json] {
        assert!(text.contains("Anna Müller") && text.contains("Müller, Anna") && text.contains("+4917612345678"));
        assert!(text.contains("Anna.New@example.org"), "the correction is reported");
        assert!(!text.contains("Anna M.") && !text.contains(&p.lead), "nothing excluded");
    }
    assert!(html.contains("Auskunft") && html.contains("Rechtsgrundlage"));
    assert_eq!(
        report.entries.iter().find(|e| e.submission == p.demo).unwrap().legal_basis,
        "Rechtliche Verpflichtung (Art. 6 Abs. 1 lit. c DSGVO)"
    );

    // A legal hold keeps one; the rest is erased with tombstones naming the request.
    requests::decide(state, &dpo(), &id, &p.lead, true, "").await.unwrap();
    formseal_core::retention::set_hold(state, &dpo(), None, Some(&p.lead), Some("court order 12/26")).await.unwrap();
    let done = requests::erase(state, &dpo(), &id).await.unwrap();
    assert_eq!((done.erased, done.already, done.held.clone()), (2, 0, vec![p.lead.clone()]));
    formseal_core::retention::set_hold(state, &dpo(), None, Some(&p.lead), None).await.unwrap();
    let done = requests::erase(state, &dpo(), &id).await.unwrap();
    assert_eq!((done.erased, done.already), (1, 2), "each once");
    for s in [&p.demo, &p.customer, &p.lead] {
        let checked = formseal_core::submissions::checked(state, s).await.unwrap();
        let (t, valid) = checked.deleted.expect("tombstone");
        assert!(valid && t.tombstone.reason == "erasure" && t.tombstone.request.as_deref() == Some(id.as_str()));
    }
    for form in [DEMO_FORM_ID, "customers", "leads"] {
        assert!(formseal_core::submissions::verify_chain(state, form).await.unwrap().intact);
    }

    // Nothing of Anna is left anywhere in the store; the others are untouched.
    let all = whole_store(&server).await;
    for value in
        ["Anna Müller", "Müller, Anna", "Anna M.", "anna@", "ANNA@Example", "Anna.New", "4917612345678", "1990-04-01"]
    {
        if let Some(at) = all.find(value) {
            let line = all[..at].rsplit('\n').next().unwrap_or("").split(':').next().unwrap_or("");
            let from = all[..at].char_indices().rev().nth(150).map_or(0, |(i, _)| i);
            panic!("{value:?} survived the erasure in table {line}: …{}…", &all[from..(at + 60).min(all.len())]);
        }
    }
    assert!(all.contains("Ada Lovelace") && all.contains("ben@example.org") && all.contains("ANNA MÜLLER"));
    let after = register(&server).await;
    assert_eq!(requests::search(state, &dpo(), &after, &criteria).await.unwrap(), 0, "the index forgot her too");
}

#[tokio::test]
async fn the_report_downloads_as_html_and_json_for_the_dpo_only() {
    let server = start().await;
    let p = people(&server).await;
    let id = register(&server).await;
    let criteria = Criteria { email: "anna@example.org".into(), ..Criteria::default() };
    requests::search(&server.state, &dpo(), &id, &criteria).await.unwrap();
    accounts::create_account(&server.state, "privacy", PASSWORD, Role::Dpo).await.unwrap();
    accounts::create_account(&server.state, "editor", PASSWORD, Role::Editor).await.unwrap();
    let dpo_cookie = server.login("privacy", PASSWORD).await;
    let editor_cookie = server.login("editor", PASSWORD).await;
    let get = |path: String, cookie: String| {
        let request = server.client.get(format!("{}{path}", server.base)).header("cookie", cookie);
        async move {
            let res = request.send().await.unwrap();
            let csp = res.headers().get("content-security-policy").map(|v| v.to_str().unwrap().to_owned());
            (res.status().as_u16(), csp, res.text().await.unwrap())
        }
    };
    let (status, csp, html) = get(format!("/admin/requests/{id}/report.html?lang=en"), dpo_cookie.clone()).await;
    assert_eq!(status, 200);
    assert!(csp.unwrap().contains("default-src 'none'"), "the report runs no script");
    assert!(html.contains("Information about your personal data") && html.contains("Müller, Anna"));
    let (status, _, body) = get(format!("/admin/requests/{id}/report.json?lang=de"), dpo_cookie).await;
    assert_eq!(status, 200);
    let report: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(report["lang"], "de");
    assert_eq!(report["entries"].as_array().unwrap().len(), 2);
    assert!(body.contains(&p.customer) && body.contains(&p.lead) && !body.contains(&p.demo));
    let (status, _, body) = get(format!("/admin/requests/{id}/report.html"), editor_cookie).await;
    assert_eq!(status, 403, "{body}");
    assert!(!body.contains("Anna"));
    let (status, _, _) = get(format!("/admin/requests/{id}/report.json"), "formseal_session=none".into()).await;
    assert_eq!(status, 401);

    // A correction shows on the submission's console page, signed and valid.
    requests::rectify(&server.state, &dpo(), &id, &p.lead, "name", "Anna Maria M.", "full name given").await.unwrap();
    let res = server
        .client
        .post(format!("{}/admin/fn/submission", server.base))
        .header("cookie", server.login("privacy", PASSWORD).await)
        .form(&[("id", p.lead.as_str())])
        .send()
        .await
        .unwrap();
    let detail: Value = res.json().await.unwrap();
    let corrections = detail["corrections"].as_array().unwrap();
    assert_eq!(corrections.len(), 1, "{detail}");
    assert_eq!(
        (corrections[0]["value"].as_str(), corrections[0]["valid"].as_bool()),
        (Some("Anna Maria M."), Some(true))
    );
}

#[tokio::test]
async fn the_register_computes_due_dates_and_refuses_bad_input() {
    let server = start().await;
    let state = &server.state;
    let id = register(&server).await;
    let row = requests::get(state, &dpo(), &id).await.unwrap();
    assert_eq!(
        (row.received_on.as_str(), row.due_on.as_str(), row.status.as_str()),
        ("2026-11-20", "2026-12-20", "received")
    );
    let jan31 = chrono::NaiveDate::from_ymd_opt(2027, 1, 31).unwrap();
    assert_eq!(requests::due_on(jan31).to_string(), "2027-02-28");
    for bad in [
        RequestInput { requester: " ".into(), received_on: "2026-11-20".into(), ..RequestInput::default() },
        RequestInput { requester: "x".into(), received_on: "20.11.2026".into(), ..RequestInput::default() },
        RequestInput { requester: "x".into(), received_on: "2999-01-01".into(), ..RequestInput::default() },
    ] {
        assert_eq!(requests::register(state, &dpo(), &bad).await.unwrap_err().status(), 400, "{bad:?}");
    }
    requests::set_status(state, &dpo(), &id, "answered").await.unwrap();
    let row = requests::get(state, &dpo(), &id).await.unwrap();
    assert_eq!((row.status.as_str(), row.answered_by.as_deref()), ("answered", Some("dpo")));
    assert_eq!(requests::set_status(state, &dpo(), &id, "lost").await.unwrap_err().status(), 400);
    assert_eq!(requests::get(state, &dpo(), "no-such").await.unwrap_err().status(), 404);
}
