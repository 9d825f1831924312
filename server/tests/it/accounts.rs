//! Invitations, password rules, the last owner, and log-in throttling.

use formseal_core::accounts::{self, Operator, Role};
use formseal_core::store::InviteRow;

use crate::common::{TestServer, start};

const GOOD: &str = "tangerine lighthouse quietly borrows";

fn owner() -> Operator {
    Operator { username: "owner".into(), role: Role::Owner, forms: vec![], personal_forms: vec![] }
}

async fn post(server: &TestServer, name: &str, args: &[(&str, &str)]) -> (u16, String) {
    server.call_fn(None, name, args).await
}

#[tokio::test]
async fn an_invitation_works_once_and_only_with_a_strong_password() {
    let server = start().await;
    let token = accounts::invite(&server.state, &owner(), "grace", Role::Editor, vec![], vec![], None).await.unwrap();
    let (status, who) = post(&server, "invitation", &[("token", &token)]).await;
    assert_eq!((status, who.as_str()), (200, "\"grace\""));

    for weak in ["short", "password1234", "qwertyuiopasdf", "grace-grace-grace"] {
        let (status, body) =
            post(&server, "accept-invite", &[("token", &token), ("password", weak), ("repeat", weak)]).await;
        assert_eq!(status, 400, "{weak}: {body}");
        assert!(body.contains("characters") || body.contains("too easy to guess"), "{weak}: {body}");
    }
    let (status, body) =
        post(&server, "accept-invite", &[("token", &token), ("password", GOOD), ("repeat", "other")]).await;
    assert!(status >= 400 && body.contains("differ"), "{body}");
    let (status, _) = post(&server, "accept-invite", &[("token", &token), ("password", GOOD), ("repeat", GOOD)]).await;
    assert!(status < 400);
    let (status, body) =
        post(&server, "accept-invite", &[("token", &token), ("password", GOOD), ("repeat", GOOD)]).await;
    assert_eq!(status, 410, "{body}");
    assert!(body.contains("already used"));

    let (status, _) = post(&server, "login", &[("username", "grace"), ("password", GOOD)]).await;
    assert!(status < 400);
    let account = server.state.store().account("grace").await.unwrap().unwrap();
    assert_eq!(account.role, "editor");
    assert!(account.password_hash.starts_with("$argon2id$"));
}

#[tokio::test]
async fn an_expired_or_unknown_invitation_is_refused_clearly() {
    let server = start().await;
    let expired = InviteRow {
        username: "late".into(),
        role: "viewer".into(),
        forms: vec![],
        personal_forms: vec![],
        invited_by: "owner".into(),
        expires_ms: chrono::Utc::now().timestamp_millis() - 1,
        used: false,
        email: None,
    };
    // The stored hash of the token "expired-token", as the invitation code stores it.
    let hash = formseal_model::b64_encode(&formseal_model::digest(b"expired-token"));
    server.state.store().create_invite(&expired, &hash, &[]).await.unwrap();
    let (status, body) = post(&server, "invitation", &[("token", "expired-token")]).await;
    assert_eq!(status, 410, "{body}");
    assert!(body.contains("expired"));
    let (status, _) = post(&server, "invitation", &[("token", "made-up")]).await;
    assert_eq!(status, 404);
    assert!(server.state.store().account("late").await.unwrap().is_none());
}

#[tokio::test]
async fn admins_cannot_touch_owners_and_the_last_owner_stays() {
    let server = start().await;
    let admin = Operator { username: "ad".into(), role: Role::Admin, forms: vec![], personal_forms: vec![] };
    let err = accounts::invite(&server.state, &admin, "boss", Role::Owner, vec![], vec![], None).await.unwrap_err();
    assert_eq!(err.status(), 403);
    // Nor a DPO: the audit log and requests are permissions an admin lacks.
    let err = accounts::invite(&server.state, &admin, "privacy", Role::Dpo, vec![], vec![], None).await.unwrap_err();
    assert_eq!(err.status(), 403);
    accounts::create_account(&server.state, "helper", GOOD, Role::Viewer).await.unwrap();
    let err =
        accounts::update_account(&server.state, &admin, "helper", Role::Dpo, vec![], vec![], false).await.unwrap_err();
    assert_eq!(err.status(), 403);
    accounts::invite(&server.state, &owner(), "privacy", Role::Dpo, vec![], vec![], None).await.unwrap();
    accounts::update_account(&server.state, &admin, "helper", Role::Editor, vec![], vec![], false).await.unwrap();
    let err = accounts::update_account(&server.state, &admin, "owner", Role::Viewer, vec![], vec![], false)
        .await
        .unwrap_err();
    assert_eq!(err.status(), 403);
    let err = accounts::update_account(&server.state, &owner(), "owner", Role::Owner, vec![], vec![], true)
        .await
        .unwrap_err();
    assert_eq!(err.status(), 409, "the last owner cannot be disabled");
    // With a second owner, the first may step down.
    accounts::create_account(&server.state, "second", GOOD, Role::Owner).await.unwrap();
    accounts::update_account(&server.state, &owner(), "owner", Role::Admin, vec![], vec![], false).await.unwrap();
}

