//! The permission matrix as a table test: docs/permissions.md against the code,
//! and every console endpoint called as every role over real HTTP.

use crate::common::JsonBody;
use std::collections::BTreeMap;

use formseal_core::accounts::{self, Operator, Role};
use formseal_core::permissions::{Permission, allows};
use formseal_model::demo::DEMO_FORM_ID;
use serde_json::{Value, json};

use crate::common::{TestServer, envelope, good_answers, sign, start};

const PASSWORD: &str = "correct horse battery staple";
const DOC: &str = include_str!("../../../docs/permissions.md");

/// Rows of the markdown table whose first cell starts with `first`.
fn table_rows(first: &str) -> Vec<Vec<String>> {
    DOC.lines()
        .filter(|l| l.starts_with(&format!("| {first}")))
        .map(|l| l.trim_matches('|').split('|').map(|c| c.trim().trim_matches('`').to_owned()).collect())
        .collect()
}

fn permission(name: &str) -> Option<Permission> {
    serde_json::from_value(json!(name)).ok()
}

#[test]
fn the_documented_matrix_is_the_one_in_the_code() {
    let rows = table_rows("`");
    let documented: Vec<&Vec<String>> = rows.iter().filter(|r| permission(&r[0]).is_some()).collect();
    assert_eq!(documented.len(), Permission::ALL.len(), "every permission has a row");
    for row in documented {
        let p = permission(&row[0]).unwrap();
        for (i, role) in Role::ALL.iter().enumerate() {
            let yes = match row[i + 1].as_str() {
                "✓" => true,
                "—" => false,
                other => panic!("cell {other:?} in row {row:?}"),
            };
            assert_eq!(yes, allows(*role, p), "{} / {}", row[0], role.as_str());
        }
    }
}

/// Two personal links of the demo form made before the endpoints are called: one
/// to revoke, one to extend.
static LINKS: std::sync::OnceLock<(String, String)> = std::sync::OnceLock::new();

/// Webhooks of the demo form: one every endpoint works on, and one for each role
/// that may remove one.
static HOOKS: std::sync::OnceLock<(String, BTreeMap<String, String>)> = std::sync::OnceLock::new();

