//! The designer's server functions over real HTTP: create, draft, publish with
//! definition checks, versions, the rule for retired versions, archive, roles.

use crate::common::{JsonBody, JsonResponse};
use formseal_core::permissions::Role;
use formseal_model::{Answers, FormDef, PublishedVersion};
use serde_json::{Value, json};

use crate::common::{TestServer, envelope_for, prove, sign, start, start_custom};

const PASSWORD: &str = "correct horse battery staple";

async fn session(server: &TestServer, user: &str, role: Role) -> String {
    formseal_core::accounts::create_account(&server.state, user, PASSWORD, role).await.unwrap();
    server.login(user, PASSWORD).await
}

/// Calls a server function; form-encoded unless `json` is given.
async fn call(
    server: &TestServer,
    cookie: &str,
    name: &str,
    form: &[(&str, &str)],
    json: Option<Value>,
) -> (u16, Value) {
    let request = server.client.post(format!("{}/admin/fn/{name}", server.base)).header("cookie", cookie);
    let request = match json {
        Some(body) => request.json(&body),
        None => request.form(form),
    };
    let res = request.send().await.unwrap();
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

fn filled(mut definition: FormDef) -> FormDef {
    definition.notice.controller.name = "Example GmbH".into();
    definition.notice.controller.address = "Musterstraße 1, 10115 Berlin".into();
    definition.notice.controller.contact = "privacy@example.com".into();
    definition
}

fn lead_answers() -> Answers {
    [
        ("name", json!("Grace Hopper")),
        ("email", json!("grace@example.com")),
        ("consent", json!({"accepted": true, "text": "I agree to be contacted by e-mail about my enquiry."})),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

async fn submit(server: &TestServer, form: &str, version: &str, seed: u64) -> (u16, Value) {
    let signed = sign(&envelope_for(form, version, lead_answers(), seed));
    let request = prove(&server.client, &server.base, form, &signed).await;
    server.post(form, &serde_json::to_value(&request).unwrap()).await
}

#[tokio::test]
async fn an_editor_creates_drafts_and_publishes_versions_that_take_submissions() {
    let server = start().await;
    let editor = session(&server, "editor1", Role::Editor).await;

    let (status, id) =
        call(&server, &editor, "create-form", &[("start", "lead_form"), ("id", "leads"), ("title", "Leads")], None)
            .await;
    assert_eq!((status, id.as_str()), (200, Some("leads")));
    // The id is taken now.
    let (status, body) =
        call(&server, &editor, "create-form", &[("start", "blank"), ("id", "leads"), ("title", "Again")], None).await;
    assert_eq!(status, 409, "{body}");
    let (status, body) =
        call(&server, &editor, "create-form", &[("start", "blank"), ("id", "Not An Id"), ("title", "x")], None).await;
    assert_eq!(status, 400, "{body}");

    // Not published yet: visitors cannot load it.
    let res = server.client.get(format!("{}/api/v1/forms/leads", server.base)).send().await.unwrap();
    assert_eq!(res.status(), 404);

    // Publishing the template as it is fails on what the operator still has to say.
    let (status, result) = call(&server, &editor, "publish", &[("id", "leads")], None).await;
    assert_eq!(status, 200);
    assert!(result["version"].is_null());
    let settings: Vec<&str> =
        result["problems"].as_array().unwrap().iter().filter_map(|p| p["setting"].as_str()).collect();
    assert!(settings.contains(&"notice.controller.name"), "{settings:?}");

    // Autosave keeps a draft with problems (nothing typed is lost) ...
    let (_, data) = call(&server, &editor, "designer", &[("id", "leads")], None).await;
    let mut draft: FormDef = serde_json::from_value(data["definition"].clone()).unwrap();
    draft.fields[0].key = "email".into(); // a duplicate key
    let (status, body) = call(
        &server,
        &editor,
        "save-draft",
        &[],
        Some(json!({"id": "leads", "definition": draft, "origins": ["https://shop.example"]})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (_, data) = call(&server, &editor, "designer", &[("id", "leads")], None).await;
    assert_eq!(data["definition"]["fields"][0]["key"], "email");
    assert_eq!(data["origins"], json!(["https://shop.example"]));
    // ... and publishing names the field.
    let (_, result) = call(&server, &editor, "publish", &[("id", "leads")], None).await;
    assert!(
        result["problems"].as_array().unwrap().iter().any(|p| p["field"] == 1 && p["setting"] == "key"),
        "{result}"
    );

    // A draft for another form, or a bad origin, is refused.
    let (status, _) =
        call(&server, &editor, "save-draft", &[], Some(json!({"id": "other", "definition": draft, "origins": []})))
            .await;
    assert_eq!(status, 400);
    draft.fields[0].key = "name".into();
    let draft = filled(draft);
    let (_, _) = call(
        &server,
        &editor,
        "save-draft",
        &[],
        Some(json!({"id": "leads", "definition": draft, "origins": ["shop.example/path"]})),
    )
    .await;
    let (_, result) = call(&server, &editor, "publish", &[("id", "leads")], None).await;
    assert_eq!(result["problems"][0]["setting"], "origins", "{result}");

    call(
        &server,
        &editor,
        "save-draft",
        &[],
        Some(json!({"id": "leads", "definition": draft, "origins": ["https://shop.example"]})),
    )
    .await;
    let (_, result) = call(&server, &editor, "publish", &[("id", "leads")], None).await;
    let first = result["version"].as_str().expect("published").to_owned();
    let live: PublishedVersion =
        server.client.get(format!("{}/api/v1/forms/leads", server.base)).send().await.unwrap().json().await.unwrap();
    assert_eq!(live.version, first);
    assert_eq!(submit(&server, "leads", &first, 1).await.0, 201);

    // A second version; the first still takes submissions during the grace period.
    let mut second_draft = draft.clone();
    second_draft.fields[0].required = false;
    call(
        &server,
        &editor,
        "save-draft",
        &[],
        Some(json!({"id": "leads", "definition": second_draft, "origins": ["https://shop.example"]})),
    )
    .await;
    let (_, result) = call(&server, &editor, "publish", &[("id", "leads")], None).await;
    let second = result["version"].as_str().unwrap().to_owned();
    assert_ne!(first, second);
    assert_eq!(submit(&server, "leads", &first, 2).await.0, 201);
    assert_eq!(submit(&server, "leads", &second, 3).await.0, 201);

    let (_, data) = call(&server, &editor, "designer", &[("id", "leads")], None).await;
    let versions = data["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!((versions[0]["digest"].as_str(), versions[0]["current"].as_bool()), (Some(second.as_str()), Some(true)));
    assert!(versions[1]["retired_at"].is_string());
    assert_eq!(versions[0]["changes"], json!(["Changed field “Full name” (name): now optional."]));

    // Submissions keep pointing at the version they answered.
    let page = server.state.store().submissions_page("leads", 0, 10).await.unwrap();
    let answered: Vec<&str> = page.iter().map(|s| s.version.as_str()).collect();
    assert_eq!(answered, vec![second.as_str(), first.as_str(), first.as_str()]);

    // Spam protection per form: the next challenge carries the form's difficulty.
    let (status, body) = call(&server, &editor, "spam-protection", &[("id", "leads"), ("bits", "12")], None).await;
    assert_eq!(status, 200, "{body}");
    let challenge: Value = server
        .client
        .get(format!("{}/api/v1/forms/leads/challenge", server.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(challenge["challenge"]["difficulty"], 12, "{challenge}");
    let (status, body) = call(&server, &editor, "spam-protection", &[("id", "leads"), ("bits", "99")], None).await;
    assert_eq!(status, 400, "{body}");
    let (_, data) = call(&server, &editor, "designer", &[("id", "leads")], None).await;
    assert_eq!(data["pow_difficulty"], 12);

    // Archived: the form is gone for visitors, with a clear answer.
    let (status, _) = call(&server, &editor, "archive-form", &[("id", "leads"), ("archived", "true")], None).await;
    assert_eq!(status, 200);
    let res = server.client.get(format!("{}/api/v1/forms/leads", server.base)).send().await.unwrap();
    assert_eq!(res.status(), 410);
    let (status, body) = submit(&server, "leads", &second, 4).await;
    assert_eq!((status, body["error"].as_str()), (410, Some("form_archived")));
    call(&server, &editor, "archive-form", &[("id", "leads"), ("archived", "false")], None).await;
    assert_eq!(submit(&server, "leads", &second, 5).await.0, 201);

    // Duplicate: a new unpublished form with the same fields.
    let (status, id) = call(
        &server,
        &editor,
        "create-form",
        &[("start", "copy:leads"), ("id", "leads-2"), ("title", "Leads 2")],
        None,
    )
    .await;
    assert_eq!((status, id.as_str()), (200, Some("leads-2")));
    let (_, data) = call(&server, &editor, "designer", &[("id", "leads-2")], None).await;
    assert_eq!(data["definition"]["fields"], serde_json::to_value(&second_draft.fields).unwrap());
    assert_eq!(data["definition"]["title"]["en"], "Leads 2");
    assert_eq!(data["versions"], json!([]));
}

#[tokio::test]
async fn a_retired_version_is_refused_once_its_grace_period_is_over() {
    let server = start_custom(|_| "mem://".to_owned(), |args| args.retired_version_grace_hours = 0).await;
    let editor = session(&server, "editor2", Role::Editor).await;
    call(&server, &editor, "create-form", &[("start", "lead_form"), ("id", "quick"), ("title", "Quick")], None).await;
    let (_, data) = call(&server, &editor, "designer", &[("id", "quick")], None).await;
    let draft = filled(serde_json::from_value(data["definition"].clone()).unwrap());
    call(&server, &editor, "save-draft", &[], Some(json!({"id": "quick", "definition": draft, "origins": []}))).await;
    let (_, result) = call(&server, &editor, "publish", &[("id", "quick")], None).await;
    let old = result["version"].as_str().unwrap().to_owned();
    let signed = sign(&envelope_for("quick", &old, lead_answers(), 10));
    let stored = serde_json::to_value(prove(&server.client, &server.base, "quick", &signed).await).unwrap();
    let (status, first) = server.post("quick", &stored).await;
    assert_eq!(status, 201);

    let mut newer = draft.clone();
    newer.notice.retention_days = 30;
    call(&server, &editor, "save-draft", &[], Some(json!({"id": "quick", "definition": newer, "origins": []}))).await;
    call(&server, &editor, "publish", &[("id", "quick")], None).await;
    let (status, body) = submit(&server, "quick", &old, 11).await;
    assert_eq!((status, body["error"].as_str()), (410, Some("version_retired")), "{body}");
    assert!(body["message"].as_str().unwrap().contains("reload the page"));
    // A retry of what was stored before still gets its first receipt.
    let (status, again) = server.post("quick", &stored).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["receipt"], first["receipt"]);
}

#[tokio::test]
async fn viewers_cannot_design_and_nobody_without_a_session_can() {
    let server = start().await;
    let viewer = session(&server, "viewer9", Role::Viewer).await;
    for (name, args) in [
        ("create-form", vec![("start", "blank"), ("id", "sneaky"), ("title", "x")]),
        ("designer", vec![("id", "contact-tracing")]),
        ("publish", vec![("id", "contact-tracing")]),
        ("archive-form", vec![("id", "contact-tracing"), ("archived", "true")]),
        ("create-form", vec![("start", "copy:contact-tracing"), ("id", "copy"), ("title", "x")]),
    ] {
        let (status, body) = call(&server, &viewer, name, &args, None).await;
        assert_eq!(status, 403, "{name}: {body}");
        let (_, body) = call(&server, "formseal_session=nothing", name, &args, None).await;
        assert!(body.to_string().contains("Please log in."), "{name}: {body}");
    }
    let draft =
        json!({"id": "contact-tracing", "definition": formseal_model::demo::contact_tracing(), "origins": ["*"]});
    let (status, body) = call(&server, &viewer, "save-draft", &[], Some(draft)).await;
    assert_eq!(status, 403, "{body}");
    assert!(server.state.store().form("sneaky").await.unwrap().is_none());
    assert!(server.state.store().form("copy").await.unwrap().is_none());
}
