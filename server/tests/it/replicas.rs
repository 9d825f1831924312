//! Scale-out: a real SurrealDB server (built from the `surrealdb-server` crate,
//! tools/surreal-server) on loopback, and several real `formseal` processes against
//! it with `--db ws://…`, sharing one key directory. Submissions spread over the
//! replicas keep one valid chain per form, nonces stay idempotent across replicas,
//! sessions work on any replica, concurrent sweeps delete each row once, and a
//! replica killed mid-load loses nothing it acknowledged.
//!
//! Needs `FORMSEAL_SURREAL_BIN` (scripts/test.sh builds the server and sets it);
//! without it these tests say so and pass without running.

use crate::common::{JsonBody, JsonResponse};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use formseal_core::keys::KeyRing;
use formseal_core::permissions::Role;
use formseal_core::store::{DbConfig, Store};
use formseal_core::{AppState, Config, accounts, forms, retention, submissions};
use formseal_model::demo::{self, DEMO_FORM_ID};
use formseal_model::{SignedChallenge, SubmissionRequest};
use tokio::sync::Mutex;

use crate::common::{TEST_POW_DIFFICULTY, envelope_for, good_answers, prove, sign, solve};
use crate::durability::{free_port, ready, wait_ready};

const DB_USER: &str = "root";
const DB_PASSWORD: &str = "root";

/// The SurrealDB server binary, if this run has one.
pub fn surreal_bin() -> Option<PathBuf> {
    let bin = PathBuf::from(std::env::var_os("FORMSEAL_SURREAL_BIN")?);
    assert!(bin.exists(), "FORMSEAL_SURREAL_BIN={} does not exist", bin.display());
    Some(bin)
}

/// A SurrealDB server on 127.0.0.1, in memory, stopped on drop.
pub struct SurrealServer {
    child: Child,
    pub port: u16,
}

impl SurrealServer {
    pub async fn start(bin: &Path, log: &Path) -> SurrealServer {
        let port = free_port();
        let log = std::fs::File::create(log).unwrap();
        let child = Command::new(bin)
            .args(["start", "--bind", &format!("127.0.0.1:{port}"), "--user", DB_USER, "--pass", DB_PASSWORD])
            .args(["--log", "warn", "--no-banner", "memory"])
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        let server = SurrealServer { child, port };
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if client.get(format!("http://127.0.0.1:{port}/health")).send().await.is_ok_and(|r| r.status() == 200) {
                return server;
            }
            assert!(Instant::now() < deadline, "the SurrealDB server did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub fn url(&self) -> String {
        format!("ws://127.0.0.1:{}", self.port)
    }

    /// The domain state of an extra "replica" in this test process (same database,
    /// same keys), for checks and for calling the domain directly.
    pub async fn state(&self, key_dir: &Path) -> AppState {
        let store = Store::connect(&DbConfig {
            url: self.url(),
            namespace: "formseal".into(),
            user: Some(DB_USER.into()),
            password: Some(DB_PASSWORD.into()),
        })
        .await
        .unwrap();
        AppState::new(store, KeyRing::load_or_create_in(key_dir).unwrap(), Config::new("http://127.0.0.1:1"))
    }
}

impl Drop for SurrealServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One `formseal serve` process against the SurrealDB server; killed on drop.
pub struct Replica {
    child: Option<Child>,
    pub base: String,
    pub log: PathBuf,
    port: u16,
    db: String,
    data: PathBuf,
    keys: PathBuf,
}

impl Replica {
    pub fn spawn(db: &str, root: &Path, n: usize, keys: &Path) -> Replica {
        let port = free_port();
        let mut replica = Replica {
            child: None,
            base: format!("http://127.0.0.1:{port}"),
            log: root.join(format!("replica-{n}.log")),
            port,
            db: db.to_owned(),
            data: root.join(format!("replica-{n}")),
            keys: keys.to_owned(),
        };
        replica.restart();
        replica
    }

    /// Starts the process (again).
    pub fn restart(&mut self) {
        let log = || std::fs::OpenOptions::new().create(true).append(true).open(&self.log).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_formseal"))
            .args(["serve", "--db", &self.db, "--db-user", DB_USER])
            .args(["--data-dir", self.data.to_str().unwrap(), "--key-dir", self.keys.to_str().unwrap()])
            .args(["--listen", &format!("127.0.0.1:{}", self.port)])
            .args(["--rate-limit-burst", "1000000", "--pow-difficulty", &TEST_POW_DIFFICULTY.to_string()])
            .env("FORMSEAL_DB_PASSWORD", DB_PASSWORD)
            .env("FORMSEAL_RETENTION_SWEEP_SECONDS", "1")
            .env("FORMSEAL_LOG", "warn,formseal_core::retention=debug")
            .stdout(log())
            .stderr(log())
            .spawn()
            .unwrap();
        self.child = Some(child);
    }

