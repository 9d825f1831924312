use crate::common::JsonResponse;
use formseal_core::permissions::Role;
use formseal_model::demo::DEMO_FORM_ID;
use serde_json::Value;

use crate::common::{TestServer, envelope, good_answers, sign, start};

const PASSWORD: &str = "correct horse battery staple";

/// Calls a console server function as the hydrated page does (form-encoded POST).
async fn call(server: &TestServer, name: &str, cookie: &str, args: &[(&str, &str)]) -> Value {
    let url = format!("{}/admin/fn/{name}", server.base);
    server.client.post(url).header("cookie", cookie).form(args).send().await.unwrap().json().await.unwrap()
}

#[tokio::test]
async fn server_functions_require_a_session_and_refuse_cross_origin_writes() {
    let server = start().await;
    formseal_core::accounts::create_account(&server.state, "viewer1", PASSWORD, Role::Viewer).await.unwrap();
    let version = server.form(DEMO_FORM_ID).await.version;
    let (_, receipt) = server.submit(&sign(&envelope(&version, good_answers(), 500))).await;
    let submission_id = receipt["receipt"]["submission"].as_str().unwrap().to_owned();
    let url = |f: &str| format!("{}/admin/fn/{f}", server.base);

    // Without a session: refused.
    let res = server.client.post(url("forms")).form(&[("", "")]).send().await.unwrap();
    assert!(res.text().await.unwrap().contains("Please log in."));

    // Wrong password: refused, without saying whether the user exists.
    for user in ["viewer1", "nobody"] {
        let res = server
            .client
            .post(url("login"))
            .form(&[("username", user), ("password", "wrong wrong wrong")])
            .send()
            .await
            .unwrap();
        assert!(res.headers().get("set-cookie").is_none());
        assert!(res.text().await.unwrap().contains("The wrong user name or password."));
    }

    // A write from another origin never reaches the server function.
    let res = server
        .client
        .post(url("login"))
        .header("origin", "https://evil.example")
        .form(&[("username", "viewer1"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);

    // Log in: an HttpOnly, SameSite=Strict session cookie.
    let res = server
        .client
        .post(url("login"))
        .header("origin", &server.base)
        .form(&[("username", "viewer1"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    let cookie = res.headers().get("set-cookie").expect("session cookie").to_str().unwrap().to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/admin"),
        "{cookie}"
    );
    let session = cookie.split(';').next().unwrap().to_owned();

    let forms = call(&server, "forms", &session, &[("", "")]).await;
    assert_eq!(forms[0]["id"], DEMO_FORM_ID);
    assert_eq!(forms[0]["submissions"], 1);

    let list = call(&server, "submissions", &session, &[("form", DEMO_FORM_ID), ("page", "1")]).await;
    assert_eq!(list["items"][0]["id"], submission_id.as_str());
    assert!(list["items"][0]["preview"].as_str().unwrap().contains("Ada Lovelace"));

    let detail = call(&server, "submission", &session, &[("id", submission_id.as_str())]).await;
    assert_eq!(detail["signature_valid"], true);
    assert_eq!(detail["receipt_valid"], true);
    assert_eq!(detail["answers"][0]["label"], "Full name");

    // After log-out the cookie is worthless.
    server.client.post(url("logout")).header("cookie", &session).header("origin", &server.base).send().await.unwrap();
    let res = server.client.post(url("forms")).header("cookie", &session).form(&[("", "")]).send().await.unwrap();
    assert!(res.text().await.unwrap().contains("Please log in."));
}

#[tokio::test]
async fn the_console_page_renders_and_escapes_what_visitors_typed() {
    let server = start().await;
    formseal_core::accounts::create_account(&server.state, "viewer2", PASSWORD, Role::Viewer).await.unwrap();
    let version = server.form(DEMO_FORM_ID).await.version;
    let mut answers = good_answers();
    answers.insert("name".into(), serde_json::json!("<script>alert(1)</script>"));
    let (status, _) = server.submit(&sign(&envelope(&version, answers, 600))).await;
    assert_eq!(status, 201);

    let cookie = server.login("viewer2", PASSWORD).await;
    let html = server
        .client
        .get(format!("{}/admin/forms/{DEMO_FORM_ID}", server.base))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{html}");
    assert!(!html.contains("<script>alert(1)"));

    // Without a session the console sends people to the log-in page.
    let res = server.client.get(format!("{}/admin", server.base)).header("accept", "text/html").send().await.unwrap();
    assert_eq!(res.url().path(), "/admin/login");
    assert!(res.text().await.unwrap().contains("<h1>Log in</h1>"));
}

#[tokio::test]
async fn console_pages_carry_a_strict_policy_with_a_fresh_nonce() {
    let server = start().await;
    let get = || server.client.get(format!("{}/admin/login", server.base)).send();
    let res = get().await.unwrap();
    let headers = res.headers().clone();
    let html = res.text().await.unwrap();
    let csp = headers.get("content-security-policy").expect("a CSP").to_str().unwrap().to_owned();
    for part in
        ["default-src 'self'", "frame-ancestors 'none'", "'wasm-unsafe-eval'", "style-src 'self';", "object-src 'none'"]
    {
        assert!(csp.contains(part), "{part} missing in {csp}");
    }
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    let nonce = csp.split("'nonce-").nth(1).and_then(|r| r.split('\'').next()).expect("a nonce").to_owned();
    assert!(nonce.len() >= 16);
    // Leptos puts it on its hydration script, so the page can hydrate under it.
    assert!(html.contains(&format!("nonce=\"{nonce}\"")), "{html}");
    assert_eq!(headers.get("x-content-type-options").unwrap(), "nosniff");
    assert_eq!(headers.get("referrer-policy").unwrap(), "no-referrer");
    assert_eq!(headers.get("x-frame-options").unwrap(), "DENY");
    // Every response has its own nonce.
    let again = get().await.unwrap().headers().get("content-security-policy").unwrap().to_str().unwrap().to_owned();
    assert!(!again.contains(&nonce));
}

/// Console errors cross the wire as `{code, message}`: pages decide by the code,
/// and the status follows it, also for calls the server function never saw.
#[tokio::test]
async fn console_errors_carry_their_code_and_status() {
    use app::api::{ConsoleError, ErrorCode};
    let server = start().await;
    formseal_core::accounts::create_account(&server.state, "viewer3", PASSWORD, Role::Viewer).await.unwrap();
    let post = |name: &str, cookie: &str, args: &[(&str, &str)]| {
        let request = server.client.post(format!("{}/admin/fn/{name}", server.base)).header("cookie", cookie);
        request.form(args).send()
    };
    let error = |res: reqwest::Response| async move {
        let status = res.status().as_u16();
        let error: ConsoleError = serde_json::from_str(&res.text().await.unwrap()).unwrap();
        (status, error)
    };

    let (status, e) = error(post("forms", "", &[("", "")]).await.unwrap()).await;
    assert_eq!((status, e.code, e.message.as_str()), (401, ErrorCode::Unauthenticated, "Please log in."));

    let (status, e) =
        error(post("login", "", &[("username", "viewer3"), ("password", "wrong wrong wrong")]).await.unwrap()).await;
    assert_eq!((status, e.code), (401, ErrorCode::BadCredentials));

    // Arguments that cannot be read: the caller's mistake.
    let (status, e) = error(post("submissions", "", &[("form", DEMO_FORM_ID), ("page", "x")]).await.unwrap()).await;
    assert_eq!((status, e.code), (400, ErrorCode::BadRequest), "{e:?}");
    let (status, e) = error(post("submission", "", &[]).await.unwrap()).await;
    assert_eq!((status, e.code), (400, ErrorCode::BadRequest), "{e:?}");

    // Roles travel by their stored names; one that does not exist is unreadable.
    let cookie = server.login("viewer3", PASSWORD).await;
    let me: Value = post("me", &cookie, &[("", "")]).await.unwrap().json().await.unwrap();
    assert_eq!(me["role"], "viewer");
    let args = [("username", "x"), ("role", "root"), ("forms", ""), ("personal_forms", "")];
    let (status, e) = error(post("invite", &cookie, &args).await.unwrap()).await;
    assert_eq!((status, e.code), (400, ErrorCode::BadRequest), "{e:?}");
    let args = [("username", "x"), ("role", "editor"), ("forms", ""), ("personal_forms", "")];
    let (status, e) = error(post("invite", &cookie, &args).await.unwrap()).await;
    assert_eq!((status, e.code, e.message.as_str()), (403, ErrorCode::Forbidden, "You are not allowed to do this."));
}
