//! Passwords: the policy a new one must meet, and argon2id hashing through a
//! bounded queue.
//!
//! Each argon2id computation takes about 19 MiB and tens of milliseconds of a core.
//! Unbounded, a burst of log-ins would take gigabytes and every core; here at most
//! [`CONCURRENT`] run at once, at most [`QUEUED`] more wait, and anything beyond is
//! answered "busy" (503, retry shortly) without hashing at all.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use tokio::sync::Semaphore;

use crate::error::{Error, Result};
use crate::random;

pub use formseal_model::{MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS};

/// Hash computations at once.
pub const CONCURRENT: usize = 2;
/// Hash computations waiting for a turn, at most.
pub const QUEUED: usize = 32;

/// A hash of a password nobody knows, so an unknown user name takes as long to
/// refuse as a wrong password.
const DECOY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Lm6BVnGPFRxDqiG2QJI6AlVAJzBKuFnHQoR2HUNrAOs";

/// Length, then zxcvbn (its dictionaries of common passwords, names and words,
/// keyboard patterns, and the user name itself); no composition rules.
pub fn check_password(password: &str, username: &str) -> Result<()> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(Error::BadRequest(format!("the password must have at least {MIN_PASSWORD_CHARS} characters")));
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(Error::BadRequest(format!("the password can have at most {MAX_PASSWORD_CHARS} characters")));
    }
    let estimate = zxcvbn::zxcvbn(password, &[username, "formseal"]);
    if u8::from(estimate.score()) < 3 {
        let why = estimate.feedback().and_then(|f| f.warning()).map(|w| format!(" ({w})")).unwrap_or_default();
        return Err(Error::BadRequest(format!(
            "this password is too easy to guess{why}; a few unrelated words make a strong one"
        )));
    }
    Ok(())
}

/// The queue every hash computation of this process goes through.
pub struct PasswordWork {
    turns: Arc<Semaphore>,
    waiting: AtomicUsize,
    checks: AtomicU64,
}

impl Default for PasswordWork {
    fn default() -> Self {
        PasswordWork {
            turns: Arc::new(Semaphore::new(CONCURRENT)),
            waiting: AtomicUsize::new(0),
            checks: AtomicU64::new(0),
        }
    }
}

/// Gives a waiting place back however the wait ends (also when its request is
/// dropped mid-wait).
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl PasswordWork {
    /// Password checks run so far (log-ins, re-entered passwords); for the
    /// operator's figures and the tests that prove a burst is bounded.
    pub fn checks(&self) -> u64 {
        self.checks.load(Ordering::SeqCst)
    }

    async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T> {
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= CONCURRENT + QUEUED {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(Error::Busy);
        }
        let _place = Waiting(&self.waiting);
        let _turn = self.turns.clone().acquire_owned().await.map_err(|_| Error::Busy)?;
        tokio::task::spawn_blocking(work).await.map_err(|e| Error::Internal(format!("password hashing: {e}")))
    }

    /// The argon2id hash (PHC string) of a new password.
    pub async fn hash(&self, password: String) -> Result<String> {
        self.run(move || {
            let salt = SaltString::encode_b64(&random::bytes::<16>()?).map_err(|e| Error::Internal(e.to_string()))?;
            Argon2::default()
                .hash_password(password.as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(|e| Error::Internal(format!("argon2: {e}")))
        })
        .await?
    }

    /// Whether `password` matches the stored hash; with no hash (an unknown user
    /// name) a decoy is checked, so the answer takes as long.
    pub async fn matches(&self, password: String, hash: Option<String>) -> Result<bool> {
        let matched = self
            .run(move || {
                let known = hash.is_some();
                let hash = hash.unwrap_or_else(|| DECOY_HASH.to_owned());
                let ok = PasswordHash::new(&hash)
                    .is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok());
                ok && known
            })
            .await?;
        self.checks.fetch_add(1, Ordering::SeqCst);
        Ok(matched)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_burst_beyond_the_queue_is_answered_busy_without_hashing() {
        let work = Arc::new(PasswordWork::default());
        let hash = work.hash("correct horse battery staple".into()).await.unwrap();
        let tasks: Vec<_> = (0..100)
            .map(|_| {
                let (work, hash) = (work.clone(), hash.clone());
                tokio::spawn(async move { work.matches("wrong".into(), Some(hash)).await })
            })
            .collect();
        let mut busy = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(ok) => assert!(!ok),
                Err(Error::Busy) => busy += 1,
                Err(e) => panic!("{e}"),
            }
        }
        assert!(busy >= 100 - CONCURRENT - QUEUED, "{busy} busy");
        assert!(work.matches("correct horse battery staple".into(), Some(hash)).await.unwrap());
        assert!(!work.matches("anything".into(), None).await.unwrap(), "the decoy never matches");
    }

    #[test]
    fn weak_and_overlong_passwords_are_refused() {
        assert!(check_password("short", "ada").is_err());
        assert!(check_password("password1234", "ada").is_err());
        assert!(check_password(&"a".repeat(MAX_PASSWORD_CHARS + 1), "ada").is_err());
        assert!(check_password("violet kettle marches uphill", "ada").is_ok());
    }
}
