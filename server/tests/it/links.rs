//! Personal links over real HTTP: keys in the fragment (the secret is never
//! stored), the link page, opening with a signed request, single use under
//! concurrent submits, expiry, revoke, locked prefill, CSV bulk import.

use crate::common::{JsonBody, JsonResponse};
use ed25519_dalek::SigningKey;
use formseal_core::accounts::{Operator, Role};
use formseal_core::links::{self, BulkSettings, LinkSpec};
use formseal_model::link::{SignedLinkOpen, key_from_secret};
use formseal_model::{Answers, Envelope, FieldKind, FormDef, LocalText, SubmissionRequest, b64_encode, templates};
use serde_json::{Value, json};

use crate::common::{TestServer, start};

const FORM: &str = "agreement";

fn owner() -> Operator {
    Operator { username: "ada".into(), role: Role::Owner, forms: vec![], personal_forms: vec![] }
}

/// The customer questionnaire (with a signature) plus a hidden customer number.
async fn publish_form(server: &TestServer) -> String {
    let mut form: FormDef = templates::build("customer_questionnaire", FORM, "Customer agreement").unwrap();
    form.notice.controller.name = "Example GmbH".into();
    form.notice.controller.address = "Musterstraße 1, 10115 Berlin".into();
    form.notice.controller.contact = "privacy@example.com".into();
    form.fields.insert(
        0,
        formseal_model::Field {
            key: "customer".into(),
            label: LocalText::new("Customer number", "Kundennummer"),
            help: None,
            placeholder: None,
            required: true,
            class: formseal_model::DataClass::None,
            visible_if: None,
            required_if: None,
            kind: FieldKind::Hidden,
        },
    );
    formseal_core::forms::publish(&server.state, form, &["*".into()]).await.unwrap().version
}

fn spec(single_use: bool) -> LinkSpec {
    LinkSpec {
        label: Some("K-1001".into()),
        note: Some("met at the counter".into()),
        prefill: [("customer".to_owned(), json!("K-1001")), ("name".to_owned(), json!("Ada Lovelace"))].into(),
        locked: vec!["customer".into()],
        single_use,
        days: 30,
    }
}

/// The link id and its key, from the URL as handed to the operator.
fn parse(url: &str) -> (String, SigningKey) {
    let (path, secret) = url.split_once('#').unwrap();
    let id = path.rsplit('/').next().unwrap().to_owned();
    (id, key_from_secret(secret).unwrap())
}

