//! `formseal-bench`: measures Formseal against baselines taken in the same run and
//! prints one table (docs/performance.md). Not a test: run it on demand.
//!
//! ```sh
//! cargo run --profile perf -p formseal --features bench-tool --bin formseal-bench -- [--rows 100000] [--db ws://127.0.0.1:8000]
//! ```
//!
//! The server runs in this process (the real router on 127.0.0.1, the real store);
//! the clients send pre-signed submissions over HTTP. Everything goes to loopback
//! and stops by itself.

// A tool run by hand: a failed step should stop it loudly, and progress goes to
// stderr so the table on stdout stays clean.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::print_stderr)]

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use clap::Parser;
use ed25519_dalek::SigningKey;
use formseal::cli::{LogFormat, ServeArgs};
use formseal::{router, serve};
use formseal_core::permissions::{Operator, Role};
use formseal_core::{AppState, accounts, forms, pow, requests, retention, store};
use formseal_model::demo::{self, DEMO_FORM_ID};
use formseal_model::{Answers, Envelope, SubmissionRequest, b64_encode};
use serde_json::json;

#[derive(Parser, Debug)]
#[command(about = "Formseal benchmarks against same-run baselines")]
struct Opts {
    /// Submissions in the database for the list and retention figures (the
    /// issue's figure is 100 000; `--large` means 1 000 000).
    #[arg(long, default_value_t = 100_000)]
    rows: u64,
    #[arg(long)]
    large: bool,
    /// Submissions per ingest measurement.
    #[arg(long, default_value_t = 3_000)]
    requests: usize,
    /// A SurrealDB server (`ws://127.0.0.1:8000`) instead of embedded RocksDB.
    #[arg(long)]
    db: Option<String>,
    #[arg(long, default_value = "root")]
    db_user: String,
    #[arg(long, default_value = "root")]
    db_password: String,
    /// Stop filling the database after this many seconds (and report what it holds).
    #[arg(long, default_value_t = 900)]
    fill_seconds: u64,
    /// Only print what each step of one submission costs (one at a time), then stop.
    #[arg(long)]
    steps: bool,
}