    /// SIGKILL: no shutdown, no flush, mid-request.
    pub fn kill_9(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().unwrap();
            child.wait().unwrap();
        }
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A SurrealDB server and `n` replicas, all ready. They start at the same moment
/// on the empty database and key directory, so they race to create the schema,
/// the key, the owner and the demo form: that must work too.
struct Cluster {
    dir: tempfile::TempDir,
    db: SurrealServer,
    replicas: Vec<Replica>,
    client: reqwest::Client,
}

impl Cluster {
    async fn start(n: usize) -> Option<Cluster> {
        let Some(bin) = surreal_bin() else {
            // scripts/test.sh (and so CI) must really run them: skipping there fails.
            assert!(
                std::env::var_os("FORMSEAL_SCALE_TESTS").is_none(),
                "FORMSEAL_SCALE_TESTS set without FORMSEAL_SURREAL_BIN"
            );
            eprintln!("FORMSEAL_SURREAL_BIN is not set: scale-out test not run (scripts/test.sh sets it)");
            return None;
        };
        let dir = tempfile::tempdir().unwrap();
        let db = SurrealServer::start(&bin, &dir.path().join("surreal.log")).await;
        let keys = dir.path().join("keys");
        let client = reqwest::Client::builder().timeout(Duration::from_secs(20)).build().unwrap();
        let replicas: Vec<Replica> = (0..n).map(|i| Replica::spawn(&db.url(), dir.path(), i, &keys)).collect();
        for r in &replicas {
            assert!(ready(&client, &r.base).await, "{} did not become ready:\n{}", r.base, r.log_text());
        }
        Some(Cluster { dir, db, replicas, client })
    }

    fn keys(&self) -> PathBuf {
        self.dir.path().join("keys")
    }

