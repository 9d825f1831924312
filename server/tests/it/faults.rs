//! Faults other than a crash: write conflicts between writers that do not share a
//! lock (as replicas do not), and a full disk under the real binary.

use crate::common::{JsonBody, JsonResponse};
use std::process::Command;
use std::time::{Duration, Instant};

use formseal_core::keys::KeyRing;
use formseal_core::store::{DbConfig, Store};
use formseal_core::{AppState, Config, submissions};
use formseal_model::demo::DEMO_FORM_ID;

use crate::common::{envelope, good_answers, prove, sign, solve, start_with};
use crate::durability::{Running, command, free_port, wait_ready};

/// Two domain states on one database with separate in-process chain locks, like two
/// replicas: their appends to one form's chain conflict in the database (optimistic
/// transactions). Every submission must still be stored, none refused as busy.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn write_conflicts_are_retried_inside_the_server() {
    let server = start_with(|dir| format!("rocksdb://{}", dir.join("db").display())).await;
    let version = server.form(DEMO_FORM_ID).await.version;
    // Same database and keys, its own chain locks: a replica.
    let twin = server.state.replica();

    let mut tasks = Vec::new();
    for n in 0..32u64 {
        let state = if n % 2 == 0 { server.state.clone() } else { twin.clone() };
        let request =
            prove(&server.client, &server.base, DEMO_FORM_ID, &sign(&envelope(&version, good_answers(), 40_000 + n)))
                .await;
        tasks.push(tokio::spawn(async move { submissions::accept(&state, DEMO_FORM_ID, request).await }));
    }
    for t in tasks {
        let accepted = t.await.unwrap().expect("stored, not refused");
        assert!(accepted.created);
    }
    let chain = submissions::verify_chain(&server.state, DEMO_FORM_ID).await.unwrap();
    assert!(chain.intact && chain.receipts == 32, "{chain:?}");
}

/// A small tmpfs mounted for one test and removed afterwards.
struct SmallDisk {
    path: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl SmallDisk {
    /// `None` where this process may not mount (not root, or no CAP_SYS_ADMIN).
    fn mount(megabytes: u32) -> Option<SmallDisk> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("disk");
        std::fs::create_dir(&path).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={megabytes}m"), "tmpfs", path.to_str().unwrap()])
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then_some(SmallDisk { path, _dir: dir })
    }

    /// Writes zeros until the disk is full.
    fn fill(&self, name: &str) -> std::path::PathBuf {
        use std::io::Write as _;
        let filler = self.path.join(name);
        let mut file = std::fs::File::create(&filler).unwrap();
        let chunk = vec![0u8; 64 * 1024];
        while file.write_all(&chunk).is_ok() {}
        // The last bytes, one at a time.
        while file.write_all(&[0]).is_ok() {}
        filler
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").args(["-l", self.path.to_str().unwrap()]).status();
    }
}