#[tokio::test]
async fn repeated_failures_lock_an_account_and_an_address_without_revealing_accounts() {
    let server = start().await;
    accounts::create_account(&server.state, "ada", GOOD, Role::Viewer).await.unwrap();
    for _ in 0..formseal_core::throttle::MAX_PER_ACCOUNT_AND_ADDRESS {
        let (status, _) = post(&server, "login", &[("username", "ada"), ("password", "wrong wrong wrong")]).await;
        assert_eq!(status, 401);
        post(&server, "login", &[("username", "ghost"), ("password", "wrong wrong wrong")]).await;
    }
    // Now even the right password waits; an unknown name gets the same answer.
    let (status, real) = post(&server, "login", &[("username", "ada"), ("password", GOOD)]).await;
    assert_eq!(status, 429, "{real}");
    assert!(real.contains("Too many failed log-ins"), "{real}");
    let (status, ghost) = post(&server, "login", &[("username", "ghost"), ("password", GOOD)]).await;
    assert_eq!((status, ghost), (429, real));
}

fn totp(secret: &str) -> totp_rs::TOTP {
    let bytes = totp_rs::Secret::Encoded(secret.to_owned()).to_bytes().unwrap();
    totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30, bytes, Some("Formseal".into()), "x".into()).unwrap()
}

fn current_code(secret: &str) -> String {
    totp(secret).generate_current().unwrap()
}

/// The code of the next 30-second step (accepted: one step of clock skew).
fn next_code(secret: &str) -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    totp(secret).generate(now + 30)
}

#[tokio::test]
async fn a_second_factor_is_asked_for_and_recovery_codes_work_once() {
    let server = start().await;
    accounts::create_account(&server.state, "totp-user", GOOD, Role::Viewer).await.unwrap();
    let me = Operator { username: "totp-user".into(), role: Role::Viewer, forms: vec![], personal_forms: vec![] };
    let (secret, url, _) = accounts::begin_two_factor(&server.state, &me).await.unwrap();
    assert!(url.contains(&secret));
    assert!(
        accounts::enable_two_factor(&server.state, &me, "000000").await.is_err() || current_code(&secret) == "000000"
    );
    let confirm = current_code(&secret);
    let recovery = accounts::enable_two_factor(&server.state, &me, &confirm).await.unwrap();
    assert_eq!(recovery.len(), 10);

    // The password alone is not enough; the server says what is missing.
    let (status, body) = post(&server, "login", &[("username", "totp-user"), ("password", GOOD)]).await;
    assert_eq!(status, 401);
    assert!(body.contains("6-digit code"), "{body}");
    let (status, _) =
        post(&server, "login", &[("username", "totp-user"), ("password", GOOD), ("code", "not-a-code")]).await;
    assert_eq!(status, 401);
    // The code that confirmed the app is used up; the next step's code is wanted.
    let (status, _) =
        post(&server, "login", &[("username", "totp-user"), ("password", GOOD), ("code", &confirm)]).await;
    assert_eq!(status, 401, "a code works once");
    let code = next_code(&secret);
    let (status, body) =
        post(&server, "login", &[("username", "totp-user"), ("password", GOOD), ("code", &code)]).await;
    assert!(status < 400, "{body}");
    let (status, _) = post(&server, "login", &[("username", "totp-user"), ("password", GOOD), ("code", &code)]).await;
    assert_eq!(status, 401, "a code seen by someone else cannot be used again");
    // A recovery code works once.
    let (status, _) =
        post(&server, "login", &[("username", "totp-user"), ("password", GOOD), ("code", &recovery[3])]).await;
    assert!(status < 400);
    let (status, _) =
        post(&server, "login", &[("username", "totp-user"), ("password", GOOD), ("code", &recovery[3])]).await;
    assert_eq!(status, 401);
    // A code never replaces the password.
    let (status, _) =
        post(&server, "login", &[("username", "totp-user"), ("password", "wrong wrong wrong"), ("code", &code)]).await;
    assert_eq!(status, 401);

    // Turning it off needs the password and a code.
    let off = |password: &'static str, code: Option<&'static str>| {
        let (state, me) = (server.state.clone(), me.clone());
        async move { accounts::disable_two_factor(&state, &me, password, code, None).await }
    };
    assert_eq!(off("wrong wrong wrong", None).await.unwrap_err().status(), 401);
    assert_eq!(off(GOOD, None).await.unwrap_err().code(), formseal_model::ErrorCode::SecondFactorRequired);
    assert_eq!(off(GOOD, Some("000000")).await.unwrap_err().status(), 401);
    let spare = recovery[5].clone();
    accounts::disable_two_factor(&server.state, &me, GOOD, Some(&spare), None).await.unwrap();
    let (status, _) = post(&server, "login", &[("username", "totp-user"), ("password", GOOD)]).await;
    assert!(status < 400);
}