    fn logs(&self) -> String {
        self.replicas.iter().map(|r| format!("--- {}\n{}", r.base, r.log_text())).collect()
    }
}

/// Posts a signed request to one replica; `None` when the replica did not answer.
async fn post(client: &reqwest::Client, base: &str, form: &str, request: &SubmissionRequest) -> Option<(u16, String)> {
    let res = client.post(format!("{base}/api/v1/forms/{form}/submissions")).json(request).send().await.ok()?;
    let status = res.status().as_u16();
    Some((status, res.text().await.unwrap_or_default()))
}

async fn challenge(client: &reqwest::Client, base: &str, form: &str) -> Option<SignedChallenge> {
    client.get(format!("{base}/api/v1/forms/{form}/challenge")).send().await.ok()?.json().await.ok()
}

fn submission_id(body: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(body).unwrap();
    v["receipt"]["submission"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn replicas_keep_one_chain_per_form_and_nonces_stay_idempotent() {
    let Some(cluster) = Cluster::start(3).await else { return };
    let state = cluster.db.state(&cluster.keys()).await;
    // A second form, published from "outside" (another replica's code path).
    let mut second = demo::contact_tracing();
    second.id = "second-form".into();
    let second = forms::publish(&state, second, &["*".to_owned()]).await.unwrap();
    let demo_version = forms::current(&state, DEMO_FORM_ID).await.unwrap().version;

    // Twelve clients, each sending to every replica in turn, half to each form: one
    // hot form per replica set, written by all replicas at once.
    let bases: Vec<String> = cluster.replicas.iter().map(|r| r.base.clone()).collect();
    let mut tasks = Vec::new();
    for c in 0..12u64 {
        let (client, bases) = (cluster.client.clone(), bases.clone());
        let (form, version) = if c % 2 == 0 {
            (DEMO_FORM_ID.to_owned(), demo_version.clone())
        } else {
            (second.definition.id.clone(), second.version.clone())
        };
        tasks.push(tokio::spawn(async move {
            let mut statuses = Vec::new();
            for i in 0..10u64 {
                let base = &bases[((c + i) % bases.len() as u64) as usize];
                let request = sign(&envelope_for(&form, &version, good_answers(), 5_000_000 + c * 1000 + i));
                let request = prove(&client, base, &form, &request).await;
                let (status, body) = post(&client, base, &form, &request).await.expect("the replica answers");
                statuses.push((status, body));
            }
            statuses
        }));
    }
    let mut per_form = [0u64; 2];
    for (c, t) in tasks.into_iter().enumerate() {
        for (status, body) in t.await.unwrap() {
            assert_eq!(status, 201, "no conflict may reach a visitor: {body}\n{}", cluster.logs());
            per_form[c % 2] += 1;
        }
    }
    for (form, n) in [(DEMO_FORM_ID, per_form[0]), ("second-form", per_form[1])] {
        let chain = submissions::verify_chain(&state, form).await.unwrap();
        assert!(chain.intact && chain.receipts == n, "{form}: {chain:?}");
    }

    // The same envelope posted to every replica at once (a visitor's retries landing
    // on different replicas): one submission, one receipt, answered everywhere.
    for n in 0..6u64 {
        let request = sign(&envelope_for(DEMO_FORM_ID, &demo_version, good_answers(), 6_000_000 + n));
        let request = prove(&cluster.client, &bases[0], DEMO_FORM_ID, &request).await;
        let answers = futures_join_all(bases.iter().map(|b| {
            let (client, b, request) = (cluster.client.clone(), b.clone(), request.clone());
            async move { post(&client, &b, DEMO_FORM_ID, &request).await.unwrap() }
        }))
        .await;
        let created = answers.iter().filter(|(s, _)| *s == 201).count();
        assert_eq!(created, 1, "{answers:?}");
        assert!(answers.iter().all(|(s, _)| *s == 201 || *s == 200), "{answers:?}");
        let ids: std::collections::BTreeSet<String> = answers.iter().map(|(_, b)| submission_id(b)).collect();
        assert_eq!(ids.len(), 1, "one receipt for one envelope: {answers:?}");
        // A different envelope under the same nonce, on another replica: refused.
        let mut other = envelope_for(DEMO_FORM_ID, &demo_version, good_answers(), 6_000_000 + n);
        other.answers.insert("name".into(), serde_json::json!("Someone Else"));
        let other = prove(&cluster.client, &bases[2], DEMO_FORM_ID, &sign(&other)).await;
        let (status, body) = post(&cluster.client, &bases[2], DEMO_FORM_ID, &other).await.unwrap();
        assert_eq!(status, 409, "{body}");
    }
    let chain = submissions::verify_chain(&state, DEMO_FORM_ID).await.unwrap();
    assert!(chain.intact && chain.receipts == per_form[0] + 6, "{chain:?}");
}

/// `join_all` without another dependency: the futures run concurrently.
async fn futures_join_all<F: std::future::Future + Send + 'static>(futures: impl Iterator<Item = F>) -> Vec<F::Output>
where
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sessions_work_on_any_replica_and_sweeps_delete_each_row_once() {
    let Some(cluster) = Cluster::start(3).await else { return };
    let state = cluster.db.state(&cluster.keys()).await;
    let client = &cluster.client;
    let bases: Vec<String> = cluster.replicas.iter().map(|r| r.base.clone()).collect();

    // Log in on one replica; the session is in the database, so every replica knows it.
    let password = "correct horse battery staple";
    accounts::create_account(&state, "dpo-anna", password, Role::Dpo).await.unwrap();
    let res = client
        .post(format!("{}/admin/fn/login", bases[0]))
        .form(&[("username", "dpo-anna"), ("password", password)])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let cookie = res.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let me = |base: String| {
        let (client, cookie) = (client.clone(), cookie.clone());
        async move {
            let res = client.post(format!("{base}/admin/fn/me")).header("cookie", cookie).send().await.unwrap();
            (res.status().as_u16(), res.text().await.unwrap())
        }
    };
    for base in &bases {
        let (status, body) = me(base.clone()).await;
        assert_eq!(status, 200, "{base}: {body}");
        assert!(body.contains("dpo-anna"), "{body}");
    }
    // Logging out on another replica ends it everywhere.
    let res = client.post(format!("{}/admin/fn/logout", bases[1])).header("cookie", &cookie).send().await.unwrap();
    assert!(res.status().is_success());
    for base in &bases {
        assert_ne!(me(base.clone()).await.0, 200, "{base} still knows the session");
    }

    // Submissions through every replica, then three sweeps at once as if 31 days had
    // passed (each replica's sweeper runs this code): every row is deleted once.
    let version = forms::current(&state, DEMO_FORM_ID).await.unwrap().version;
    let mut ids = Vec::new();
    for n in 0..24u64 {
        let base = &bases[n as usize % bases.len()];
        let request = sign(&envelope_for(DEMO_FORM_ID, &version, good_answers(), 7_000_000 + n));
        let request = prove(client, base, DEMO_FORM_ID, &request).await;
        let (status, body) = post(client, base, DEMO_FORM_ID, &request).await.unwrap();
        assert_eq!(status, 201, "{body}");
        ids.push(submission_id(&body));
    }
    let later = chrono::Utc::now().timestamp_millis() + 31 * 86_400_000;
    let sweepers = [
        cluster.db.state(&cluster.keys()).await,
        cluster.db.state(&cluster.keys()).await,
        cluster.db.state(&cluster.keys()).await,
    ];
    let (a, b, c) = tokio::join!(
        retention::sweep(&sweepers[0], later),
        retention::sweep(&sweepers[1], later),
        retention::sweep(&sweepers[2], later)
    );
    assert_eq!(a.unwrap() + b.unwrap() + c.unwrap(), ids.len() as u64, "each row deleted exactly once");
    for id in &ids {
        let checked = submissions::checked(&state, id).await.unwrap();
        assert!(checked.row.envelope.is_none() && checked.deleted.is_some_and(|(_, valid)| valid));
    }
    assert!(submissions::verify_chain(&state, DEMO_FORM_ID).await.unwrap().intact);

    // And the real sweeper runs on every replica (every second here).
    let deadline = Instant::now() + Duration::from_secs(30);
    while !cluster.replicas.iter().all(|r| r.log_text().contains("retention sweep")) {
        assert!(Instant::now() < deadline, "a replica never swept:\n{}", cluster.logs());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_replica_killed_mid_load_loses_nothing_acknowledged() {
    let Some(mut cluster) = Cluster::start(3).await else { return };
    let state = cluster.db.state(&cluster.keys()).await;
    let version = forms::current(&state, DEMO_FORM_ID).await.unwrap().version;
    let bases: Vec<String> = cluster.replicas.iter().map(|r| r.base.clone()).collect();

    let acked = Arc::new(Mutex::new(Vec::<String>::new()));
    let errors = Arc::new(Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for c in 0..9u64 {
        let (client, bases, acked, errors, stop, version) =
            (cluster.client.clone(), bases.clone(), acked.clone(), errors.clone(), stop.clone(), version.clone());
        tasks.push(tokio::spawn(async move {
            for i in 0..2_000u64 {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                // Like a load balancer: the next replica, skipping one that does not answer.
                let base = &bases[((c + i) % bases.len() as u64) as usize];
                let request = sign(&envelope_for(DEMO_FORM_ID, &version, good_answers(), 8_000_000 + c * 10_000 + i));
                let Some(ch) = challenge(&client, base, DEMO_FORM_ID).await else { continue };
                let request = SubmissionRequest { proof: Some(solve(ch)), ..request };
                match post(&client, base, DEMO_FORM_ID, &request).await {
                    Some((201, body)) => acked.lock().await.push(submission_id(&body)),
                    Some((status, body)) => errors.lock().await.push(format!("{status} {body}")),
                    None => {} // Killed under this request: nothing was promised.
                }
            }
        }));
    }
    let wait_for = |n: usize| {
        let acked = acked.clone();
        async move {
            let deadline = Instant::now() + Duration::from_secs(60);
            while acked.lock().await.len() < n && Instant::now() < deadline {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    };
    wait_for(40).await;
    cluster.replicas[1].kill_9();
    let at_kill = acked.lock().await.len();
    wait_for(at_kill + 40).await;
    // It comes back without repair and takes its share again.
    cluster.replicas[1].restart();
    wait_ready(&cluster.client, &bases[1]).await;
    // Not `wait_for(acked.lock().await.len() + 30)`: the guard would live to the
    // end of that statement and `wait_for` could never lock.
    let at_restart = acked.lock().await.len();
    wait_for(at_restart + 30).await;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await.unwrap();
    }
    let errors = errors.lock().await.clone();
    assert!(errors.is_empty(), "{errors:?}\n{}", cluster.logs());
    let acked = acked.lock().await.clone();
    assert!(acked.len() >= at_kill + 70, "only {} acknowledged", acked.len());
    for id in &acked {
        let found = tokio::time::timeout(Duration::from_secs(20), state.store().submission(id)).await;
        assert!(found.expect("lookup timed out").unwrap().is_some(), "acknowledged submission {id} is missing");
    }
    let chain = tokio::time::timeout(Duration::from_secs(60), submissions::verify_chain(&state, DEMO_FORM_ID)).await;
    let chain = chain.expect("chain check timed out").unwrap();
    assert!(chain.intact && chain.receipts as usize >= acked.len(), "{chain:?}");
}
