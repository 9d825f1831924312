use std::net::SocketAddr;

use chrono::Utc;
use ed25519_dalek::SigningKey;
use formseal::cli::{LogFormat, ServeArgs};
use formseal::{ServerState, router, serve};
use formseal_core::AppState;
use formseal_model::demo::DEMO_FORM_ID;
use formseal_model::{Answers, Envelope, Proof, PublishedVersion, SignedChallenge, SubmissionRequest, b64_encode, pow};
use serde_json::{Value, json};

pub const TEST_POW_DIFFICULTY: u32 = 8;

pub struct TestServer {
    pub base: String,
    pub state: AppState,
    pub client: reqwest::Client,
    _dir: tempfile::TempDir,
}

/// An owner who sets up what a test needs through the core's operations (the
/// same checks and audit records as the console's).
pub fn setup_owner() -> formseal_core::accounts::Operator {
    formseal_core::accounts::Operator {
        username: "setup".into(),
        role: formseal_model::Role::Owner,
        forms: vec![],
        personal_forms: vec![],
    }
}

pub fn args(data_dir: &std::path::Path, listen: SocketAddr, db: Option<&str>) -> ServeArgs {
    ServeArgs {
        db: db.map(str::to_owned),
        data_dir: data_dir.to_owned(),
        listen,
        public_url: Some(format!("http://{listen}")),
        log_format: LogFormat::Human,
        site_dir: data_dir.join("site"),
        db_namespace: "formseal".into(),
        db_user: None,
        db_password: None,
        session_idle_minutes: 15,
        session_idle_seconds: None,
        session_max_hours: 12,
        retention_sweep_minutes: 5,
        retention_sweep_seconds: None,
        key_dir: None,
        session_max_seconds: None,
        retired_version_grace_hours: 24,
        smtp_url: None,
        mail_from: None,
        message_retry_seconds: 30,
        message_retry_ms: None,
        message_give_up_hours: 24,
        allow_private_webhooks: false,
        reminder_day_ms: None,
        // The tests send many requests from one address on purpose.
        rate_limit_burst: 100_000,
        // Real challenges, little work: the tests post hundreds of submissions.
        pow_difficulty: TEST_POW_DIFFICULTY,
        trusted_proxies: None,
        max_connections: 4096,
        header_timeout_seconds: 10,
    }
}

/// A server on 127.0.0.1:<free port> with an in-memory database.
pub async fn start() -> TestServer {
    start_with(|_| "mem://".to_owned()).await
}

/// A server whose database URL is made from its (temporary) data directory.
pub async fn start_with(db: impl FnOnce(&std::path::Path) -> String) -> TestServer {
    start_custom(db, |_| {}).await
}

/// As [`start_with`], with the arguments adjusted by `adjust` first.
pub async fn start_custom(
    db: impl FnOnce(&std::path::Path) -> String,
    adjust: impl FnOnce(&mut ServeArgs),
) -> TestServer {
    let dir = tempfile::tempdir().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let url = db(dir.path());
    let mut args = args(dir.path(), addr, Some(&url));
    adjust(&mut args);
    let state: ServerState = serve::prepare(&args).await.unwrap();
    let app_state = state.app.clone();
    // The outbox's sender, as `serve` starts it.
    tokio::spawn(formseal_core::messages::run(app_state.clone()));
    // The reminders of personal links sent by mail, as `serve` starts them.
    tokio::spawn(formseal_core::links::reminders::run(app_state.clone()));
    // The binary's own listener (connection cap, header deadline), never stopped.
    let limits = formseal::listener::Limits {
        max_connections: args.max_connections,
        header_timeout: std::time::Duration::from_secs(u64::from(args.header_timeout_seconds)),
    };
    let app = router(state);
    tokio::spawn(
        async move { formseal::listener::serve(listener, app, limits, std::future::pending()).await.unwrap() },
    );
    TestServer { base: format!("http://{addr}"), state: app_state, client: reqwest::Client::new(), _dir: dir }
}

impl TestServer {
    /// Logs in through the console's log-in function; returns the `Cookie` value
    /// (`name=token`) for later requests.
    pub async fn login(&self, user: &str, password: &str) -> String {
        let res = self
            .client
            .post(format!("{}/admin/fn/login", self.base))
            .form(&[("username", user), ("password", password)])
            .send()
            .await
            .unwrap();
        res.headers().get("set-cookie").unwrap().to_str().unwrap().split(';').next().unwrap().to_owned()
    }

    /// Calls a console server function as the hydrated page does (a form-encoded
    /// POST), with the session cookie if there is one; the status and the body.
    pub async fn call_fn(&self, cookie: Option<&str>, name: &str, args: &[(&str, &str)]) -> (u16, String) {
        let mut request = self.client.post(format!("{}/admin/fn/{name}", self.base)).form(args);
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        let res = request.send().await.unwrap();
        (res.status().as_u16(), res.text().await.unwrap())
    }