struct Run {
    ok: usize,
    rate: f64,
    p50: f64,
    p99: f64,
    errors: usize,
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn answers(n: u64) -> Answers {
    let today = chrono::Utc::now().date_naive().to_string();
    [
        ("name", json!(format!("Person {n}"))),
        ("address", json!("Musterstraße 1\n10115 Berlin")),
        // One phone number per person: the access-request lookup searches by it.
        ("phone", json!(phone(n))),
        ("visit_date", json!(today)),
        ("visit_time", json!(format!("{today}T18:30"))),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

fn phone(n: u64) -> String {
    format!("+4930{:09}", n % 1_000_000_000)
}

/// One access-request search (`requests::search`: index tokens, the indexed query,
/// the hits written to the request, the audit record) for the person with phone
/// `phone(n)`, repeated; median and worst server-side time in ms.
async fn lookup(state: &AppState, owner: &Operator, n: u64) -> (f64, f64, usize) {
    let input = requests::RequestInput {
        requester: format!("Person {n}"),
        contact: "by post".into(),
        received_on: chrono::Utc::now().date_naive().to_string(),
        identity_check: "bench".into(),
    };
    let id = requests::register(state, owner, &input).await.expect("register");
    let criteria = requests::Criteria { phone: phone(n), ..Default::default() };
    let mut times = Vec::new();
    let mut found = 0;
    for _ in 0..21 {
        let t = Instant::now();
        found = requests::search(state, owner, &id, &criteria).await.expect("search");
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    (pct(&times, 0.5), pct(&times, 1.0), found)
}

/// Signed, with a solved (difficulty 0) challenge: what a widget would send.
async fn requests(state: &AppState, form: &str, version: &str, n: usize, seed: u64) -> Vec<bytes_body::Body> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n as u64 {
        let s = seed + i;
        let mut nonce = [0u8; 16];
        nonce[..8].copy_from_slice(&s.to_be_bytes());
        let envelope = Envelope {
            v: 1,
            form: form.into(),
            version: version.into(),
            answers: answers(s),
            nonce: b64_encode(&nonce),
            client_time: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            link: None,
        };
        let key = SigningKey::from_bytes(&formseal_model::canonical::digest(&s.to_be_bytes()));
        let request = SubmissionRequest::sign(&envelope, &key).expect("sign");
        let challenge = pow::issue(state, form).await.expect("challenge");
        let counter = formseal_model::pow::solve(&challenge.challenge.work_input().expect("work"), 0, 0, 1 << 20)
            .expect("difficulty 0");
        let request = SubmissionRequest { proof: Some(challenge.prove(counter)), ..request };
        out.push(bytes_body::Body { form: form.to_owned(), json: serde_json::to_vec(&request).expect("json") });
    }
    out
}

mod bytes_body {
    pub struct Body {
        pub form: String,
        pub json: Vec<u8>,
    }
}

/// Posts every body with `clients` concurrent clients; POST latency only.
async fn ingest(base: &str, bodies: Vec<bytes_body::Body>, clients: usize) -> Run {
    let bodies = Arc::new(bodies);
    let next = Arc::new(AtomicUsize::new(0));
    let client = reqwest::Client::builder().pool_max_idle_per_host(clients).build().expect("client");
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (bodies, next, client, base) = (bodies.clone(), next.clone(), client.clone(), base.to_owned());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut errors = 0;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(body) = bodies.get(i) else { break };
                let t = Instant::now();
                let res = client
                    .post(format!("{base}/api/v1/forms/{}/submissions", body.form))
                    .header("content-type", "application/json")
                    .body(body.json.clone())
                    .send()
                    .await;
                match res {
                    Ok(r) if r.status() == 201 => {
                        let _ = r.bytes().await;
                        lat.push(t.elapsed().as_secs_f64() * 1000.0);
                    }
                    Ok(r) => {
                        errors += 1;
                        if errors < 3 {
                            eprintln!("  {} {}", r.status(), r.text().await.unwrap_or_default());
                        }
                    }
                    Err(e) => {
                        errors += 1;
                        eprintln!("  {e}");
                    }
                }
            }
            (lat, errors)
        }));
    }
    let mut lat = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (l, e) = t.await.expect("client task");
        lat.extend(l);
        errors += e;
    }
    let secs = started.elapsed().as_secs_f64();
    lat.sort_by(f64::total_cmp);
    Run { ok: lat.len(), rate: lat.len() as f64 / secs, p50: pct(&lat, 0.5), p99: pct(&lat, 0.99), errors }
}

/// The same records inserted straight into SurrealDB (same engine, same durability
/// setting), `clients` at a time: the baseline for ingest.
/// The clients share one handle (one session), as the store does.
async fn raw_insert(
    db: &Arc<surrealdb::Surreal<surrealdb::engine::any::Any>>,
    n: usize,
    clients: usize,
    tag: &str,
) -> Run {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (db, next, tag) = (db.clone(), next.clone(), tag.to_owned());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    break;
                }
                let row = json!({
                    "submission_id": format!("{tag}-{i}"), "form_id": DEMO_FORM_ID, "version": "v", "nonce": format!("n{i}"),
                    "envelope": { "v": 1, "form": DEMO_FORM_ID, "answers": answers(i as u64), "nonce": format!("n{i}"),
                                  "client_time": "2026-11-27T10:00:00.000Z", "version": "x".repeat(43) },
                    "envelope_digest": "d".repeat(43), "public_key": "k".repeat(43), "signature": "s".repeat(86),
                    "sequence": i, "receipt": { "receipt": { "sequence": i, "previous": "p".repeat(43) }, "signature": "s".repeat(86) },
                    "receipt_digest": "r".repeat(43), "received_at": "2026-11-27T10:00:00.000Z",
                });
                let t = Instant::now();
                db.query("CREATE type::record('raw_submission', $id) CONTENT $row")
                    .bind(("id", format!("{tag}-{i}")))
                    .bind(("row", row))
                    .await
                    .and_then(|r| r.check())
                    .expect("raw insert");
                lat.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            lat
        }));
    }
    let mut lat = Vec::new();
    for t in tasks {
        lat.extend(t.await.expect("raw task"));
    }
    let secs = started.elapsed().as_secs_f64();
    lat.sort_by(f64::total_cmp);
    Run { ok: lat.len(), rate: lat.len() as f64 / secs, p50: pct(&lat, 0.5), p99: pct(&lat, 0.99), errors: 0 }
}