fn answers() -> Answers {
    [
        ("customer", json!("K-1001")),
        ("name", json!("Ada Lovelace")),
        ("address", json!({"street": "Musterstraße 1", "postcode": "10115", "city": "Berlin", "country": "DE"})),
        ("birth_date", json!("1990-12-10")),
        ("contact_by", json!("mail")),
        (
            "signature",
            json!({"statement": "I confirm that the information above is correct.",
                   "strokes": [[[10, 10, 0, 500], [40, 22, 16, 650], [80, 15, 33, 700]], [[20, 40, 120], [60, 44, 140]]]}),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

fn signed(version: &str, link: &str, key: &SigningKey, answers: Answers, seed: u8) -> SubmissionRequest {
    let envelope = Envelope {
        v: 1,
        form: FORM.into(),
        version: version.into(),
        answers,
        nonce: b64_encode(&[seed; 16]),
        client_time: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        link: Some(link.into()),
    };
    SubmissionRequest::sign(&envelope, key).unwrap()
}

async fn open(server: &TestServer, link: &str, key: &SigningKey) -> (u16, Value) {
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let body = SignedLinkOpen::sign(link, &now, key).unwrap();
    let res = server.client.post(format!("{}/api/v1/links/{link}/open", server.base)).json(&body).send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn post(server: &TestServer, request: &SubmissionRequest) -> (u16, Value) {
    server.post(FORM, &serde_json::to_value(request).unwrap()).await
}

async fn page(server: &TestServer, link: &str) -> (u16, String) {
    let res = server.client.get(format!("{}/f/{link}", server.base)).send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

#[tokio::test]
async fn a_link_opens_prefilled_and_takes_one_signed_submission_whose_secret_is_never_stored() {
    let server = start().await;
    let version = publish_form(&server).await;
    let created = links::create(&server.state, &owner(), FORM, spec(true)).await.unwrap();
    assert!(created.url.starts_with(&format!("{}/f/{}#", server.base, created.link_id)), "{}", created.url);
    let (id, key) = parse(&created.url);
    let secret = created.url.split_once('#').unwrap().1.to_owned();

    // The page: the form's notice, no secret, no stack trace.
    let (status, html) = page(&server, &id).await;
    assert_eq!(status, 200);
    assert!(html.contains("Example GmbH") && html.contains("Contract (GDPR Art. 6(1)(b))"), "{html}");
    assert!(html.contains(&format!("data-link=\"{id}\"")));

    // Opening needs the link's key.
    let stranger = SigningKey::from_bytes(&[9; 32]);
    assert_eq!(open(&server, &id, &stranger).await.0, 403);
    let (status, view) = open(&server, &id, &key).await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["prefill"]["name"], "Ada Lovelace");
    assert_eq!(view["locked"], json!(["customer"]));
    let listed = links::list(&server.state, &owner(), FORM, None).await.unwrap();
    assert_eq!(listed[0].status.as_str(), "opened");
    // A captured opening sent again does not get the prefill a second time.
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let captured = SignedLinkOpen::sign(&id, &now, &key).unwrap();
    let url = format!("{}/api/v1/links/{id}/open", server.base);
    assert_eq!(server.client.post(&url).json(&captured).send().await.unwrap().status(), 200);
    let replay = server.client.post(&url).json(&captured).send().await.unwrap();
    assert_eq!(replay.status(), 409);
    let padded = serde_json::json!({ "open": captured.open, "signature": "x".repeat(5000) });
    assert_eq!(server.client.post(&url).json(&padded).send().await.unwrap().status(), 413);
    assert!(!replay.text().await.unwrap().contains("Ada Lovelace"));

    // Signed with the link's key: stored, no proof of work needed.
    let request = signed(&version, &id, &key, answers(), 1);
    let (status, receipt) = post(&server, &request).await;
    assert_eq!(status, 201, "{receipt}");
    let submission = receipt["receipt"]["submission"].as_str().unwrap().to_owned();
    let stored = server.state.store().submission(&submission).await.unwrap().unwrap();
    assert_eq!(stored.link_id.as_deref(), Some(id.as_str()));
    assert_eq!(stored.public_key, b64_encode(key.verifying_key().as_bytes()));
    // A retry gets the first receipt; a second submission is refused.
    assert_eq!(post(&server, &request).await.0, 200);
    let (status, body) = post(&server, &signed(&version, &id, &key, answers(), 2)).await;
    assert_eq!((status, body["error"].as_str()), (410, Some("link_used")), "{body}");
    let (status, html) = page(&server, &id).await;
    assert_eq!(status, 410);
    assert!(html.contains("This link was already used"), "{html}");
    let listed = links::list(&server.state, &owner(), FORM, None).await.unwrap();
    assert_eq!(listed[0].status.as_str(), "submitted");

    // Nothing stored anywhere holds the secret (in any encoding we use).
    let everything = server.state.store().dump_all_tables().await.unwrap();
    assert!(everything.contains(&id), "the dump covers the link table");
    let seed_hex: String = key.as_bytes().iter().map(|b| format!("{b:02x}")).collect();
    for needle in [secret.as_str(), seed_hex.as_str()] {
        assert!(!everything.contains(needle), "the secret was stored");
    }
    // The single-use link's prefill (personal data) is gone with its use.
    assert!(server.state.store().link_prefill(&id).await.unwrap().is_none());
}

#[tokio::test]
async fn a_link_signed_with_another_key_or_changing_a_locked_answer_is_refused() {
    let server = start().await;
    let version = publish_form(&server).await;
    let created = links::create(&server.state, &owner(), FORM, spec(false)).await.unwrap();
    let (id, key) = parse(&created.url);

    let other = SigningKey::from_bytes(&[3; 32]);
    let (status, body) = post(&server, &signed(&version, &id, &other, answers(), 1)).await;
    assert_eq!(status, 400, "{body}");

    let mut changed = answers();
    changed.insert("customer".into(), json!("K-9999"));
    let (status, body) = post(&server, &signed(&version, &id, &key, changed, 2)).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["fields"][0]["field"], "customer");
    assert_eq!(body["fields"][0]["code"], "locked");
    let mut dropped = answers();
    dropped.remove("customer");
    assert_eq!(post(&server, &signed(&version, &id, &key, dropped, 3)).await.0, 422);

    // Unlocked prefill may be corrected; a multi-use link takes several.
    let mut corrected = answers();
    corrected.insert("name".into(), json!("Ada King"));
    assert_eq!(post(&server, &signed(&version, &id, &key, corrected, 4)).await.0, 201);
    assert_eq!(post(&server, &signed(&version, &id, &key, answers(), 5)).await.0, 201);
}

#[tokio::test]
async fn of_concurrent_submits_over_a_single_use_link_exactly_one_is_accepted() {
    let server = start().await;
    let version = publish_form(&server).await;
    let created = links::create(&server.state, &owner(), FORM, spec(true)).await.unwrap();
    let (id, key) = parse(&created.url);
    let tasks: Vec<_> = (0..12u8)
        .map(|n| {
            let request = signed(&version, &id, &key, answers(), 100 + n);
            let (client, url) = (server.client.clone(), format!("{}/api/v1/forms/{FORM}/submissions", server.base));
            tokio::spawn(async move { client.post(url).json(&request).send().await.unwrap().status().as_u16() })
        })
        .collect();
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    statuses.sort();
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == 201 || *s == 410), "{statuses:?}");
    let stored = server.state.store().submissions_page(FORM, 0, 100).await.unwrap();
    assert_eq!(stored.len(), 1);
}

#[tokio::test]
async fn expired_and_revoked_links_get_a_friendly_page_and_take_nothing() {
    let server = start().await;
    let version = publish_form(&server).await;
    let expiring = links::create(&server.state, &owner(), FORM, spec(true)).await.unwrap();
    let (id, key) = parse(&expiring.url);
    // Ending a link now is "extend by 0 days".
    links::extend(&server.state, &owner(), &id, 0).await.unwrap();
    let (status, html) = page(&server, &id).await;
    assert_eq!(status, 410);
    assert!(html.contains("This link has expired") && html.contains("Example GmbH"), "{html}");
    assert!(!html.contains("panicked") && !html.contains("Error"), "{html}");
    assert_eq!(open(&server, &id, &key).await.0, 410);
    let (status, body) = post(&server, &signed(&version, &id, &key, answers(), 1)).await;
    assert_eq!((status, body["error"].as_str()), (410, Some("link_expired")), "{body}");
    // Extended again, it works.
    links::extend(&server.state, &owner(), &id, 7).await.unwrap();
    assert_eq!(open(&server, &id, &key).await.0, 200);

    let revoked = links::create(&server.state, &owner(), FORM, spec(false)).await.unwrap();
    let (id, key) = parse(&revoked.url);
    links::revoke(&server.state, &owner(), &id).await.unwrap();
    links::revoke(&server.state, &owner(), &id).await.unwrap(); // twice is fine
    assert!(server.state.store().link_prefill(&id).await.unwrap().is_none(), "revoking deletes the prefill");
    let (status, html) = page(&server, &id).await;
    assert_eq!(status, 410);
    assert!(html.contains("This link was withdrawn"), "{html}");
    let (status, body) = post(&server, &signed(&version, &id, &key, answers(), 2)).await;
    assert_eq!((status, body["error"].as_str()), (410, Some("link_revoked")), "{body}");
    assert!(links::extend(&server.state, &owner(), &id, 7).await.is_err());

    let (status, html) = page(&server, "no-such-link").await;
    assert_eq!(status, 404);
    assert!(html.contains("This link does not exist"));

    let only_revoked = links::list(&server.state, &owner(), FORM, Some(links::LinkStatus::Revoked)).await.unwrap();
    assert_eq!(only_revoked.len(), 1);

    // Every link action is in the audit log.
    let audit = server.state.store().audit_range(1, 1000).await.unwrap();
    let actions: Vec<&str> = audit.iter().map(|r| r.action.as_str()).collect();
    for expected in ["link_created", "link_extended", "link_revoked", "link_opened"] {
        assert!(actions.contains(&expected), "{expected} missing in {actions:?}");
    }
}

#[tokio::test]
async fn a_csv_with_bad_rows_names_them_and_creates_nothing() {
    let server = start().await;
    publish_form(&server).await;
    let settings = BulkSettings { locked: vec!["customer".into()], single_use: true, days: 14 };
    let bad = "label,customer,name,birth_date\nA,K-1,Ada Lovelace,1990-01-01\nB,K-2,X,1990-01-02\nC,K-3,Carl Benz,31.12.1990\n";
    let err = links::import_csv(&server.state, &owner(), FORM, bad, &settings).await.unwrap_err().to_string();
    assert!(err.contains("row 3") && err.contains("row 4") && !err.contains("row 2"), "{err}");
    assert!(server.state.store().links_of_form(FORM).await.unwrap().is_empty(), "nothing half-created");

    let unknown = "label,shoe_size\nA,44\n";
    let err = links::import_csv(&server.state, &owner(), FORM, unknown, &settings).await.unwrap_err().to_string();
    assert!(err.contains("shoe_size"), "{err}");

    let good = "label;customer;name\nA;K-1;Ada Lovelace\nB;K-2;Bea Berg\n\n";
    let created = links::import_csv(&server.state, &owner(), FORM, good, &settings).await.unwrap();
    assert_eq!(created.len(), 2);
    let csv = links::links_csv(&created).unwrap();
    assert_eq!(csv.lines().count(), 3, "{csv}");
    assert!(csv.contains(&created[1].url));
    let stored = server.state.store().links_of_form(FORM).await.unwrap();
    assert_eq!(stored.len(), 2);
    let prefill = server.state.store().link_prefill(&created[0].link_id).await.unwrap().unwrap();
    assert_eq!(prefill.answers["customer"], "K-1");
    assert_eq!(prefill.locked, vec!["customer".to_owned()]);
}

#[tokio::test]
async fn viewers_cannot_make_links_and_partners_only_for_their_forms() {
    let server = start().await;
    publish_form(&server).await;
    let viewer = Operator { role: Role::Viewer, ..owner() };
    assert!(matches!(
        links::create(&server.state, &viewer, FORM, spec(true)).await,
        Err(formseal_core::Error::Forbidden)
    ));
    let partner = Operator { role: Role::Partner, forms: vec!["other".into()], ..owner() };
    assert!(matches!(
        links::create(&server.state, &partner, FORM, spec(true)).await,
        Err(formseal_core::Error::NotFound(_))
    ));
    let assigned = Operator { role: Role::Partner, forms: vec![FORM.into()], ..owner() };
    assert!(links::create(&server.state, &assigned, FORM, spec(true)).await.is_ok());

    // Labels and notes name recipients: the compact view (no personal data) lists
    // the links without them; with personal data granted, they are there.
    let listed = links::list(&server.state, &assigned, FORM, None).await.unwrap();
    assert!(!listed.is_empty() && listed.iter().all(|l| l.label.is_none() && l.note.is_none()), "{listed:?}");
    let trusted = Operator { personal_forms: vec![FORM.into()], ..assigned };
    let listed = links::list(&server.state, &trusted, FORM, None).await.unwrap();
    assert!(listed.iter().all(|l| l.label.as_deref() == Some("K-1001") && l.note.is_some()), "{listed:?}");
}
