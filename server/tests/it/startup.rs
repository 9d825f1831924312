use std::process::Command;

fn formseal(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_formseal")).args(args).output().unwrap()
}

#[test]
fn help_explains_the_server() {
    let out = formseal(&["serve", "--help"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for flag in ["--db", "--data-dir", "--listen", "--public-url", "--log-format", "FORMSEAL_DB", "--pow-difficulty"] {
        assert!(text.contains(flag), "{flag} missing from:\n{text}");
    }
}

#[test]
fn a_bad_flag_or_an_unreachable_database_is_one_line_and_exit_code_2() {
    let out = formseal(&["serve", "--listen", "not-an-address"]);
    assert_eq!(out.status.code(), Some(2));
    let out = formseal(&["serve", "--pow-difficulty", "33"]);
    assert_eq!(out.status.code(), Some(2));

    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let out = formseal(&["serve", "--data-dir", data, "--db", "ws://127.0.0.1:9", "--listen", "127.0.0.1:0"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let last = stderr.lines().last().unwrap_or_default();
    assert!(last.starts_with("formseal: ") && last.contains("database"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[tokio::test]
async fn audit_verify_checks_the_chain_of_a_stopped_instance() {
    use crate::durability::{free_port, spawn, wait_ready};
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    // The real binary on the default engine writes audit records: the owner's
    // creation and a failed log-in.
    let mut server = spawn(dir.path(), port);
    wait_ready(&client, &base).await;
    let res = client
        .post(format!("{base}/admin/fn/login"))
        .form(&[("username", "owner"), ("password", "not the password")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    server.kill().unwrap();
    server.wait().unwrap();

    let out = formseal(&["audit", "verify", "--data-dir", dir.path().to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("audit log intact: 2 records"), "{stdout}");
}