/// Mean time of `f` over `n` sequential calls, in ms.
async fn mean_ms<F, Fut>(n: usize, mut f: F) -> f64
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let t = Instant::now();
    for i in 0..n {
        f(i).await;
    }
    t.elapsed().as_secs_f64() * 1000.0 / n as f64
}

/// What one statement costs over a fresh connection to a SurrealDB server: the same
/// cost for trivial statements as for real ones means the round trip, not the work.
async fn remote_round_trips(url: &str, user: &str, password: &str) {
    let c = surrealdb::engine::any::connect(url).await.expect("connect");
    c.signin(surrealdb::opt::auth::Root { username: user.to_owned(), password: password.to_owned() })
        .await
        .expect("sign in");
    c.use_ns("formseal_bench").use_db("formseal_bench").await.expect("ns");
    // The same handle for every call: a clone of it would be a new session.
    let c = &c;
    for (label, sql) in [
        ("RETURN 1", "RETURN 1"),
        ("chain head read", "SELECT sequence, digest FROM type::record('chain_head', $form_id)"),
        ("a create", "CREATE bench_probe SET a = 1"),
    ] {
        let ms = mean_ms(100, |_| async move {
            c.query(sql).bind(("form_id", DEMO_FORM_ID)).await.expect("query");
        })
        .await;
        println!("| remote, fresh connection: {label} | {ms:.3} |");
    }
}

