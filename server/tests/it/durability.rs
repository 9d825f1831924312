//! The real binary on the default engine (embedded RocksDB) in a temp dir: submit
//! under load, kill -9 mid-load, restart. Everything that was acknowledged is there.

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use formseal_core::keys::KeyRing;
use formseal_core::store::{DbConfig, Store};
use formseal_core::{AppState, Config};
use formseal_model::demo::DEMO_FORM_ID;
use formseal_model::{PublishedVersion, SignedChallenge, SubmissionRequest};
use tokio::sync::Mutex;

use crate::common::{TEST_POW_DIFFICULTY, envelope, good_answers, prove, sign, solve};

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

pub fn spawn(data: &std::path::Path, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_formseal"))
        .args(["serve", "--data-dir", data.to_str().unwrap(), "--listen", &format!("127.0.0.1:{port}")])
        .args(["--rate-limit-burst", "1000000", "--pow-difficulty", &TEST_POW_DIFFICULTY.to_string()])
        .env("FORMSEAL_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

pub async fn wait_ready(client: &reqwest::Client, base: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if client.get(format!("{base}/readyz")).send().await.is_ok_and(|r| r.status() == 200) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("server at {base} did not become ready");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_acknowledged_submission_survives_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();

    let mut server = spawn(dir.path(), port);
    wait_ready(&client, &base).await;
    let version: PublishedVersion =
        client.get(format!("{base}/api/v1/forms/{DEMO_FORM_ID}")).send().await.unwrap().json().await.unwrap();

    // Eight clients submit as fast as they can; the server is killed under them.
    let acked = Arc::new(Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let mut clients = Vec::new();
    for c in 0..8u64 {
        let (client, base, acked, stop, version) =
            (client.clone(), base.clone(), acked.clone(), stop.clone(), version.version.clone());
        clients.push(tokio::spawn(async move {
            for i in 0..10_000u64 {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let request = sign(&envelope(&version, good_answers(), c * 1_000_000 + i));
                let Ok(challenge) = client.get(format!("{base}/api/v1/forms/{DEMO_FORM_ID}/challenge")).send().await
                else {
                    break;
                };
                let Ok(challenge) = challenge.json::<SignedChallenge>().await else { break };
                let request = SubmissionRequest { proof: Some(solve(challenge)), ..request };
                let sent =
                    client.post(format!("{base}/api/v1/forms/{DEMO_FORM_ID}/submissions")).json(&request).send().await;
                match sent {
                    Ok(res) if res.status() == 201 => {
                        let body: serde_json::Value = res.json().await.unwrap();
                        acked.lock().await.push(body["receipt"]["submission"].as_str().unwrap().to_owned());
                    }
                    // The connection died with the server: not acknowledged, nothing promised.
                    _ => break,
                }
            }
        }));
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    while acked.lock().await.len() < 60 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server.kill().unwrap(); // SIGKILL
    server.wait().unwrap();
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        c.await.unwrap();
    }
    let acked = acked.lock().await.clone();
    assert!(acked.len() >= 60, "only {} acknowledged before the deadline", acked.len());

    // It restarts without repair, and goes on accepting.
    let mut server = spawn(dir.path(), port);
    wait_ready(&client, &base).await;
    let request =
        prove(&client, &base, DEMO_FORM_ID, &sign(&envelope(&version.version, good_answers(), 99_000_000))).await;
    let res =
        client.post(format!("{base}/api/v1/forms/{DEMO_FORM_ID}/submissions")).json(&request).send().await.unwrap();
    assert_eq!(res.status(), 201);
    // SIGTERM: graceful stop, releasing the database for the checks below.
    Command::new("kill").arg(server.id().to_string()).status().unwrap();
    assert!(server.wait().unwrap().success());

    let store = Store::connect(&DbConfig {
        url: format!("rocksdb://{}", dir.path().join("db").display()),
        namespace: "formseal".into(),
        user: None,
        password: None,
    })
    .await
    .unwrap();
    let state = AppState::new(store, KeyRing::load_or_create(dir.path()).unwrap(), Config::new(&base));
    for id in &acked {
        assert!(state.store.submission(id).await.unwrap().is_some(), "acknowledged submission {id} is missing");
    }
    let report = formseal_core::submissions::verify_chain(&state, DEMO_FORM_ID).await.unwrap();
    assert!(report.intact, "{report:?}");
    assert!(report.receipts as usize > acked.len());
}
