//! Start-up, request tracing and graceful shutdown.

use axum::http::Request;
use formseal_core::keys::KeyRing;
use formseal_core::store::{DbConfig, Store};
use formseal_core::{AppState, Config, accounts, forms};
use leptos::prelude::LeptosOptions;
use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::trace::TraceLayer;
use tracing::Span;

use crate::cli::{LogFormat, ServeArgs};
use crate::{ServerState, router};

/// Why the server could not start: printed as one line, exit code 2.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot create data directory {0}: {1}")]
    DataDir(String, std::io::Error),
    #[error("{0}")]
    Domain(#[from] formseal_core::Error),
    #[error("cannot listen on {0}: {1}")]
    Listen(std::net::SocketAddr, std::io::Error),
    #[error("server stopped: {0}")]
    Serve(std::io::Error),
}

pub fn init_tracing(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("FORMSEAL_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,surrealdb=warn,surrealdb_core=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let _ = match format {
        LogFormat::Human => builder.fmt_fields(one_line_fields()).try_init(),
        // JSON strings escape control characters already.
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}

/// One event, one line. A value someone outside chose (a user name typed into the
/// log-in form, a form id from an address, the text of an error about their
/// request) may hold a line break or a terminal escape; written raw, it would start
/// a line that reads like one of the server's own. The human format writes every
/// field, the message too, with its control characters escaped.
fn one_line_fields() -> impl for<'writer> tracing_subscriber::fmt::FormatFields<'writer> + Send + Sync + 'static {
    use tracing_subscriber::field::MakeExt as _;
    tracing_subscriber::fmt::format::debug_fn(|writer, field, value| {
        let text = format!("{value:?}");
        let text = one_line(&text);
        match field.name() {
            "message" => writer.write_str(&text),
            name => write!(writer, "{name}={text}"),
        }
    })
    .delimited(" ")
}