/// What each step of accepting one submission costs, one call at a time.
async fn steps(state: &AppState, version: &str, db: Option<(&str, &str, &str)>) {
    let n = 500;
    if let Some((url, user, password)) = db {
        remote_round_trips(url, user, password).await;
    }
    let bodies = requests(state, DEMO_FORM_ID, version, n, 42_000_000).await;
    let parsed: Vec<SubmissionRequest> =
        bodies.iter().map(|b| serde_json::from_slice(&b.json).expect("json")).collect();
    let verify = mean_ms(n, |i| {
        let r = &parsed[i];
        async move {
            r.verify().expect("verifies");
        }
    })
    .await;
    let nonce = mean_ms(n, |i| async move {
        state.store().submission_by_nonce(DEMO_FORM_ID, &format!("n{i}")).await.expect("nonce");
    })
    .await;
    let spent = mean_ms(n, |i| async move {
        state.store().challenge_spent(&format!("c{i}")).await.expect("spent");
    })
    .await;
    let accepting = mean_ms(n, |_| async move {
        forms::accepting(state, DEMO_FORM_ID, version).await.expect("accepting");
    })
    .await;
    let head = mean_ms(n, |_| async move {
        state.store().chain_head(DEMO_FORM_ID).await.expect("head");
    })
    .await;
    let accept = mean_ms(n, |i| {
        let r = parsed[i].clone();
        async move {
            formseal_core::submissions::accept(state, DEMO_FORM_ID, r).await.expect("accept");
        }
    })
    .await;
    // The store's write alone, in batches of 1, 8 and 64 (per row).
    let mut batch_costs = Vec::new();
    for size in [1usize, 8, 64] {
        let rounds = (256 / size).max(4);
        let t = Instant::now();
        for r in 0..rounds {
            let (head, _) = state.store().chain_head("steps").await.expect("head");
            let rows: Vec<store::NewSubmission> = (0..size as u64)
                .map(|k| {
                    let id = format!("steps-{size}-{r}-{k}");
                    store::NewSubmission {
                        submission_id: id.clone(),
                        form_id: "steps".into(),
                        version: "v".into(),
                        nonce: id.clone(),
                        envelope: json!({ "answers": answers(k) }),
                        envelope_digest: "d".repeat(43),
                        public_key: "k".repeat(43),
                        signature: "s".repeat(86),
                        sequence: head + 1 + k,
                        receipt: json!({ "receipt": { "sequence": head + 1 + k } }),
                        receipt_digest: "r".repeat(43),
                        received_at: "2026-11-27T10:00:00.000Z".into(),
                        delete_after: "2026-12-27T10:00:00.000Z".into(),
                        challenge: Some(store::SpentChallenge {
                            id: format!("ch-{id}"),
                            expires: "2026-11-28T10:00:00.000Z".into(),
                        }),
                        person_tokens: vec![format!("tok-{id}")],
                        messages: vec![],
                    }
                })
                .collect();
            let refs: Vec<(&store::NewSubmission, Option<&str>)> = rows.iter().map(|r| (r, None)).collect();
            let outcome = state.store().insert_submissions(&refs).await.expect("insert");
            assert_eq!(outcome, store::InsertOutcome::Stored);
        }
        batch_costs.push((size, t.elapsed().as_secs_f64() * 1000.0 / (rounds * size) as f64));
    }
    // Where a row's cost in SurrealDB lies: the same row into tables of growing schema.
    let tmp = tempfile::tempdir().expect("temp dir");
    let raw = surrealdb::engine::any::connect(store::durable_url(&format!("rocksdb://{}", tmp.path().display())))
        .await
        .expect("raw db");
    raw.use_ns("s").use_db("s").await.expect("ns");
    let fields = [
        "submission_id string",
        "form_id string",
        "version string",
        "nonce string",
        "envelope option<object> FLEXIBLE",
        "envelope_digest string",
        "public_key string",
        "signature string",
        "sequence int",
        "receipt object FLEXIBLE",
        "receipt_digest string",
        "received_at datetime",
        "delete_after datetime",
    ];
    let mut schema = String::from("DEFINE TABLE full SCHEMAFULL; DEFINE TABLE idx SCHEMAFULL;");
    for f in fields {
        let (name, kind) = f.split_once(' ').expect("field");
        schema += &format!("DEFINE FIELD {name} ON full TYPE {kind}; DEFINE FIELD {name} ON idx TYPE {kind};");
    }
    schema += "DEFINE INDEX a ON idx FIELDS submission_id UNIQUE; DEFINE INDEX b ON idx FIELDS form_id, nonce UNIQUE;
               DEFINE INDEX c ON idx FIELDS form_id, sequence UNIQUE; DEFINE INDEX d ON idx FIELDS delete_after;";
    raw.query(schema).await.and_then(|r| r.check()).expect("schema");
    let mut table_costs = Vec::new();
    for table in ["free", "full", "idx"] {
        for size in [1usize, 64] {
            let rounds = (512 / size).max(8);
            let t = Instant::now();
            for r in 0..rounds {
                let rows: Vec<serde_json::Value> = (0..size)
                    .map(|k| {
                        let i = (r * size + k) as u64;
                        json!({
                            "id": format!("{size}-{i}"), "submission_id": format!("{size}-{i}"), "form_id": "f", "version": "v",
                            "nonce": format!("{size}-{i}"), "envelope": { "answers": answers(i) },
                            "envelope_digest": "d".repeat(43), "public_key": "k".repeat(43), "signature": "s".repeat(86),
                            "sequence": i + (size as u64) * 1_000_000, "receipt": { "sequence": i },
                            "receipt_digest": "r".repeat(43),
                            "received_at": chrono::Utc::now(), "delete_after": chrono::Utc::now(),
                        })
                    })
                    .collect();
                raw.query(format!(
                    "BEGIN; FOR $s IN $rows {{ CREATE type::record('{table}', $s.id) CONTENT {{
                        submission_id: $s.submission_id, form_id: $s.form_id, version: $s.version, nonce: $s.nonce,
                        envelope: $s.envelope, envelope_digest: $s.envelope_digest, public_key: $s.public_key,
                        signature: $s.signature, sequence: $s.sequence, receipt: $s.receipt,
                        receipt_digest: $s.receipt_digest, received_at: <datetime>$s.received_at,
                        delete_after: <datetime>$s.delete_after }} }}; COMMIT;"
                ))
                .bind(("rows", rows))
                .await
                .and_then(|r| r.check())
                .expect("raw batch");
            }
            table_costs.push((table, size, t.elapsed().as_secs_f64() * 1000.0 / (rounds * size) as f64));
        }
    }
    let http =
        ingest(&format!("{}", state.config.public_url), requests(state, DEMO_FORM_ID, version, n, 43_000_000).await, 1)
            .await;
    println!("| step (one at a time) | ms |");
    println!("| --- | ---: |");
    for (name, ms) in [
        ("verify envelope (canonical + ed25519)", verify),
        ("nonce lookup", nonce),
        ("challenge spent?", spent),
        ("form + version (forms::accepting)", accepting),
        ("chain head", head),
        ("submissions::accept, whole", accept),
        ("POST over HTTP, whole", 1000.0 / http.rate),
    ] {
        println!("| {name} | {ms:.3} |");
    }
    for (table, size, ms) in table_costs {
        println!("| raw row into a {table} table, batches of {size} | {ms:.3} |");
    }
    for (size, ms) in batch_costs {
        println!("| store write per row, batches of {size} (incl. chain head read) | {ms:.3} |");
    }
}

