use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::keys::KeyRing;
use crate::store::Store;

/// Settings the domain needs at run time.
#[derive(Clone, Debug)]
pub struct Config {
    /// Where visitors reach this server, without trailing slash.
    pub public_url: String,
    pub session_idle_ms: i64,
    pub session_max_ms: i64,
    /// Hours a replaced form version still takes submissions (see [`crate::forms`]).
    pub retired_grace_hours: u32,
    /// Leading zero bits a proof of work needs, for forms without their own setting.
    pub pow_difficulty: u32,
    /// Peers whose `X-Forwarded-For` / `Forwarded` headers are believed (see
    /// [`crate::client`]); empty: the TCP peer is the client.
    pub trusted_proxies: crate::client::TrustedProxies,
    /// Wait before the second try of a message that could not be delivered; it
    /// doubles per try (at most an hour).
    pub message_retry_ms: i64,
    /// A message not delivered this long after it was queued is given up.
    pub message_give_up_ms: i64,
    /// Webhooks may go to loopback, private and link-local addresses (and over
    /// plain http): for tests and closed networks; off, they go to public
    /// addresses over https only.
    pub allow_private_webhooks: bool,
    /// How long a "day" of personal-link reminders is ("remind after N days"): a
    /// day, except in tests.
    pub reminder_day_ms: i64,
}

/// Tuned so a mid-range phone needs about a second; see docs/widget-performance.md.
pub const DEFAULT_POW_DIFFICULTY: u32 = 19;

impl Config {
    pub fn new(public_url: &str) -> Self {
        Config {
            public_url: public_url.trim_end_matches('/').to_owned(),
            session_idle_ms: 15 * 60 * 1000,
            session_max_ms: 12 * 60 * 60 * 1000,
            retired_grace_hours: 24,
            pow_difficulty: DEFAULT_POW_DIFFICULTY,
            trusted_proxies: crate::client::TrustedProxies::default(),
            message_retry_ms: 30_000,
            message_give_up_ms: 24 * 3_600_000,
            allow_private_webhooks: false,
            reminder_day_ms: 86_400_000,
        }
    }

    /// Cookies get `Secure` when the public URL is HTTPS.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

/// Everything a handler or server function needs, cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The database: reached only through core's operations, which check and audit.
    pub(crate) store: Arc<Store>,
    pub keys: Arc<KeyRing>,
    pub config: Arc<Config>,
    pub login_throttle: Arc<crate::throttle::LoginThrottle>,
    /// The bounded queue every password hash goes through.
    pub passwords: Arc<crate::passwords::PasswordWork>,
    chain_locks: Arc<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>>,
    pub(crate) chains: Arc<crate::chain_writer::Chains>,
    pub(crate) accepting: Arc<crate::forms::AcceptingCache>,
    /// Who has an export running (one at a time each).
    pub(crate) exports_running: Arc<crate::export::Running>,
    /// The mail server; `None`: this instance sends no mail.
    pub mailer: Option<Arc<crate::messages::Mailer>>,
    /// Wakes this process's sender when something was queued.
    pub(crate) outbox_wake: Arc<tokio::sync::Notify>,
}

impl AppState {
    pub fn new(store: Store, keys: KeyRing, config: Config) -> Self {
        AppState {
            store: Arc::new(store),
            keys: Arc::new(keys),
            config: Arc::new(config),
            login_throttle: Arc::default(),
            passwords: Arc::default(),
            chain_locks: Arc::default(),
            chains: Arc::default(),
            accepting: Arc::default(),
            exports_running: Arc::default(),
            mailer: None,
            outbox_wake: Arc::default(),
        }
    }

    /// The same state sending mail through `mailer`.
    pub fn with_mailer(mut self, mailer: crate::messages::Mailer) -> Self {
        self.mailer = Some(Arc::new(mailer));
        self
    }

    /// Whether the database answers (readiness).
    pub async fn ready(&self) -> crate::Result<()> {
        self.store.ping().await
    }

    /// One lock per chain (the audit log's): appends take turns inside this process.
    /// Across replicas the store's check-and-set keeps the chain correct; the lock
    /// only saves this process from conflicting with itself.
    pub(crate) fn chain_lock(&self, form_id: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self.chain_locks.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        locks.entry(form_id.to_owned()).or_default().clone()
    }
}

/// What only the tests reach: the store itself (to look at what was stored) and a
/// second state over the same database, as a replica would be.
#[cfg(feature = "test-support")]
impl AppState {
    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// The same database, keys and settings with this process's locks and caches
    /// not shared: what another replica is.
    pub fn replica(&self) -> AppState {
        AppState {
            store: self.store.clone(),
            keys: self.keys.clone(),
            config: self.config.clone(),
            login_throttle: Arc::default(),
            passwords: Arc::default(),
            chain_locks: Arc::default(),
            chains: Arc::default(),
            accepting: Arc::default(),
            exports_running: Arc::default(),
            mailer: self.mailer.clone(),
            outbox_wake: Arc::default(),
        }
    }
}
