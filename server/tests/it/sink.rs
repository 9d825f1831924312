//! The tests' own peers on 127.0.0.1 (an SMTP server, a webhook receiver): Python
//! scripts beside this file that print `READY <port>`, then one JSON line for each
//! thing they received.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;

pub struct Sink {
    pub port: u16,
    child: Child,
    seen: Arc<Mutex<Vec<Value>>>,
}

impl Sink {
    /// `python3 tests/it/<script>` with `args`; panics saying what to install
    /// (`needs`) when it does not start, so the tests never quietly skip.
    pub fn start(script: &str, args: &[&str], needs: &str) -> Sink {
        let path = format!("{}/tests/it/{script}", env!("CARGO_MANIFEST_DIR"));
        let mut child = Command::new("python3")
            .arg(path)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("python3 ({e}); scripts/setup.sh installs it and {needs}"));
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let ready = lines.next().and_then(Result::ok).unwrap_or_default();
        let port = ready
            .strip_prefix("READY ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("{script} did not start ({ready:?}); run scripts/setup.sh ({needs})"));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = seen.clone();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                sink.lock().unwrap().push(serde_json::from_str(&line).unwrap());
            }
        });
        Sink { port, child, seen }
    }

    pub fn seen(&self) -> Vec<Value> {
        self.seen.lock().unwrap().clone()
    }

    /// Waits (at most 20 s) until `n` things arrived.
    pub async fn wait_for(&self, n: usize) -> Vec<Value> {
        for _ in 0..400 {
            if self.seen().len() >= n {
                return self.seen();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{} of {n} arrived: {:?}", self.seen().len(), self.seen());
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        if let Some(stdin) = self.child.stdin.as_mut() {
            let _ = stdin.flush();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