/// A logged-in console client: times console server functions as a browser calls them.
struct Console {
    client: reqwest::Client,
    base: String,
    cookie: String,
}

impl Console {
    /// Median and max of 15 calls of server function `endpoint`, in ms.
    async fn median_ms(&self, endpoint: &str, form: &[(&str, &str)]) -> (f64, f64) {
        let mut times = Vec::new();
        for _ in 0..15 {
            let t = Instant::now();
            let r = self
                .client
                .post(format!("{}/admin/fn/{endpoint}", self.base))
                .header("cookie", &self.cookie)
                .form(form)
                .send()
                .await
                .expect(endpoint);
            assert!(r.status().is_success(), "{endpoint}: {}", r.status());
            let _ = r.bytes().await;
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        (pct(&times, 0.5), pct(&times, 1.0))
    }
}

fn rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn dir_bytes(path: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(path) else { return 0 };
    entries
        .filter_map(Result::ok)
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_bytes(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let mut opts = Opts::parse();
    if opts.large {
        opts.rows = 1_000_000;
        // At 500-900 submissions a second the fill alone takes 20-35 minutes.
        opts.fill_seconds = opts.fill_seconds.max(3_600);
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    let data = tmp.path().join("data");
    let remote = opts.db.is_some();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("listen");
    let addr: SocketAddr = listener.local_addr().expect("addr");
    let args = ServeArgs {
        db: opts.db.clone(),
        data_dir: data.clone(),
        key_dir: None,
        listen: addr,
        public_url: Some(format!("http://{addr}")),
        log_format: LogFormat::Human,
        site_dir: data.join("site"),
        db_namespace: "formseal_bench".into(),
        db_user: remote.then(|| opts.db_user.clone()),
        db_password: remote.then(|| opts.db_password.clone()),
        rate_limit_burst: 1_000_000_000,
        pow_difficulty: 0,
        trusted_proxies: None,
        max_connections: 4096,
        header_timeout_seconds: 10,
        session_idle_minutes: 15,
        session_idle_seconds: None,
        retention_sweep_minutes: 1_000_000,
        retention_sweep_seconds: None,
        session_max_hours: 12,
        session_max_seconds: None,
        retired_version_grace_hours: 24,
        smtp_url: None,
        mail_from: None,
        message_retry_seconds: 30,
        message_retry_ms: None,
        message_give_up_hours: 24,
        allow_private_webhooks: false,
        reminder_day_ms: None,
    };
    let db_url = serve::db_url(&args);
    let server = serve::prepare(&args).await.expect("server");
    let state = server.app.clone();
    let service = router(server).into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, service).await });
    let base = format!("http://{addr}");
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "# formseal-bench: {} ({} cores), rows={}, requests per run={}",
        db_url.split('?').next().unwrap_or(""),
        cores,
        opts.rows,
        opts.requests
    );
    println!(
        "# build: {}",
        if cfg!(debug_assertions) { "DEBUG (unoptimised): compare ratios only" } else { "optimised" }
    );

    // Sixteen more forms for the "many forms" runs.
    let demo_version = forms::current(&state, DEMO_FORM_ID).await.expect("demo form").version;
    let mut many = Vec::new();
    for i in 0..16 {
        let mut def = demo::contact_tracing();
        def.id = format!("bench-{i}");
        let published = forms::publish(&state, def, &["*".to_owned()]).await.expect("publish");
        many.push((published.definition.id.clone(), published.version.clone()));
    }

    if opts.steps {
        let db = opts.db.as_deref().map(|url| (url, opts.db_user.as_str(), opts.db_password.as_str()));
        steps(&state, &demo_version, db).await;
        return;
    }

    // Baseline 1: envelope verification alone (canonical bytes + ed25519), one core.
    let sample = requests(&state, DEMO_FORM_ID, &demo_version, 2_000, 900_000_000).await;
    let parsed: Vec<SubmissionRequest> =
        sample.iter().map(|b| serde_json::from_slice(&b.json).expect("json")).collect();
    let t = Instant::now();
    for r in &parsed {
        r.verify().expect("verifies");
    }
    let verify_rate = parsed.len() as f64 / t.elapsed().as_secs_f64();

    // Baseline 2: raw SurrealDB inserts, same engine and durability setting.
    let raw_url = if remote {
        db_url.clone()
    } else {
        store::durable_url(&format!("rocksdb://{}", tmp.path().join("raw").display()))
    };
    let raw = Arc::new(surrealdb::engine::any::connect(raw_url).await.expect("raw db"));
    if remote {
        raw.signin(surrealdb::opt::auth::Root { username: opts.db_user.clone(), password: opts.db_password.clone() })
            .await
            .expect("sign in");
    }
    raw.use_ns("formseal_bench_raw").use_db("raw").await.expect("raw ns");

    let mut seed = 0u64;
    let mut table = Vec::new();
    let mut rss_after_ingest = 0.0;
    for clients in [1usize, 16, 64] {
        let n = if clients == 1 { opts.requests.min(1_000) } else { opts.requests };
        eprintln!("… {clients} clients");
        let raw_run = raw_insert(&raw, n, clients, &format!("c{clients}")).await;
        seed += 10_000_000;
        let bodies = requests(&state, DEMO_FORM_ID, &demo_version, n, seed).await;
        let hot = ingest(&base, bodies, clients).await;
        table.push((format!("ingest, one hot form, {clients} clients"), hot, raw_run));
        if clients > 1 {
            let raw_run = raw_insert(&raw, n, clients, &format!("m{clients}")).await;
            let mut bodies = Vec::new();
            for (i, (form, version)) in many.iter().enumerate() {
                seed += 1_000_000;
                bodies.extend(requests(&state, form, version, n / many.len(), seed + i as u64).await);
            }
            let spread = ingest(&base, bodies, clients).await;
            table.push((format!("ingest, 16 forms, {clients} clients"), spread, raw_run));
        }
        rss_after_ingest = rss_mb();
    }
    println!();
    println!(
        "| measurement | submissions/s | p50 ms | p99 ms | errors | baseline: raw insert/s (p99 ms) | ratio | goal |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
    for (name, run, raw_run) in &table {
        println!(
            "| {name} | {:.0} | {:.1} | {:.1} | {} | {:.0} ({:.1}) | {:.2}× | ≥ 0.5×{} |",
            run.rate,
            run.p50,
            run.p99,
            run.errors,
            raw_run.rate,
            raw_run.p99,
            run.rate / raw_run.rate,
            if name.contains("64") { ", p99 ≤ 20 ms" } else { "" }
        );
    }
    println!(
        "| envelope verify alone (canonical + ed25519), 1 core | {verify_rate:.0} | | | | | {:.2}× of 64-client hot ingest | |",
        table[3].1.rate / verify_rate
    );

    let owner = Operator { username: "bench".into(), role: Role::Owner, forms: vec![], personal_forms: vec![] };
    let small_rows =
        formseal_core::submissions::verify_chain(&state, DEMO_FORM_ID).await.map(|c| c.receipts).unwrap_or(0);
    // Someone who submitted in the first hot-form run (seeds 10 000 000 …).
    let small_lookup = lookup(&state, &owner, 10_000_007).await;

    eprintln!("… filling to {} rows", opts.rows);
    // Fill the database to `rows` submissions on the demo form (64 clients).
    let started = Instant::now();
    let mut total =
        formseal_core::submissions::verify_chain(&state, DEMO_FORM_ID).await.map(|c| c.receipts).unwrap_or(0);
    let fill_started = total;
    while total < opts.rows && started.elapsed() < Duration::from_secs(opts.fill_seconds) {
        let batch = (opts.rows - total).min(5_000) as usize;
        seed += 10_000_000;
        let bodies = requests(&state, DEMO_FORM_ID, &demo_version, batch, seed).await;
        let run = ingest(&base, bodies, 64).await;
        total += run.ok as u64;
        if run.ok == 0 {
            break;
        }
    }
    let fill_rate = (total - fill_started) as f64 / started.elapsed().as_secs_f64();
    println!();
    println!("filled to {total} submissions on one form at {fill_rate:.0}/s (64 clients)");

    let large_lookup = lookup(&state, &owner, 10_000_011).await;
    println!(
        "access-request search by phone among {total} submissions: median {:.1} ms, max {:.1} ms ({} found); among {small_rows}: median {:.1} ms = {:.2}× (goal ≤ 100 ms)",
        large_lookup.0,
        large_lookup.1,
        large_lookup.2,
        small_lookup.0,
        large_lookup.0 / small_lookup.0
    );

    // Console list: page 1 and a deep page of 50, through the console's server function.
    let password = "bench password that is long enough 7";
    accounts::create_account(&state, "bench-owner", password, Role::Owner).await.expect("account");
    // The log-in answers with a redirect that carries the session cookie.
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let res = client
        .post(format!("{base}/admin/fn/login"))
        .form(&[("username", "bench-owner"), ("password", password)])
        .send()
        .await
        .expect("login");
    let cookie = res
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .to_owned();
    let console = Console { client, base: base.clone(), cookie };
    for page in [1u64, (total / 50 / 2).max(1)] {
        let (median, max) =
            console.median_ms("submissions", &[("form", DEMO_FORM_ID), ("page", &page.to_string())]).await;
        println!(
            "console list, page {page} of 50 among {total}: median {median:.1} ms, max {max:.1} ms (loopback, incl. session check and audit record)"
        );
    }
    let (median, max) = console.median_ms("retention", &[]).await;
    println!("console retention overview, {total} submissions held: median {median:.1} ms, max {max:.1} ms");

    // Retention sweep of every row (as if 31 days had passed) while 16 clients ingest.
    // With --large that would be a million deletions (hours): the default run measures it.
    let swept_run_rows = if opts.large {
        println!("retention sweep: not run with --large (it would delete every row); see the default run");
        0
    } else {
        eprintln!("… retention sweep");
        let n = opts.requests;
        seed += 10_000_000;
        let quiet = ingest(&base, requests(&state, &many[0].0, &many[0].1, n, seed).await, 16).await;
        seed += 10_000_000;
        let bodies = requests(&state, &many[1].0, &many[1].1, n, seed).await;
        let later = chrono::Utc::now().timestamp_millis() + 31 * 86_400_000;
        let sweeper = {
            let state = state.clone();
            tokio::spawn(async move {
                let t = Instant::now();
                let deleted = retention::sweep(&state, later).await;
                (deleted, t.elapsed())
            })
        };
        let busy = ingest(&base, bodies, 16).await;
        let (deleted, took) = sweeper.await.expect("sweeper");
        let deleted = deleted.unwrap_or(0);
        println!(
            "retention sweep: {deleted} deleted in {:.1} s ({:.0}/s); 16-client ingest p99 while it ran {:.1} ms vs {:.1} ms without = {:.2}× (goal ≤ 2×)",
            took.as_secs_f64(),
            deleted as f64 / took.as_secs_f64(),
            busy.p99,
            quiet.p99,
            busy.p99 / quiet.p99,
        );
        let (median, max) = console.median_ms("retention", &[]).await;
        println!("console retention overview after the sweep: median {median:.1} ms, max {max:.1} ms");
        (quiet.ok + busy.ok) as u64
    };

    println!(
        "RSS of the process (server + bench clients) after the ingest runs: {rss_after_ingest:.0} MB; now {:.0} MB",
        rss_mb()
    );
    if !remote {
        let bytes = dir_bytes(&data.join("db"));
        let rows = total - fill_started + table.iter().map(|(_, r, _)| r.ok as u64).sum::<u64>() + swept_run_rows;
        println!(
            "data dir: {:.1} MB for ≈ {} submissions = {:.1} MB per 100 k (RocksDB, before compaction)",
            bytes as f64 / 1e6,
            rows,
            bytes as f64 / 1e6 / rows.max(1) as f64 * 100_000.0
        );
    }
    // The temporary data dir (and the raw baseline's) are removed here.
    drop(raw);
    drop(tmp);
}
