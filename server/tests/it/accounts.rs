//! Invitations, password rules, the last owner, and log-in throttling.

use formseal_core::accounts::{self, Operator, Role};
use formseal_core::store::InviteRow;

use crate::common::{TestServer, start};

const GOOD: &str = "tangerine lighthouse quietly borrows";

fn owner() -> Operator {
    Operator { username: "owner".into(), role: Role::Owner, forms: vec![], personal_forms: vec![] }
}

async fn post(server: &TestServer, name: &str, args: &[(&str, &str)]) -> (u16, String) {
    let res = server.client.post(format!("{}/admin/fn/{name}", server.base)).form(args).send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

#[tokio::test]
async fn an_invitation_works_once_and_only_with_a_strong_password() {
    let server = start().await;
    let token = accounts::invite(&server.state, &owner(), "grace", Role::Editor, vec![], vec![]).await.unwrap();
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
    let account = server.state.store.account("grace").await.unwrap().unwrap();
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
    };
    // The stored hash of the token "expired-token", as the invitation code stores it.
    let hash = formseal_model::b64_encode(&formseal_model::digest(b"expired-token"));
    server.state.store.create_invite(&expired, &hash).await.unwrap();
    let (status, body) = post(&server, "invitation", &[("token", "expired-token")]).await;
    assert_eq!(status, 410, "{body}");
    assert!(body.contains("expired"));
    let (status, _) = post(&server, "invitation", &[("token", "made-up")]).await;
    assert_eq!(status, 404);
    assert!(server.state.store.account("late").await.unwrap().is_none());
}

#[tokio::test]
async fn admins_cannot_touch_owners_and_the_last_owner_stays() {
    let server = start().await;
    let admin = Operator { username: "ad".into(), role: Role::Admin, forms: vec![], personal_forms: vec![] };
    let err = accounts::invite(&server.state, &admin, "boss", Role::Owner, vec![], vec![]).await.unwrap_err();
    assert_eq!(err.status(), 403);
    let err = accounts::update_account(&server.state, &admin, "owner", Role::Viewer, vec![], vec![], false)
        .await
        .unwrap_err();
    assert_eq!(err.status(), 403);
    let err = accounts::update_account(&server.state, &owner(), "owner", Role::Owner, vec![], vec![], true)
        .await
        .unwrap_err();
    assert_eq!(err.status(), 409, "the last owner cannot be disabled");
    // With a second owner, the first may step down.
    accounts::create_account(&server.state, "second", GOOD, "owner").await.unwrap();
    accounts::update_account(&server.state, &owner(), "owner", Role::Admin, vec![], vec![], false).await.unwrap();
}

#[tokio::test]
async fn repeated_failures_lock_an_account_and_an_address_without_revealing_accounts() {
    let server = start().await;
    accounts::create_account(&server.state, "ada", GOOD, "viewer").await.unwrap();
    for _ in 0..formseal_core::throttle::MAX_PER_ACCOUNT {
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
