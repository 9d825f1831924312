//! The real binary on an embedded engine in a temp dir: submit under load, kill -9
//! at a random moment, restart, many rounds. Everything that was acknowledged is
//! there, the chain verifies, and no start needs a repair.
//!
//! Rounds per engine: `FORMSEAL_FAULT_ROUNDS` (default 3 here; the long run in
//! docs/performance.md uses 50). The random moments come from a seed printed at the
//! start (`FORMSEAL_FAULT_SEED` repeats a run).

use crate::common::{JsonBody, JsonResponse};
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

pub fn spawn(data: &std::path::Path, port: u16) -> Running {
    spawn_on(data, port, None)
}

/// Where a spawned server's log goes: `<data-dir>/server.log`, appended to.
pub fn log_file(data: &std::path::Path) -> std::fs::File {
    std::fs::create_dir_all(data).unwrap();
    std::fs::OpenOptions::new().create(true).append(true).open(data.join("server.log")).unwrap()
}

/// A spawned server, killed when dropped: a failing test must not leave it running.
pub struct Running(pub Child);

impl std::ops::Deref for Running {
    type Target = Child;
    fn deref(&self) -> &Child {
        &self.0
    }
}

impl std::ops::DerefMut for Running {
    fn deref_mut(&mut self) -> &mut Child {
        &mut self.0
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The binary with `--db <db>` (default: RocksDB in the data dir).
pub fn spawn_on(data: &std::path::Path, port: u16, db: Option<&str>) -> Running {
    Running(command(data, port, db).stdout(log_file(data)).stderr(log_file(data)).spawn().unwrap())
}

/// The command line of [`spawn_on`], to adjust before spawning.
pub fn command(data: &std::path::Path, port: u16, db: Option<&str>) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_formseal"));
    command.args(["serve", "--data-dir", data.to_str().unwrap(), "--listen", &format!("127.0.0.1:{port}")]);
    if let Some(db) = db {
        command.args(["--db", db]);
    }
    command
        .args(["--rate-limit-burst", "1000000", "--pow-difficulty", &TEST_POW_DIFFICULTY.to_string()])
        .env("FORMSEAL_LOG", "warn")
        .stdout(Stdio::null());
    command
}

pub async fn wait_ready(client: &reqwest::Client, base: &str) {
    assert!(ready(client, base).await, "server at {base} did not become ready");
}

/// Whether the server at `base` answers ready within a minute.
pub async fn ready(client: &reqwest::Client, base: &str) -> bool {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if client.get(format!("{base}/readyz")).send().await.is_ok_and(|r| r.status() == 200) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

/// A small deterministic generator for the kill moments (no extra dependency).
pub struct Rng(u64);

impl Rng {
    pub fn seeded(name: &str) -> Rng {
        let seed = std::env::var("FORMSEAL_FAULT_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64
        });
        eprintln!("{name}: FORMSEAL_FAULT_SEED={seed}");
        Rng(seed | 1)
    }

    /// A number in `lo..hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        lo + self.0 % (hi - lo).max(1)
    }
}

pub fn fault_rounds() -> u64 {
    std::env::var("FORMSEAL_FAULT_ROUNDS").ok().and_then(|s| s.parse().ok()).unwrap_or(3)
}

