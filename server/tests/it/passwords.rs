//! Passwords people can change, the first owner's that must be changed, a reset
//! on the command line, and log-in limits that hold under a burst without locking
//! the owner out.

use std::net::IpAddr;

use formseal_core::accounts::{self, Role};
use formseal_core::throttle::MAX_PER_ACCOUNT_AND_ADDRESS;

use crate::common::{TestServer, start};

const GOOD: &str = "tangerine lighthouse quietly borrows";
const NEW: &str = "saffron glacier whistles backwards";

/// A client that does not follow redirects (to see where a server function sends
/// the browser), from `from` (any 127.0.0.0/8 address reaches the loopback server).
fn client_from(from: &str) -> reqwest::Client {
    let ip: IpAddr = from.parse().unwrap();
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).local_address(ip).build().unwrap()
}

/// Logs in over HTTP; returns the status, the `Location` header and the session cookie.
async fn log_in(server: &TestServer, client: &reqwest::Client, user: &str, password: &str) -> (u16, String, String) {
    let res = client
        .post(format!("{}/admin/fn/login", server.base))
        .form(&[("username", user), ("password", password)])
        .send()
        .await
        .unwrap();
    let location = res.headers().get("location").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    let cookie = set_cookie(&res, "formseal_session").unwrap_or_default();
    (res.status().as_u16(), location, cookie)
}

/// The `name=value` of the cookie `name` that a response sets.
fn set_cookie(res: &reqwest::Response, name: &str) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap().to_owned())
}

async fn call(server: &TestServer, cookie: &str, name: &str, args: &[(&str, &str)]) -> (u16, String) {
    let res = client_from("127.0.0.1")
        .post(format!("{}/admin/fn/{name}", server.base))
        .header("cookie", cookie)
        .form(args)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

async fn forms_status(server: &TestServer, cookie: &str) -> u16 {
    call(server, cookie, "forms", &[("", "")]).await.0
}

#[tokio::test]
async fn a_password_someone_else_set_must_be_replaced_before_anything_else() {
    let server = start().await;
    // What `formseal accounts reset-password owner` does (the first start likewise).
    let one_time = accounts::reset_password(&server.state, "owner").await.unwrap();
    let client = client_from("127.0.0.1");
    let (status, location, cookie) = log_in(&server, &client, "owner", &one_time).await;
    assert!(status < 400 && location == "/admin/password", "{status} {location}");
    // Nothing else works for this session, not even reading the forms.
    let (status, body) = call(&server, &cookie, "forms", &[("", "")]).await;
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("password_change_required"), "{body}");
    let (status, body) = call(&server, &cookie, "password-state", &[("", "")]).await;
    assert!(status == 200 && body.contains("\"must_change\":true"), "{status} {body}");

    // Wrong current password, a weak or repeated new one, two different new ones.
    let change = |current: &'static str, new: &'static str, repeat: &'static str| {
        let (server, cookie) = (&server, cookie.clone());
        async move {
            call(server, &cookie, "change-password", &[("current", current), ("new", new), ("repeat", repeat)]).await
        }
    };
    assert_eq!(change("not the password", NEW, NEW).await.0, 401);
    let one_time: &'static str = Box::leak(one_time.into_boxed_str());
    let (status, body) = change(one_time, "password1234", "password1234").await;
    assert!(status == 400 && body.contains("too easy to guess"), "{body}");
    let (status, body) = change(one_time, NEW, "saffron glacier whistles forwards").await;
    assert!(status == 400 && body.contains("differ"), "{body}");
    let (status, body) = change(one_time, one_time, one_time).await;
    assert!(status == 400 && body.contains("different from the current"), "{body}");

    let (status, body) = change(one_time, NEW, NEW).await;
    assert!(status < 400, "{status} {body}");
    assert_eq!(forms_status(&server, &cookie).await, 200, "the same session goes on");
    assert_eq!(log_in(&server, &client, "owner", one_time).await.0, 401, "the one-time password is gone");
    let (status, location, _) = log_in(&server, &client, "owner", NEW).await;
    assert!(status < 400 && location == "/admin", "{status} {location}");

    let audit = server.state.store().audit_range(1, 1000).await.unwrap();
    assert!(audit.iter().any(|r| r.action == "password_reset" && r.object == "owner"));
    assert!(audit.iter().any(|r| r.action == "password_changed" && r.actor == "owner"));
}