/// The disk fills up under the default engine: submissions get 503 with
/// Retry-After (never a 500, never a 201 for something not stored), nothing is
/// half-written, and once space returns submissions are stored again without a
/// restart. Runs where the test may mount a tmpfs (CI runs as root).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_full_disk_is_503_with_retry_after_and_recovers_when_space_returns() {
    let Some(disk) = SmallDisk::mount(96) else {
        eprintln!("cannot mount a tmpfs here: disk-full test not run");
        return;
    };
    let data = disk.path.join("data");
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder().timeout(Duration::from_secs(20)).build().unwrap();
    // The log lives off the small disk, so it can say what happened.
    let log = tempfile::NamedTempFile::new().unwrap();
    let mut server = Running(
        command(&data, port, None).stdout(log.reopen().unwrap()).stderr(log.reopen().unwrap()).spawn().unwrap(),
    );
    wait_ready(&client, &base).await;
    let version: formseal_model::PublishedVersion =
        client.get(format!("{base}/api/v1/forms/{DEMO_FORM_ID}")).send().await.unwrap().json().await.unwrap();
    let version = version.version;
    let mut seed = 50_000u64;
    let mut acked = Vec::new();
    let mut submit = async |client: &reqwest::Client, acked: &mut Vec<String>| {
        seed += 1;
        // While the database is closed even the challenge is refused, the same way.
        let res = client.get(format!("{base}/api/v1/forms/{DEMO_FORM_ID}/challenge")).send().await.unwrap();
        let res = if res.status() == 200 {
            let challenge: formseal_model::SignedChallenge = res.json().await.unwrap();
            let request = sign(&envelope(&version, good_answers(), seed));
            let request = formseal_model::SubmissionRequest { proof: Some(solve(challenge)), ..request };
            client.post(format!("{base}/api/v1/forms/{DEMO_FORM_ID}/submissions")).json(&request).send().await.unwrap()
        } else {
            res
        };
        let status = res.status().as_u16();
        let retry_after = res.headers().get("retry-after").is_some();
        let body: serde_json::Value = res.json().await.unwrap_or_default();
        if status == 201 {
            acked.push(body["receipt"]["submission"].as_str().unwrap().to_owned());
        }
        (status, retry_after, body)
    };
    for _ in 0..5 {
        assert_eq!(submit(&client, &mut acked).await.0, 201);
    }

    let mut fillers = vec![disk.fill("filler-1")];
    // The engine may still have room in files it allocated before: go on until it
    // refuses, within bounds.
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut refused = 0;
    let mut check = |status: u16, retry_after: bool, body: &serde_json::Value| match status {
        201 => {}
        503 => {
            assert!(retry_after, "a 503 says when to retry");
            assert_eq!(body["error"], "unavailable", "{body}");
            refused += 1;
        }
        other => panic!(
            "disk full must be 503, not {other}: {body}\n{}",
            std::fs::read_to_string(log.path()).unwrap_or_default()
        ),
    };
    while Instant::now() < deadline {
        let (status, retry_after, body) = submit(&client, &mut acked).await;
        check(status, retry_after, &body);
        if status == 503 {
            break;
        }
    }
    // Reopening the engine may free a little space (obsolete log files): take it too,
    // and the disk stays full for a few more attempts.
    fillers.push(disk.fill("filler-2"));
    for _ in 0..5 {
        let (status, retry_after, body) = submit(&client, &mut acked).await;
        check(status, retry_after, &body);
    }
    assert!(
        refused >= 1,
        "the full disk was never reported ({} stored)\n{}",
        acked.len(),
        std::fs::read_to_string(log.path()).unwrap_or_default()
    );
    assert!(client.get(format!("{base}/healthz")).send().await.unwrap().status().is_success());

    // Space returns: the server recovers by itself.
    for filler in fillers {
        std::fs::remove_file(filler).unwrap();
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut stored_again = 0;
    while stored_again < 5 {
        let (status, _, body) = submit(&client, &mut acked).await;
        match status {
            201 => stored_again += 1,
            503 => {
                assert!(Instant::now() < deadline, "no recovery after space returned: {body}");
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            other => panic!("{other}: {body}"),
        }
    }

    // Nothing half-written: every acknowledged submission is there, the chain verifies.
    Command::new("kill").arg(server.id().to_string()).status().unwrap();
    assert!(server.wait().unwrap().success());
    let store = Store::connect(&DbConfig {
        url: format!("rocksdb://{}", data.join("db").display()),
        namespace: "formseal".into(),
        user: None,
        password: None,
    })
    .await
    .unwrap();
    let state = AppState::new(store, KeyRing::load_or_create(&data).unwrap(), Config::new(&base));
    for id in &acked {
        assert!(state.store().submission(id).await.unwrap().is_some(), "acknowledged submission {id} is missing");
    }
    let report = submissions::verify_chain(&state, DEMO_FORM_ID).await.unwrap();
    assert!(report.intact && report.receipts as usize == acked.len(), "{report:?} vs {} acknowledged", acked.len());
}