/// Eight clients submit as fast as they can; the server is killed under them at a
/// random moment. Returns the ids that got a 201 in this round.
async fn load_and_kill(
    server: &mut Child,
    client: &reqwest::Client,
    base: &str,
    round: u64,
    rng: &mut Rng,
) -> Vec<String> {
    let version: PublishedVersion =
        client.get(format!("{base}/api/v1/forms/{DEMO_FORM_ID}")).send().await.unwrap().json().await.unwrap();
    let acked = Arc::new(Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let mut clients = Vec::new();
    for c in 0..8u64 {
        let (client, base, acked, stop, version) =
            (client.clone(), base.to_owned(), acked.clone(), stop.clone(), version.version.clone());
        clients.push(tokio::spawn(async move {
            for i in 0..10_000u64 {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let request = sign(&envelope(&version, good_answers(), round * 100_000_000 + c * 1_000_000 + i));
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
                        // The 201 is the promise, even if the body is cut off by the kill.
                        let Ok(body) = res.json::<serde_json::Value>().await else { break };
                        acked.lock().await.push(body["receipt"]["submission"].as_str().unwrap().to_owned());
                    }
                    Ok(res) => panic!("round {round}: {} {}", res.status(), res.text().await.unwrap_or_default()),
                    // The connection died with the server: not acknowledged, nothing promised.
                    Err(_) => break,
                }
            }
        }));
    }
    // Somewhere between a few and a hundred acknowledged, then a random extra moment.
    let target = rng.range(5, 100) as usize;
    let deadline = Instant::now() + Duration::from_secs(20);
    while acked.lock().await.len() < target && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    tokio::time::sleep(Duration::from_millis(rng.range(0, 50))).await;
    server.kill().unwrap(); // SIGKILL
    server.wait().unwrap();
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        c.await.unwrap();
    }
    let acked = acked.lock().await.clone();
    assert!(!acked.is_empty(), "round {round}: nothing acknowledged before the deadline");
    acked
}

/// Rounds of load and kill -9 on one engine, then every acknowledged submission is
/// checked and the chain verified with the database opened directly.
async fn kill_9_rounds(name: &str, db: impl Fn(&std::path::Path) -> Option<String>) {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
    let db = db(dir.path());
    let mut rng = Rng::seeded(name);
    let mut acked = Vec::new();
    for round in 0..fault_rounds() {
        let mut server = spawn_on(dir.path(), port, db.as_deref());
        // It restarts without repair after every kill.
        wait_ready(&client, &base).await;
        acked.extend(load_and_kill(&mut server, &client, &base, round + 1, &mut rng).await);
    }

    // It goes on accepting.
    let mut server = spawn_on(dir.path(), port, db.as_deref());
    wait_ready(&client, &base).await;
    let version: PublishedVersion =
        client.get(format!("{base}/api/v1/forms/{DEMO_FORM_ID}")).send().await.unwrap().json().await.unwrap();
    let request =
        prove(&client, &base, DEMO_FORM_ID, &sign(&envelope(&version.version, good_answers(), 99_000_000))).await;
    let res =
        client.post(format!("{base}/api/v1/forms/{DEMO_FORM_ID}/submissions")).json(&request).send().await.unwrap();
    assert_eq!(res.status(), 201);
    // SIGTERM: graceful stop, releasing the database for the checks below.
    Command::new("kill").arg(server.id().to_string()).status().unwrap();
    assert!(server.wait().unwrap().success());

    let url = db.unwrap_or_else(|| format!("rocksdb://{}", dir.path().join("db").display()));
    let store =
        Store::connect(&DbConfig { url, namespace: "formseal".into(), user: None, password: None }).await.unwrap();
    let state = AppState::new(store, KeyRing::load_or_create(dir.path()).unwrap(), Config::new(&base));
    for id in &acked {
        assert!(
            state.store().submission(id).await.unwrap().is_some(),
            "{name}: acknowledged submission {id} is missing"
        );
    }
    let report = formseal_core::submissions::verify_chain(&state, DEMO_FORM_ID).await.unwrap();
    assert!(report.intact, "{name}: {report:?}");
    assert!(report.receipts as usize > acked.len());
    eprintln!(
        "{name}: {} rounds, {} acknowledged, {} receipts, all there",
        fault_rounds(),
        acked.len(),
        report.receipts
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_acknowledged_submission_survives_kill_9() {
    // The default engine: RocksDB in <data-dir>/db.
    kill_9_rounds("rocksdb", |_| None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_acknowledged_submission_survives_kill_9_on_surrealkv() {
    kill_9_rounds("surrealkv", |dir| Some(format!("surrealkv://{}", dir.join("skv").display()))).await;
}