/// Arguments that make each endpoint do its work (form-encoded, or JSON).
fn sample(path: &str, role: Role, submission: &str) -> (Vec<(String, String)>, Option<Value>) {
    let r = role.as_str();
    let form = |pairs: &[(&str, &str)]| pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    match path {
        "/admin/fn/forms"
        | "/admin/fn/accounts"
        | "/admin/fn/audit-verify"
        | "/admin/fn/outbox"
        | "/admin/fn/my-email"
        | "/admin/fn/logout"
        | "/admin/fn/logout-everywhere"
        | "/admin/fn/me"
        | "/admin/fn/keep-alive"
        | "/admin/fn/sessions"
        | "/admin/fn/two-factor-begin"
        | "/admin/fn/retention" => (form(&[("", "")]), None),
        "/admin/fn/verify-integrity" => (form(&[("form", "")]), None),
        "/admin/fn/test-message" => (form(&[("to", "ops@example.org")]), None),
        // Queued (the matrix's mail server refuses connections): sending it again is a no-op.
        "/admin/fn/retry-message" | "/admin/fn/message-attempts" => (form(&[("id", MATRIX_MESSAGE)]), None),
        "/admin/fn/notifications" => (form(&[("form", DEMO_FORM_ID)]), None),
        "/admin/fn/set-notifications" => {
            (Vec::new(), Some(json!({"form": DEMO_FORM_ID, "accounts": [], "include_plain": false, "daily": false})))
        }
        "/admin/fn/webhooks" => (form(&[("form", DEMO_FORM_ID)]), None),
        "/admin/fn/add-webhook" => (
            Vec::new(),
            Some(json!({"form": DEMO_FORM_ID, "url": format!("http://127.0.0.1:1/{r}"),
                        "events": ["submission.created"], "include_answers": false})),
        ),
        "/admin/fn/set-webhook" => {
            (form(&[("id", &HOOKS.get().unwrap().0), ("enabled", "true"), ("include_answers", "false")]), None)
        }
        "/admin/fn/new-webhook-secret" | "/admin/fn/test-webhook" => (form(&[("id", &HOOKS.get().unwrap().0)]), None),
        // Each role that may removes a webhook of its own.
        "/admin/fn/remove-webhook" => {
            let hooks = HOOKS.get().unwrap();
            (form(&[("id", hooks.1.get(r).unwrap_or(&hooks.0))]), None)
        }
        "/admin/fn/set-my-email" => (form(&[("email", &format!("{r}@example.org"))]), None),
        "/admin/fn/forgot-password" => (form(&[("who", "nobody")]), None),
        "/admin/fn/reset-state" => (form(&[("token", "no-such-token")]), None),
        "/admin/fn/reset-password" => {
            (form(&[("token", "no-such-token"), ("new", PASSWORD), ("repeat", PASSWORD)]), None)
        }
        // Partners see the demo form compact: they may take the compact export only
        // (a full one answers 403; server/tests/it/exports.rs checks every role).
        "/admin/forms/{form}/export" => {
            (form(&[("format", "csv"), ("scope", if role == Role::Partner { "compact" } else { "full" })]), None)
        }
        "/admin/fn/links" => (form(&[("form", DEMO_FORM_ID), ("status", "")]), None),
        "/admin/fn/create-link" => (
            form(&[
                ("form", DEMO_FORM_ID),
                ("label", r),
                ("note", ""),
                ("days", "30"),
                ("single_use", "true"),
                ("prefill", r#"{"name":"Ada Lovelace"}"#),
                ("locked", "name"),
            ]),
            None,
        ),
        "/admin/fn/revoke-link" => (form(&[("id", &LINKS.get().unwrap().0)]), None),
        "/admin/fn/extend-link" => (form(&[("id", &LINKS.get().unwrap().1), ("days", "30")]), None),
        "/admin/fn/check-links-csv" | "/admin/fn/import-links-csv" => (
            form(&[
                ("form", DEMO_FORM_ID),
                ("csv", "label,name\nA,Ada Lovelace\n"),
                ("locked", ""),
                ("single_use", "true"),
                ("days", "30"),
            ]),
            None,
        ),
        // The matrix's mail server refuses connections: the mail stays queued.
        "/admin/fn/check-link-mail" | "/admin/fn/send-link-mail" => (
            Vec::new(),
            Some(json!({
                "request": {
                    "form": DEMO_FORM_ID, "label": r, "note": "", "prefill": "{}", "to": format!("{r}@example.org"),
                    "csv": "", "address_column": "", "locked": "", "single_use": true, "days": 30,
                    "lang": "", "remind_days": 1, "remind_times": 1,
                },
                "confirm": 1,
            })),
        ),
        "/admin/fn/link-mail-templates" => (form(&[("form", DEMO_FORM_ID)]), None),
        "/admin/fn/save-link-mail-template" => (
            form(&[
                ("form", DEMO_FORM_ID),
                ("lang", "en"),
                ("subject", "Your link, {recipient}"),
                ("text", "{link}"),
                ("reset", "false"),
            ]),
            None,
        ),
        "/admin/fn/legal-hold" => (form(&[("form", DEMO_FORM_ID), ("submission", ""), ("reason", "")]), None),
        "/admin/fn/submissions" => (form(&[("form", DEMO_FORM_ID), ("page", "1")]), None),
        "/admin/fn/submission" => (form(&[("id", submission)]), None),
        "/admin/fn/create-form" => {
            (form(&[("start", "blank"), ("id", &format!("matrix-{r}")), ("title", "Matrix")]), None)
        }
        "/admin/fn/designer" | "/admin/fn/publish" => (form(&[("id", DEMO_FORM_ID)]), None),
        "/admin/fn/spam-protection" => (form(&[("id", DEMO_FORM_ID), ("bits", "")]), None),
        "/admin/fn/funnel" => (form(&[("id", DEMO_FORM_ID)]), None),
        "/admin/fn/funnel-counting" => (form(&[("id", DEMO_FORM_ID), ("counting", "on")]), None),
        "/admin/fn/archive-form" => (form(&[("id", DEMO_FORM_ID), ("archived", "false")]), None),
        "/admin/fn/save-draft" => (
            Vec::new(),
            Some(json!({"id": DEMO_FORM_ID, "definition": formseal_model::demo::contact_tracing(), "origins": ["*"]})),
        ),
        "/admin/fn/invite" => (
            form(&[
                ("username", &format!("invited-by-{r}")),
                ("role", "viewer"),
                ("forms", ""),
                ("personal_forms", ""),
                ("email", &format!("invited-by-{r}@example.org")),
            ]),
            None,
        ),
        "/admin/fn/update-account" => (
            form(&[
                ("username", "target"),
                ("role", "viewer"),
                ("forms", ""),
                ("personal_forms", ""),
                ("disabled", "false"),
            ]),
            None,
        ),
        "/admin/fn/two-factor-enable" => (form(&[("code", "000000")]), None),
        // The right password and a code (no second factor is on: turning it off is a no-op).
        "/admin/fn/two-factor-disable" => (form(&[("password", PASSWORD), ("code", "000000")]), None),
        "/admin/fn/password-state" => (form(&[("", "")]), None),
        // The right current password (a wrong one would count towards the log-in
        // limits of this test's one address), a new one too weak: 400.
        "/admin/fn/change-password" => (form(&[("current", PASSWORD), ("new", "short"), ("repeat", "short")]), None),
        "/admin/fn/audit" => (form(&[("actor", ""), ("action", ""), ("from", ""), ("to", ""), ("page", "1")]), None),
        "/admin/fn/login" | "/admin/fn/unlock" => {
            (form(&[("username", "nobody"), ("password", "wrong wrong wrong")]), None)
        }
        "/admin/fn/invitation" => (form(&[("token", "no-such-token")]), None),
        "/admin/fn/accept-invite" => {
            (form(&[("token", "no-such-token"), ("password", PASSWORD), ("repeat", PASSWORD)]), None)
        }
        "/admin/fn/requests" => (form(&[("", "")]), None),
        "/admin/fn/register-request" => (
            form(&[("requester", "By letter"), ("contact", ""), ("received_on", "2026-01-05"), ("identity_check", "")]),
            None,
        ),
        "/admin/fn/request-review" => (form(&[("id", MATRIX_REQUEST), ("lang", "en")]), None),
        "/admin/fn/search-person" => (
            form(&[("id", MATRIX_REQUEST), ("email", ""), ("phone", "+49301234567"), ("name", ""), ("birth_date", "")]),
            None,
        ),
        // Excluded before the erasure below runs (alphabetical order), so the
        // submission keeps its answers for the endpoints after it.
        "/admin/fn/decide-hit" => {
            (form(&[("id", MATRIX_REQUEST), ("submission", submission), ("include", "false"), ("note", "")]), None)
        }
        "/admin/fn/request-status" => (form(&[("id", MATRIX_REQUEST), ("status", "in_review")]), None),
        "/admin/fn/erase-request" => (form(&[("id", MATRIX_REQUEST)]), None),
        "/admin/fn/rectify" => (
            form(&[
                ("id", MATRIX_REQUEST),
                ("submission", submission),
                ("field", "name"),
                ("value", "Ada King"),
                ("reason", "married name"),
            ]),
            None,
        ),
        "/admin/audit/export" | "/admin/requests/{id}/report.html" | "/admin/requests/{id}/report.json" => {
            (Vec::new(), None)
        }
        other => panic!("no sample arguments for {other}: add them here and a row to docs/permissions.md"),
    }
}

/// The access request the matrix test works on.
const MATRIX_REQUEST: &str = "matrix-request";
/// A message in the outbox the matrix test retries.
const MATRIX_MESSAGE: &str = "matrix-message";

async fn call(server: &TestServer, cookie: &str, path: &str, role: Role, submission: &str) -> u16 {
    let url = format!("{}{}", server.base, path.replace("{id}", MATRIX_REQUEST).replace("{form}", DEMO_FORM_ID));
    let (form, json) = sample(path, role, submission);
    let request = if path == "/admin/audit/export" || path.starts_with("/admin/requests/") {
        server.client.get(url)
    } else {
        let post = server.client.post(url);
        match json {
            Some(body) => post.json(&body),
            None => post.form(&form),
        }
    };
    request.header("cookie", cookie).send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn every_endpoint_as_every_role() {
    // A mail server that refuses every connection: mail is queued, and stays queued.
    let server = crate::common::start_custom(
        |_| "mem://".to_owned(),
        |args| {
            args.smtp_url = Some("smtp://127.0.0.1:1".into());
            args.mail_from = Some("forms@example.org".into());
            // Webhooks to a port where nobody listens.
            args.allow_private_webhooks = true;
        },
    )
    .await;
    let endpoints: BTreeMap<String, String> =
        table_rows("`/admin").into_iter().map(|r| (r[0].clone(), r[1].clone())).collect();

    // A new server function without a row in the matrix fails here.
    let registered: Vec<_> = leptos::server_fn::axum::server_fn_paths().collect();
    assert!(registered.len() >= 25, "the server functions are registered: {registered:?}");
    for (path, _) in registered {
        assert!(endpoints.contains_key(path), "{path} has no row in docs/permissions.md");
    }

    let version = server.form(DEMO_FORM_ID).await.version;
    let (_, receipt) = server.submit(&sign(&envelope(&version, good_answers(), 900))).await;
    let submission = receipt["receipt"]["submission"].as_str().unwrap().to_owned();
    let owner = Operator { username: "setup".into(), role: Role::Owner, forms: vec![], personal_forms: vec![] };
    let link = || formseal_core::links::LinkSpec { days: 30, single_use: true, ..Default::default() };
    let to_revoke = formseal_core::links::create(&server.state, &owner, DEMO_FORM_ID, link()).await.unwrap();
    let to_extend = formseal_core::links::create(&server.state, &owner, DEMO_FORM_ID, link()).await.unwrap();
    let _ = LINKS.set((to_revoke.link_id, to_extend.link_id));
    let hook = |name: String| {
        let (state, owner) = (&server.state, &owner);
        async move {
            let url = format!("http://127.0.0.1:1/{name}");
            let events = ["submission.deleted".to_owned()];
            formseal_core::messages::webhooks::add(state, owner, DEMO_FORM_ID, &url, &events, false)
                .await
                .unwrap()
                .0
                .webhook_id
        }
    };
    let mut own_hooks = BTreeMap::new();
    for role in Role::ALL.into_iter().filter(|r| allows(*r, Permission::ManageMessages)) {
        own_hooks.insert(role.as_str().to_owned(), hook(format!("remove-{}", role.as_str())).await);
    }
    let _ = HOOKS.set((hook("shared".into()).await, own_hooks));
    accounts::create_account(&server.state, "target", PASSWORD, Role::Viewer).await.unwrap();
    let request = formseal_core::store::NewRequest {
        request_id: MATRIX_REQUEST.into(),
        requester: "By letter".into(),
        contact: String::new(),
        received_on: "2026-01-05".into(),
        due_on: "2026-02-05".into(),
        identity_check: String::new(),
        created_by: "setup".into(),
        created_ms: 0,
    };
    server.state.store().create_request(&request).await.unwrap();
    let now = formseal_core::time::now_ms();
    let message = formseal_core::store::NewMessage {
        message_id: MATRIX_MESSAGE.into(),
        kind: "mail".into(),
        purpose: "test".into(),
        form_id: None,
        link_id: None,
        webhook_id: None,
        submission_id: None,
        to_address: Some("ops@example.org".into()),
        to_account: None,
        subject: "Test".into(),
        body_text: "Test".into(),
        body_html: None,
        created_ms: now,
        give_up_ms: now + 86_400_000,
        created_by: "setup".into(),
    };
    server.state.store().enqueue(&[message]).await.unwrap();
    server.state.store().add_hits(MATRIX_REQUEST, &[(submission.clone(), DEMO_FORM_ID.into())], "phone").await.unwrap();
    for role in Role::ALL {
        accounts::create_account(&server.state, &format!("as-{}", role.as_str()), PASSWORD, role).await.unwrap();
    }
    accounts::update_account(
        &server.state,
        &owner,
        "as-partner",
        Role::Partner,
        vec![DEMO_FORM_ID.into()],
        vec![],
        false,
    )
    .await
    .unwrap();

    for role in Role::ALL {
        let cookie = server.login(&format!("as-{}", role.as_str()), PASSWORD).await;
        for (path, needs) in &endpoints {
            if path == "/admin/fn/logout" || path == "/admin/fn/logout-everywhere" {
                continue; // ends the session; called last
            }
            let status = call(&server, &cookie, path, role, &submission).await;
            match permission(needs) {
                Some(p) if !allows(role, p) => assert_eq!(status, 403, "{} may not {path}", role.as_str()),
                Some(_) => assert!(status < 400, "{} may {path}, got {status}", role.as_str()),
                // Public and session-only endpoints never answer 403.
                None => assert!(status != 403 && status < 500, "{path} as {}: {status}", role.as_str()),
            }
            // Without a session, only public endpoints do anything.
            if permission(needs).is_some() {
                let status = call(&server, "formseal_session=none", path, role, &submission).await;
                assert_eq!(status, 401, "{path} without session");
            }
        }
        assert!(call(&server, &cookie, "/admin/fn/logout-everywhere", role, &submission).await < 400);
        let after = call(&server, &cookie, "/admin/fn/me", role, &submission).await;
        assert!(after >= 400, "the session ended everywhere");
    }
}

#[tokio::test]
async fn a_partner_sees_only_assigned_forms_without_personal_data() {
    let server = start().await;
    let owner = Operator { username: "setup".into(), role: Role::Owner, forms: vec![], personal_forms: vec![] };
    accounts::create_account(&server.state, "agency", PASSWORD, Role::Partner).await.unwrap();
    accounts::update_account(&server.state, &owner, "agency", Role::Partner, vec![DEMO_FORM_ID.into()], vec![], false)
        .await
        .unwrap();
    let version = server.form(DEMO_FORM_ID).await.version;
    let (_, receipt) = server.submit(&sign(&envelope(&version, good_answers(), 901))).await;
    let submission = receipt["receipt"]["submission"].as_str().unwrap().to_owned();
    // Another form the partner is not assigned to.
    formseal_core::forms::create(&server.state, &crate::common::setup_owner(), "lead_form", "secret-form", "Secret")
        .await
        .unwrap();

    let cookie = server.login("agency", PASSWORD).await;
    let post = |name: &str, args: Vec<(&'static str, String)>| {
        let request = server.client.post(format!("{}/admin/fn/{name}", server.base)).header("cookie", &cookie);
        async move {
            let res = request.form(&args).send().await.unwrap();
            (res.status().as_u16(), res.text().await.unwrap())
        }
    };
    let (_, forms) = post("forms", vec![("", String::new())]).await;
    assert!(forms.contains(DEMO_FORM_ID) && !forms.contains("secret-form"), "{forms}");

    let (status, body) = post("submission", vec![("id", submission.clone())]).await;
    assert_eq!(status, 200, "{body}");
    let detail: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(detail["compact"], true);
    assert!(!body.contains("Ada Lovelace") && !body.contains("+49301234567"), "personal data leaked: {body}");

    // Guessing another form's id looks exactly like a form that does not exist.
    let (guessed, guessed_body) = post("submissions", vec![("form", "secret-form".into()), ("page", "1".into())]).await;
    let (missing, missing_body) =
        post("submissions", vec![("form", "no-such-form".into()), ("page", "1".into())]).await;
    assert_eq!((guessed, missing), (404, 404));
    assert_eq!(guessed_body, missing_body);
    // The same through every other function that takes a form id.
    type Args = Vec<(&'static str, &'static str)>;
    let probes: [(&str, &str, Args); 8] = [
        ("links", "form", vec![("status", "")]),
        (
            "create-link",
            "form",
            vec![
                ("label", ""),
                ("note", ""),
                ("days", "30"),
                ("single_use", "true"),
                ("prefill", "{}"),
                ("locked", ""),
            ],
        ),
        (
            "check-links-csv",
            "form",
            vec![("csv", "label\nx\n"), ("locked", ""), ("single_use", "true"), ("days", "30")],
        ),
        ("link-mail-templates", "form", vec![]),
        (
            "save-link-mail-template",
            "form",
            vec![("lang", "en"), ("subject", "Hi"), ("text", "{link}"), ("reset", "false")],
        ),
        ("funnel", "id", vec![]),
        ("designer", "id", vec![]),
        ("legal-hold", "form", vec![("submission", ""), ("reason", "")]),
    ];
    for (name, key, rest) in probes {
        let with = |form: &'static str| {
            let mut args: Vec<(&'static str, String)> = vec![(key, form.to_owned())];
            args.extend(rest.iter().map(|(k, v)| (*k, (*v).to_owned())));
            args
        };
        let guessed = post(name, with("secret-form")).await;
        let missing = post(name, with("no-such-form")).await;
        assert_eq!(guessed, missing, "{name}: an unassigned form must look like one that does not exist");
        assert!(guessed.0 >= 400, "{name}: {guessed:?}");
    }
    let export = |form: &str| {
        let request = server
            .client
            .post(format!("{}/admin/forms/{form}/export", server.base))
            .header("cookie", &cookie)
            .form(&[("format", "csv"), ("scope", "compact")]);
        async move {
            let res = request.send().await.unwrap();
            (res.status().as_u16(), res.text().await.unwrap())
        }
    };
    assert_eq!(export("secret-form").await, export("no-such-form").await);

    // Granted personal data for the form: the full view.
    accounts::update_account(
        &server.state,
        &owner,
        "agency",
        Role::Partner,
        vec![DEMO_FORM_ID.into()],
        vec![DEMO_FORM_ID.into()],
        false,
    )
    .await
    .unwrap();
    let (_, body) = post("submission", vec![("id", submission)]).await;
    assert!(body.contains("Ada Lovelace"), "{body}");
}