async fn logged_in(server: &TestServer) -> String {
    accounts::create_account(&server.state, "clock", GOOD, Role::Viewer).await.unwrap();
    server.login("clock", GOOD).await
}

async fn forms_status(server: &TestServer, cookie: &str) -> u16 {
    let url = format!("{}/admin/fn/forms", server.base);
    server.client.post(url).header("cookie", cookie).form(&[("", "")]).send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn sessions_end_after_inactivity_and_after_their_lifetime() {
    // Idle: 2 s without a request ends it; requests in between keep it alive.
    let server = crate::common::start_custom(|_| "mem://".into(), |a| a.session_idle_seconds = Some(2)).await;
    let cookie = logged_in(&server).await;
    for _ in 0..3 {
        tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
        assert_eq!(forms_status(&server, &cookie).await, 200);
    }
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert_eq!(forms_status(&server, &cookie).await, 401);

    // Absolute: 3 s after log-in it ends however active the person is.
    let server = crate::common::start_custom(|_| "mem://".into(), |a| a.session_max_seconds = Some(3)).await;
    let cookie = logged_in(&server).await;
    for _ in 0..2 {
        tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
        assert_eq!(forms_status(&server, &cookie).await, 200);
    }
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(forms_status(&server, &cookie).await, 401);
}

/// A log-in with a name longer than any account's is refused as a wrong one, and
/// its text is kept nowhere: not in the audit log (which it could flood).
#[tokio::test]
async fn an_overlong_user_name_is_refused_and_kept_nowhere() {
    let server = start().await;
    let flood = "x".repeat(10_000);
    let err = accounts::login(&server.state, &flood, "whatever", None, &accounts::Client::default()).await.unwrap_err();
    assert_eq!(err.status(), 401, "{err}");
    let long_password = "p".repeat(accounts::MAX_PASSWORD_CHARS + 1);
    let err =
        accounts::login(&server.state, "owner", &long_password, None, &accounts::Client::default()).await.unwrap_err();
    assert_eq!(err.status(), 401, "{err}");
    let audit = server.state.store().audit_range(1, 1000).await.unwrap();
    assert!(audit.iter().all(|r| r.actor.len() <= accounts::MAX_USERNAME_BYTES), "a flood name was recorded");
    // An ordinary wrong attempt is still recorded.
    accounts::login(&server.state, "owner", "wrong password", None, &accounts::Client::default()).await.unwrap_err();
    let audit = server.state.store().audit_range(1, 1000).await.unwrap();
    assert!(audit.iter().any(|r| r.action == "login_failed" && r.actor == "owner"));
}

/// Over HTTP, as the console's accounts page calls it: an admin may invite a
/// viewer, never a DPO (the audit log and requests are beyond an admin).
#[tokio::test]
async fn an_admin_cannot_invite_a_dpo_through_the_console() {
    let server = start().await;
    accounts::create_account(&server.state, "office", GOOD, Role::Admin).await.unwrap();
    let cookie = server.login("office", GOOD).await;
    let invite = |username: &'static str, role: &'static str| {
        let request = server.client.post(format!("{}/admin/fn/invite", server.base)).header("cookie", &cookie);
        async move {
            let args = [("username", username), ("role", role), ("forms", ""), ("personal_forms", "")];
            let res = request.form(&args).send().await.unwrap();
            (res.status().as_u16(), res.text().await.unwrap())
        }
    };
    let (status, body) = invite("privacy", "dpo").await;
    assert_eq!(status, 403, "{body}");
    let (status, body) = invite("reader", "viewer").await;
    assert_eq!(status, 200, "{body}");
}