#[tokio::test]
async fn changing_a_password_ends_the_other_sessions() {
    let server = start().await;
    accounts::create_account(&server.state, "ada", GOOD, Role::Editor).await.unwrap();
    let client = client_from("127.0.0.1");
    let (_, location, laptop) = log_in(&server, &client, "ada", GOOD).await;
    assert_eq!(location, "/admin", "an account with its own password goes straight in");
    let (_, _, phone) = log_in(&server, &client, "ada", GOOD).await;
    assert_eq!(forms_status(&server, &phone).await, 200);
    let (status, body) =
        call(&server, &laptop, "change-password", &[("current", GOOD), ("new", NEW), ("repeat", NEW)]).await;
    assert!(status < 400, "{body}");
    assert_eq!(forms_status(&server, &laptop).await, 200);
    assert_eq!(forms_status(&server, &phone).await, 401, "the other session ended");
}

/// The real binary: `formseal accounts reset-password` prints a one-time password
/// to its terminal; the next start does not print the first start's again.
#[tokio::test]
async fn the_command_line_resets_a_password_and_the_first_one_is_never_shown_again() {
    use crate::durability::{free_port, spawn, wait_ready};
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let mut server = spawn(dir.path(), port);
    wait_ready(&http, &base).await;
    server.0.kill().unwrap();
    server.0.wait().unwrap();
    let first_log = std::fs::read_to_string(dir.path().join("server.log")).unwrap();
    assert_eq!(first_log.matches("one-time password").count(), 1, "{first_log}");

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_formseal"))
        .args(["accounts", "reset-password", "owner", "--data-dir", dir.path().to_str().unwrap()])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    let password = stdout.split("One-time password for 'owner': ").nth(1).unwrap().lines().next().unwrap().to_owned();
    assert!(!String::from_utf8_lossy(&out.stderr).contains(&password), "the password is printed, never logged");
    let unknown = std::process::Command::new(env!("CARGO_BIN_EXE_formseal"))
        .args(["accounts", "reset-password", "nobody", "--data-dir", dir.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("account not found"));

    let _server = spawn(dir.path(), port);
    wait_ready(&http, &base).await;
    let log = std::fs::read_to_string(dir.path().join("server.log")).unwrap();
    assert_eq!(log.matches("one-time password").count(), 1, "a later start prints no password: {log}");
    assert!(!log.contains(&password));
    let no_redirects = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let res = no_redirects
        .post(format!("{base}/admin/fn/login"))
        .form(&[("username", "owner"), ("password", password.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers().get("location").unwrap(), "/admin/password", "{}", res.status());
}

/// RSS of this process (the test binary runs the server in-process), in KiB.
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[tokio::test]
async fn a_burst_of_wrong_log_ins_runs_a_few_password_checks_and_the_owner_still_gets_in() {
    let server = start().await;
    accounts::create_account(&server.state, "boss", GOOD, Role::Owner).await.unwrap();
    let attacker = client_from("127.0.0.2");
    let checks_before = server.state.passwords.checks();
    let rss_before = rss_kib();
    let attempts: Vec<_> = (0..400)
        .map(|n| {
            let (client, url) = (attacker.clone(), format!("{}/admin/fn/login", server.base));
            tokio::spawn(async move {
                let password = format!("guess number {n} of many");
                let form = [("username", "boss"), ("password", password.as_str())];
                client.post(url).form(&form).send().await.unwrap().status().as_u16()
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for attempt in attempts {
        statuses.push(attempt.await.unwrap());
    }
    let checks = server.state.passwords.checks() - checks_before;
    let rss_growth_mib = rss_kib().saturating_sub(rss_before) / 1024;
    let refused = statuses.iter().filter(|s| **s == 429).count();
    let wrong = statuses.iter().filter(|s| **s == 401).count();
    eprintln!(
        "400 wrong log-ins at once: {checks} password checks, {wrong} × 401, {refused} × 429, RSS +{rss_growth_mib} MiB"
    );
    assert!(checks <= u64::from(MAX_PER_ACCOUNT_AND_ADDRESS), "{checks} password checks ran");
    assert_eq!(wrong, MAX_PER_ACCOUNT_AND_ADDRESS as usize);
    assert_eq!(refused, 400 - wrong, "{statuses:?}");
    // Five argon2id computations at most; 400 at once would need about 7.5 GiB. The
    // bound is loose because the other tests of this binary share its RSS.
    assert!(rss_growth_mib < 1024, "RSS grew by {rss_growth_mib} MiB");

    // The owner, from their own address in the same minute, gets in.
    let (status, location, _) = log_in(&server, &client_from("127.0.0.3"), "boss", GOOD).await;
    assert!(status < 400 && location == "/admin", "{status} {location}");
    // The attacker's address still waits, even with the right password.
    assert_eq!(log_in(&server, &attacker, "boss", GOOD).await.0, 429);
    // Refusals are audited once per window, not 395 times.
    let audit = server.state.store().audit_range(1, 10_000).await.unwrap();
    let failed = audit.iter().filter(|r| r.action == "login_failed").count();
    assert!(failed <= MAX_PER_ACCOUNT_AND_ADDRESS as usize + 2, "{failed} failure records");
}

#[tokio::test]
async fn a_browser_that_logged_in_before_is_not_held_by_the_account_wide_limit() {
    let server = start().await;
    accounts::create_account(&server.state, "boss", GOOD, Role::Owner).await.unwrap();
    // The owner's browser logs in once and keeps its device cookie.
    let owner = client_from("127.0.0.1");
    let res = owner
        .post(format!("{}/admin/fn/login", server.base))
        .form(&[("username", "boss"), ("password", GOOD)])
        .send()
        .await
        .unwrap();
    let device = set_cookie(&res, "formseal_device").expect("a device cookie");
    // Guessing from many addresses exhausts the account-wide limit: a few over HTTP,
    // the rest counted straight into the server's throttle (each HTTP attempt costs
    // an argon2id hash, slow in a debug build).
    for n in 0..3 {
        let client = client_from(&format!("127.0.1.{}", n + 1));
        assert_eq!(log_in(&server, &client, "boss", "a wrong guess again").await.0, 401);
    }
    let now = formseal_core::time::now_ms();
    for n in 3..formseal_core::throttle::MAX_PER_ACCOUNT {
        let from: IpAddr = format!("10.9.{}.{}", n / 200, n % 200 + 1).parse().unwrap();
        let attempt = server.state.login_throttle.begin("boss", Some(from), false, now).unwrap();
        drop(attempt); // a failure
    }
    let fresh = client_from("127.0.2.1");
    assert_eq!(log_in(&server, &fresh, "boss", GOOD).await.0, 429, "a browser never seen waits");
    let res = owner
        .post(format!("{}/admin/fn/login", server.base))
        .header("cookie", &device)
        .form(&[("username", "boss"), ("password", GOOD)])
        .send()
        .await
        .unwrap();
    assert!(res.status().as_u16() < 400, "the owner's own browser gets in: {}", res.status());
    // A device cookie of another account, or a forged one, does not count.
    let forged = format!("{}x", device);
    let res = fresh
        .post(format!("{}/admin/fn/login", server.base))
        .header("cookie", &forged)
        .form(&[("username", "boss"), ("password", GOOD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 429);
}
