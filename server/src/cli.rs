use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Formseal: GDPR-minded forms with signed submissions.
///
/// Start the server with `formseal serve`; it creates its data directory, signing
/// key, database schema, an owner account and a demo form on first start.
#[derive(Debug, Parser)]
#[command(name = "formseal", version, about, long_about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server: public API, embed script, console at /admin.
    Serve(ServeArgs),
    /// Work with the audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Check the integrity of submissions: every published version's signature,
    /// every envelope still held, every receipt and the receipt chain, every
    /// tombstone. Exit 0 when intact, 1 at the first break (named: form, sequence,
    /// submission, what is wrong), 2 on a usage error.
    ///
    /// Without --export it reads the store (an embedded database only while the
    /// server is stopped; the console's Integrity page checks a running instance).
    /// With --export and --keys it checks a JSON export entirely offline.
    Verify(VerifyArgs),
    /// Console accounts, from the server's command line.
    #[command(subcommand)]
    Accounts(AccountsCommand),
}

#[derive(Debug, Subcommand)]
pub enum AccountsCommand {
    /// Give an account a new one-time password, printed here (never logged). It
    /// must be changed at the next log-in, and every session of the account ends;
    /// the audit log records the reset. For an owner who is locked out. The
    /// embedded database can only be opened while the server is stopped.
    ResetPassword(ResetPasswordArgs),
}

#[derive(Debug, Clone, clap::Args)]
pub struct ResetPasswordArgs {
    /// The account's user name.
    pub username: String,
    #[command(flatten)]
    pub server: ServeArgs,
}

#[derive(Debug, Clone, clap::Args)]
pub struct VerifyArgs {
    /// Only this form (default: every form).
    #[arg(long)]
    pub form: Option<String>,
    /// A JSON export to check instead of the store, offline.
    #[arg(long, requires = "keys")]
    pub export: Option<PathBuf>,
    /// The instance's public keys as served at /.well-known/formseal-keys.json (with --export).
    #[arg(long, requires = "export")]
    pub keys: Option<PathBuf>,
    #[command(flatten)]
    pub server: ServeArgs,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the audit log's hash chain: exit 0 if intact, 1 if a record was edited
    /// or removed (the first such record is named). The embedded database can only
    /// be opened while the server is stopped; the console's audit page checks a
    /// running instance.
    Verify(ServeArgs),
}