/// `text` with line breaks and other control characters (C0, DEL, C1, and the
/// Unicode line and paragraph separators) written as escapes.
pub fn one_line(text: &str) -> std::borrow::Cow<'_, str> {
    let breaks = |c: char| c.is_control() || c == '\u{2028}' || c == '\u{2029}';
    if !text.chars().any(breaks) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if breaks(c) => out.push_str(&format!("\\u{{{:04x}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// The database URL for the arguments: `--db`, else embedded RocksDB in the data dir.
pub fn db_url(args: &ServeArgs) -> String {
    args.db.clone().unwrap_or_else(|| format!("rocksdb://{}", args.data_dir.join("db").display()))
}

/// Where the instance signing keys are: `--key-dir`, else `<data-dir>/keys`.
pub fn key_dir(args: &ServeArgs) -> std::path::PathBuf {
    args.key_dir.clone().unwrap_or_else(|| args.data_dir.join("keys"))
}

/// Data dir, database, schema, keys: the domain state without anything served.
pub async fn open_state(args: &ServeArgs) -> Result<AppState, StartError> {
    std::fs::create_dir_all(&args.data_dir).map_err(|e| StartError::DataDir(args.data_dir.display().to_string(), e))?;
    let db = DbConfig {
        url: db_url(args),
        namespace: args.db_namespace.clone(),
        user: args.db_user.clone(),
        password: args.db_password.clone(),
    };
    let store = Store::connect(&db).await?;
    let schema = store.migrate().await?;
    let keys = KeyRing::load_or_create_in(&key_dir(args))?;
    let public_url = args.public_url.clone().unwrap_or_else(|| format!("http://{}", args.listen));
    let mut config = Config::new(&public_url);
    config.session_idle_ms = match args.session_idle_seconds {
        Some(seconds) => i64::from(seconds) * 1000,
        None => i64::from(args.session_idle_minutes) * 60_000,
    };
    config.session_max_ms = match args.session_max_seconds {
        Some(seconds) => i64::from(seconds) * 1000,
        None => i64::from(args.session_max_hours) * 3_600_000,
    };
    config.retired_grace_hours = args.retired_version_grace_hours;
    config.pow_difficulty = args.pow_difficulty;
    config.trusted_proxies = args.trusted_proxies.clone().unwrap_or_default();
    config.message_retry_ms = match args.message_retry_ms {
        Some(ms) => i64::from(ms.max(1)),
        None => i64::from(args.message_retry_seconds.max(1)) * 1000,
    };
    config.message_give_up_ms = i64::from(args.message_give_up_hours.max(1)) * 3_600_000;
    config.allow_private_webhooks = args.allow_private_webhooks;
    if let Some(ms) = args.reminder_day_ms {
        config.reminder_day_ms = i64::from(ms.max(1));
    }
    tracing::info!(schema, "database ready");
    let state = AppState::new(store, keys, config);
    Ok(match mailer(args)? {
        Some(mailer) => {
            tracing::info!(mail = %mailer.describe(), "sending mail");
            state.with_mailer(mailer)
        }
        None => state,
    })
}

/// The mail server of `--smtp-url` and `--mail-from`; `None` without them.
fn mailer(args: &ServeArgs) -> Result<Option<formseal_core::messages::Mailer>, StartError> {
    use formseal_core::messages::{Mailer, SmtpSettings};
    let Some(url) = &args.smtp_url else { return Ok(None) };
    let from = args.mail_from.as_deref().ok_or_else(|| {
        StartError::Domain(formseal_core::Error::BadRequest(
            "--smtp-url needs --mail-from (the sender of every mail, e.g. \"Forms <forms@example.org>\")".into(),
        ))
    })?;
    Ok(Some(Mailer::new(SmtpSettings::parse(url)?, from)?))
}

/// `formseal accounts reset-password USER`: the new one-time password.
pub async fn reset_password(args: &ServeArgs, username: &str) -> Result<String, StartError> {
    let state = open_state(args).await?;
    Ok(accounts::reset_password(&state, username).await?)
}

/// `formseal audit verify`: prints the result; `Ok(false)` when the chain is broken.
pub async fn audit_verify(args: &ServeArgs) -> Result<bool, StartError> {
    let state = open_state(args).await?;
    let result = formseal_core::audit::verify(&state).await?;
    match result.broken {
        None => {
            println!("audit log intact: {} records", result.records);
            Ok(true)
        }
        Some((seq, reason)) => {
            println!("audit log broken at record {seq}: {reason} ({} records before it verify)", result.records);
            Ok(false)
        }
    }
}

/// Everything up to a ready router: data dir, database, schema, keys, seeds.
pub async fn prepare(args: &ServeArgs) -> Result<ServerState, StartError> {
    let state = open_state(args).await?;
    forms::seed_demo(&state).await?;
    if let Some(password) = accounts::ensure_owner(&state).await? {
        // Shown once, on the very first start, so the operator can log in; it must be
        // changed at that log-in, so this line is worth nothing afterwards.
        tracing::warn!(
            "first start: created console account '{}' with one-time password {password} — log in at {}/admin and choose your own",
            accounts::OWNER,
            state.config.public_url
        );
    }
    let leptos = LeptosOptions::builder()
        .output_name("formseal")
        .site_root(args.site_dir.display().to_string())
        .site_pkg_dir("pkg")
        .site_addr(args.listen)
        .build();
    tracing::info!(
        db = %db_url(args).split('?').next().unwrap_or(""),
        key = %state.keys.active().id,
        pow_difficulty = args.pow_difficulty,
        "ready"
    );
    let key = crate::client::ClientKey::new(&state.config.trusted_proxies);
    let rate_limit = crate::api::rate_limit(args.rate_limit_burst, key.clone())?;
    // The console's calls come in short bursts (a page's data); five times the
    // public API's burst, refilled at 5 a second.
    let console_limit = crate::client::ConsoleLimit::new(key, args.rate_limit_burst.saturating_mul(5), 5);
    Ok(ServerState { app: state, leptos, rate_limit, console_limit })
}

pub async fn serve(args: ServeArgs) -> Result<(), StartError> {
    let state = prepare(&args).await?;
    let listener = tokio::net::TcpListener::bind(args.listen).await.map_err(|e| StartError::Listen(args.listen, e))?;
    let addr = listener.local_addr().map_err(|e| StartError::Listen(args.listen, e))?;
    tracing::info!(
        "listening on http://{addr} (console: {}/admin, demo: {}/demo)",
        state.app.config.public_url,
        state.app.config.public_url
    );
    tokio::spawn(crate::api::forget_quiet_clients(state.rate_limit.clone(), state.console_limit.clone()));
    tokio::spawn(formseal_core::pow::sweep(state.app.clone()));
    let every = match args.retention_sweep_seconds {
        Some(seconds) => std::time::Duration::from_secs(u64::from(seconds.max(1))),
        None => std::time::Duration::from_secs(u64::from(args.retention_sweep_minutes.max(1)) * 60),
    };
    tokio::spawn(formseal_core::retention::run(state.app.clone(), every));
    tokio::spawn(index_backlog(state.app.clone()));
    tokio::spawn(formseal_core::messages::run(state.app.clone()));
    tokio::spawn(formseal_core::links::reminders::run(state.app.clone()));
    let limits = crate::listener::Limits {
        max_connections: args.max_connections,
        header_timeout: std::time::Duration::from_secs(u64::from(args.header_timeout_seconds.max(1))),
    };
    crate::listener::serve(listener, router(state), limits, shutdown_signal()).await.map_err(StartError::Serve)?;
    tracing::info!("stopped");
    Ok(())
}

/// Resolves on SIGTERM or Ctrl-C; in-flight requests then finish before exit.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}

pub fn trace_layer()
-> TraceLayer<SharedClassifier<ServerErrorsAsFailures>, impl Fn(&Request<axum::body::Body>) -> Span + Clone> {
    TraceLayer::new_for_http().make_span_with(|request: &Request<axum::body::Body>| {
        // The path only: query strings and fragments may carry secrets.
        // Debug (`?`) quotes and escapes it: the path is the client's text.
        tracing::info_span!("request", method = %request.method(), path = ?request.uri().path())
    })
}

/// Submissions stored before the person index existed become findable.
async fn index_backlog(state: formseal_core::AppState) {
    match formseal_core::requests::index_backlog(&state).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(submissions = n, "added older submissions to the person index"),
        Err(e) => tracing::error!(error = %e, "could not index older submissions; they are indexed on the next start"),
    }
}