    pub async fn form(&self, id: &str) -> PublishedVersion {
        let res = self.client.get(format!("{}/api/v1/forms/{id}", self.base)).send().await.unwrap();
        assert_eq!(res.status(), 200);
        res.json().await.unwrap()
    }

    pub async fn post(&self, form: &str, body: &Value) -> (u16, Value) {
        let res =
            self.client.post(format!("{}/api/v1/forms/{form}/submissions", self.base)).json(body).send().await.unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// Posts a signed request, with a freshly solved proof of work unless it has one.
    pub async fn submit(&self, request: &SubmissionRequest) -> (u16, Value) {
        let request = match request.proof {
            Some(_) => request.clone(),
            None => prove(&self.client, &self.base, DEMO_FORM_ID, request).await,
        };
        self.post(DEMO_FORM_ID, &serde_json::to_value(request).unwrap()).await
    }

    pub async fn challenge(&self, form: &str) -> SignedChallenge {
        challenge(&self.client, &self.base, form).await
    }
}

pub async fn challenge(client: &reqwest::Client, base: &str, form: &str) -> SignedChallenge {
    let res = client.get(format!("{base}/api/v1/forms/{form}/challenge")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

/// Solves a challenge the way the widget does (in one go instead of in slices).
pub fn solve(signed: SignedChallenge) -> Proof {
    let c = &signed.challenge;
    let counter = pow::solve(&c.work_input().unwrap(), c.difficulty, 0, u64::MAX).unwrap();
    signed.prove(counter)
}

/// The request with a proof of work for a fresh challenge.
pub async fn prove(client: &reqwest::Client, base: &str, form: &str, request: &SubmissionRequest) -> SubmissionRequest {
    let proof = solve(challenge(client, base, form).await);
    SubmissionRequest { proof: Some(proof), ..request.clone() }
}

pub fn good_answers() -> Answers {
    let today = Utc::now().date_naive().to_string();
    [
        ("name", json!("Ada Lovelace")),
        ("address", json!("Musterstraße 1\n10115 Berlin")),
        ("phone", json!("+49301234567")),
        ("visit_date", json!(today)),
        ("visit_time", json!(format!("{today}T18:30"))),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

pub fn envelope(version: &str, answers: Answers, nonce_seed: u64) -> Envelope {
    envelope_for(DEMO_FORM_ID, version, answers, nonce_seed)
}

pub fn envelope_for(form: &str, version: &str, answers: Answers, nonce_seed: u64) -> Envelope {
    let mut nonce = [0u8; 16];
    nonce[..8].copy_from_slice(&nonce_seed.to_be_bytes());
    nonce[8..].copy_from_slice(&std::process::id().to_be_bytes().repeat(2));
    Envelope {
        v: 1,
        form: form.into(),
        version: version.into(),
        answers,
        nonce: b64_encode(&nonce),
        client_time: Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        link: None,
    }
}

/// Signs `answers` for `form`, proves work and posts them as the widget does.
pub async fn submit_answers(
    server: &TestServer,
    form: &str,
    version: &str,
    answers: Answers,
    seed: u64,
) -> (u16, Value) {
    let request = sign(&envelope_for(form, version, answers, seed));
    let request = prove(&server.client, &server.base, form, &request).await;
    server.post(form, &serde_json::to_value(request).unwrap()).await
}

/// The (field, code) pairs of a 422 answer's `fields`.
pub fn field_problems(body: &Value) -> Vec<(String, String)> {
    body["fields"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| (f["field"].as_str().unwrap_or("").into(), f["code"].as_str().unwrap_or("").into()))
                .collect()
        })
        .unwrap_or_default()
}

/// Signs as the widget does, with a new key per submission (derived from a counter:
/// tests need distinct keys, not secret ones).
pub fn sign(envelope: &Envelope) -> SubmissionRequest {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(1);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let seed = formseal_model::canonical::digest(&n.to_be_bytes());
    SubmissionRequest::sign(envelope, &SigningKey::from_bytes(&seed)).unwrap()
}

/// JSON bodies for the HTTP client of the tests. reqwest's own `json` feature would
/// change the features of the reqwest that SurrealDB links, and so make `cargo test`
/// compile SurrealDB a second time beside `scripts/build.sh`'s build.
pub trait JsonBody {
    fn json<T: serde::Serialize + ?Sized>(self, value: &T) -> Self;
}

impl JsonBody for reqwest::RequestBuilder {
    fn json<T: serde::Serialize + ?Sized>(self, value: &T) -> Self {
        let body = serde_json::to_vec(value).expect("a test body serialises");
        self.header(reqwest::header::CONTENT_TYPE, "application/json").body(body)
    }
}

pub type JsonResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// Reads a response body as JSON (see [`JsonBody`] for why this is ours).
pub trait JsonResponse {
    fn json<T: serde::de::DeserializeOwned>(self) -> impl std::future::Future<Output = JsonResult<T>> + Send;
}

impl JsonResponse for reqwest::Response {
    async fn json<T: serde::de::DeserializeOwned>(self) -> JsonResult<T> {
        let bytes = self.bytes().await?;
        Ok(serde_json::from_slice(&bytes)?)
    }
}