#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Database URL. Default: embedded RocksDB in <data-dir>/db.
    /// Also: `surrealkv://<path>`, `mem://` (nothing kept), `ws://host:8000` (SurrealDB server).
    #[arg(long, env = "FORMSEAL_DB")]
    pub db: Option<String>,

    /// Directory for the database, the instance signing keys and other state.
    #[arg(long, env = "FORMSEAL_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,

    /// Directory of the instance signing keys. Default: <data-dir>/keys. Replicas
    /// behind a load balancer must all use the same keys: point them at one shared
    /// (or identically copied) directory.
    #[arg(long, env = "FORMSEAL_KEY_DIR")]
    pub key_dir: Option<PathBuf>,

    /// Address to listen on.
    #[arg(long, env = "FORMSEAL_LISTEN", default_value = "127.0.0.1:3000")]
    pub listen: SocketAddr,

    /// The URL visitors reach this server at; used in embed snippets and links.
    /// Default: http://<listen>.
    #[arg(long, env = "FORMSEAL_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Log format.
    #[arg(long, env = "FORMSEAL_LOG_FORMAT", value_enum, default_value_t = LogFormat::Human)]
    pub log_format: LogFormat,

    /// Where the built console assets are (`cargo leptos build` writes target/site).
    #[arg(long, env = "FORMSEAL_SITE_DIR", default_value = "target/site")]
    pub site_dir: PathBuf,

    /// Namespace and database inside SurrealDB.
    #[arg(long, env = "FORMSEAL_DB_NAMESPACE", default_value = "formseal")]
    pub db_namespace: String,

    /// User for a remote SurrealDB server (ws://); the password comes from
    /// FORMSEAL_DB_PASSWORD.
    #[arg(long, env = "FORMSEAL_DB_USER")]
    pub db_user: Option<String>,

    #[arg(long, env = "FORMSEAL_DB_PASSWORD", hide_env_values = true, hide = true)]
    pub db_password: Option<String>,

    /// Requests to the public API one client address may send at once; the
    /// allowance refills by one per second. Beyond it: 429 with Retry-After.
    #[arg(long, env = "FORMSEAL_RATE_LIMIT_BURST", default_value_t = 60)]
    pub rate_limit_burst: u32,

    /// The operator's own reverse proxies or load balancers (comma-separated CIDR
    /// ranges or addresses). Only requests from these peers have their
    /// `X-Forwarded-For` / `Forwarded` header read, and of it only the hops they
    /// appended (the rightmost address that is not one of them is the client).
    /// Without it the TCP peer is the client and those headers are ignored.
    #[arg(long, env = "FORMSEAL_TRUSTED_PROXIES", value_parser = trusted_proxies)]
    pub trusted_proxies: Option<formseal_core::client::TrustedProxies>,

    /// Connections open at once, at most; beyond it new ones wait in the kernel's
    /// queue until one ends.
    #[arg(long, env = "FORMSEAL_MAX_CONNECTIONS", default_value_t = 4096)]
    pub max_connections: usize,

    /// Seconds a connection may take to send a request's headers (from its start or
    /// the end of its previous request); a slower one is closed (slow-loris).
    #[arg(long, env = "FORMSEAL_HEADER_TIMEOUT_SECONDS", default_value_t = 10)]
    pub header_timeout_seconds: u32,

    /// Proof of work each submission needs, in leading zero bits of a SHA-256 hash
    /// (every bit doubles the visitor's work); forms may set their own. 0 asks for
    /// no work, but a fresh signed challenge per submission is still required.
    #[arg(long, env = "FORMSEAL_POW_DIFFICULTY", default_value_t = formseal_core::state::DEFAULT_POW_DIFFICULTY,
          value_parser = clap::value_parser!(u32).range(0..=i64::from(formseal_model::pow::MAX_DIFFICULTY)))]
    pub pow_difficulty: u32,

    /// Minutes of inactivity after which a console session ends.
    #[arg(long, env = "FORMSEAL_SESSION_IDLE_MINUTES", default_value_t = 15)]
    pub session_idle_minutes: u32,

    /// The same in seconds, overriding the minutes (for demonstrations and tests
    /// of the lock screen).
    #[arg(long, env = "FORMSEAL_SESSION_IDLE_SECONDS", hide = true)]
    pub session_idle_seconds: Option<u32>,

    /// Minutes between retention sweeps (the first runs at start): answers past
    /// their form's retention period are deleted, a signed tombstone kept.
    #[arg(long, env = "FORMSEAL_RETENTION_SWEEP_MINUTES", default_value_t = 5)]
    pub retention_sweep_minutes: u32,

    /// The same in seconds, overriding the minutes (for tests).
    #[arg(long, env = "FORMSEAL_RETENTION_SWEEP_SECONDS", hide = true)]
    pub retention_sweep_seconds: Option<u32>,

    /// Hours after log-in at which a console session ends, active or not.
    #[arg(long, env = "FORMSEAL_SESSION_MAX_HOURS", default_value_t = 12)]
    pub session_max_hours: u32,

    /// The same in seconds, overriding the hours (for tests).
    #[arg(long, env = "FORMSEAL_SESSION_MAX_SECONDS", hide = true)]
    pub session_max_seconds: Option<u32>,

    /// Hours a replaced form version still takes submissions, for visitors who
    /// opened the page before the new version was published. 0: only the current one.
    #[arg(long, env = "FORMSEAL_RETIRED_VERSION_GRACE_HOURS", default_value_t = 24)]
    pub retired_version_grace_hours: u32,

    /// The mail server: `smtp://user:password@host:587` (STARTTLS),
    /// `smtps://user:password@host` (TLS from the start, port 465) or
    /// `smtp://localhost:25` (a relay on this machine). Percent-encode special
    /// characters of the password; it never appears in logs or the console.
    /// Without it the instance sends no mail (and says so where it would).
    #[arg(long, env = "FORMSEAL_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,

    /// The sender of every mail, e.g. `Forms <forms@example.org>`. Needed with --smtp-url.
    #[arg(long, env = "FORMSEAL_MAIL_FROM", requires = "smtp_url")]
    pub mail_from: Option<String>,

    /// Seconds before a message that could not be delivered is tried again; the
    /// wait doubles per try (at most an hour), and a message is given up 24 hours
    /// after it was queued.
    #[arg(long, env = "FORMSEAL_MESSAGE_RETRY_SECONDS", default_value_t = 30)]
    pub message_retry_seconds: u32,

    /// The same in milliseconds, overriding the seconds (for tests).
    #[arg(long, env = "FORMSEAL_MESSAGE_RETRY_MS", hide = true)]
    pub message_retry_ms: Option<u32>,

    /// Hours after which an undelivered message is given up.
    #[arg(long, env = "FORMSEAL_MESSAGE_GIVE_UP_HOURS", default_value_t = 24)]
    pub message_give_up_hours: u32,

    /// Lets webhooks go to loopback, private and link-local addresses, and over
    /// plain http (a closed network, tests). Without it they go to public
    /// addresses over https only.
    #[arg(long, env = "FORMSEAL_ALLOW_PRIVATE_WEBHOOKS")]
    pub allow_private_webhooks: bool,
    /// The length of a day for the reminders of personal links, in milliseconds
    /// (for tests: "remind after 1 day" then means this long).
    #[arg(long, env = "FORMSEAL_REMINDER_DAY_MS", hide = true)]
    pub reminder_day_ms: Option<u32>,
}

fn trusted_proxies(text: &str) -> Result<formseal_core::client::TrustedProxies, String> {
    text.parse().map_err(|e: formseal_core::Error| e.to_string())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Human,
    Json,
}
