//! Server functions of the console. Each one is a public HTTP endpoint under
//! `/admin/fn/`, so each checks the session and role itself.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FormItem {
    pub id: String,
    pub title: String,
    pub version: Option<String>,
    pub submissions: u64,
    pub archived: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SubmissionItem {
    pub id: String,
    pub sequence: u64,
    pub received_at: String,
    /// The first answers, for recognising a row.
    pub preview: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SubmissionList {
    pub form: FormItem,
    pub items: Vec<SubmissionItem>,
    pub page: u64,
    pub pages: u64,
    pub compact: bool,
}

/// An answer as its reader may see it (the model's one projection).
pub type AnswerItem = formseal_model::reader::ShownAnswer;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SubmissionDetail {
    pub id: String,
    pub form_id: String,
    pub form_title: String,
    pub sequence: u64,
    pub received_at: String,
    pub client_time: String,
    pub answers: Vec<AnswerItem>,
    pub signature_valid: bool,
    pub receipt_valid: bool,
    pub version: String,
    pub envelope_digest: String,
    pub receipt_digest: String,
    pub previous: Option<String>,
    /// The key that signed the envelope; full view only: one key per personal link
    /// ties that person's submissions together.
    pub signer_key: Option<String>,
    pub instance_key: String,
    pub receipt_json: String,
    /// Personal and special-category answers are left out (partners).
    pub compact: bool,
    /// When and why the answers were deleted, and whether the signed tombstone checks out.
    pub deleted: Option<(String, String, bool)>,
    /// Rectifications (Art. 16), oldest first (full access only).
    pub corrections: Vec<CorrectionItem>,
    /// The personal link whose key signed the envelope (else a one-off key); full
    /// view only, like the key.
    pub link: Option<String>,
    /// E-signatures in the answers, drawn from their strokes.
    pub signatures: Vec<SignatureItem>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CorrectionItem {
    pub label: String,
    pub value: String,
    pub reason: String,
    pub at: String,
    /// Signed by an instance key and naming this submission's envelope.
    pub valid: bool,
}

/// An e-signature among the answers its reader may see.
pub type SignatureItem = formseal_model::reader::ShownSignature;

#[server(prefix = "/admin/fn", endpoint = "login")]
pub async fn login(username: String, password: String, code: Option<String>) -> Result<(), ConsoleError> {
    let state = ssr::state()?;
    let signed_in = ssr::log_in(&state, &username, &password, code.as_deref()).await?;
    // A password someone else set (the first start's, a reset) is replaced first.
    leptos_axum::redirect(if signed_in.must_change_password { "/admin/password" } else { "/admin" });
    Ok(())
}

#[server(prefix = "/admin/fn", endpoint = "logout")]
pub async fn logout() -> Result<(), ConsoleError> {
    let state = ssr::state()?;
    if let Some(token) = ssr::session_token().await {
        formseal_core::accounts::logout(&state, &token).await.map_err(ssr::public)?;
    }
    ssr::set_session_cookie(&state, "", false);
    leptos_axum::redirect("/admin/login");
    Ok(())
}

#[server(prefix = "/admin/fn", endpoint = "forms")]
pub async fn list_forms() -> Result<Vec<FormItem>, ConsoleError> {
    let (state, operator) = ssr::operator().await?;
    let forms = formseal_core::forms::list(&state, &operator).await.map_err(ssr::public)?;
    Ok(forms.into_iter().map(|(f, n)| ssr::form_item(f, n)).collect())
}

#[server(prefix = "/admin/fn", endpoint = "submissions")]
pub async fn list_submissions(form: String, page: u64) -> Result<SubmissionList, ConsoleError> {
    let (state, operator) = ssr::operator().await?;
    let listing = formseal_core::reader::list(&state, &operator, &form, page).await.map_err(ssr::public)?;
    Ok(ssr::submission_list(listing))
}

#[server(prefix = "/admin/fn", endpoint = "submission")]
pub async fn get_submission(id: String) -> Result<SubmissionDetail, ConsoleError> {
    let (state, operator) = ssr::operator().await?;
    let reading = formseal_core::reader::read(&state, &operator, &id).await.map_err(ssr::public)?;
    Ok(ssr::submission_detail(reading))
}

mod admin;
mod designer;
mod error;
mod exports;
mod funnel;
mod links;
mod messages;
mod requests;
mod retention;
mod session;
mod webhooks;
pub use admin::*;
pub use designer::*;
pub use error::{ConsoleError, ErrorCode};
pub use exports::*;
pub use funnel::*;
pub use links::*;
pub use messages::*;
pub use requests::*;
pub use retention::*;
pub use session::*;
pub use webhooks::*;

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use formseal_core::accounts::Operator;
    use formseal_core::store::FormRow;
    use formseal_core::{AppState, Error};
    use http::header::{COOKIE, SET_COOKIE};
    use http::{HeaderMap, HeaderValue};
    use leptos::prelude::*;

    use super::*;

    use formseal_core::cookies;

    pub fn state() -> Result<AppState, ConsoleError> {
        use_context::<AppState>().ok_or_else(|| public(Error::Internal("the console's server state is missing".into())))
    }

    /// The one place where a domain error becomes what the browser may see: its
    /// code and public message, and the status; details go to the log.
    pub fn public(e: Error) -> ConsoleError {
        if e.is_server_fault() {
            tracing::error!(error = %e, detail = ?e, "console request failed");
        }
        // A page being rendered that finds the session gone (or the password to be
        // changed first) redirects to the log-in (or password) page, so its status must
        // stay a redirect; a server function called over HTTP answers 401 (403), like
        // any other error with its status.
        let called = use_context::<http::request::Parts>().is_some_and(|p| p.uri.path().starts_with("/admin/fn/"));
        if (called || !matches!(e, Error::Unauthenticated | Error::PasswordChangeRequired))
            && let Some(response) = use_context::<leptos_axum::ResponseOptions>()
        {
            response
                .set_status(http::StatusCode::from_u16(e.status()).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR));
        }
        ConsoleError::new(e.code(), e.public_message())
    }

    async fn cookie(name: &str) -> Option<String> {
        let state = state().ok()?;
        let headers: HeaderMap = leptos_axum::extract().await.ok()?;
        cookies::read(&state.config, name, headers.get_all(COOKIE).iter().filter_map(|v| v.to_str().ok()))
    }

    pub async fn session_token() -> Option<String> {
        cookie(cookies::SESSION).await
    }

    /// Logs in (the log-in page, the lock screen): the session cookie, and the
    /// device cookie that exempts this browser from the account-wide limit.
    pub async fn log_in(
        state: &AppState,
        username: &str,
        password: &str,
        code: Option<&str>,
    ) -> Result<formseal_core::accounts::LoggedIn, ConsoleError> {
        let ip = client_ip().await;
        let agent = user_agent().await;
        let device = cookie(cookies::DEVICE).await;
        let client = formseal_core::accounts::Client { ip, agent: agent.as_deref(), device: device.as_deref() };
        let signed_in =
            formseal_core::accounts::login(state, username.trim(), password, code, &client).await.map_err(public)?;
        set_session_cookie(state, &signed_in.token, true);
        let days = formseal_core::accounts::DEVICE_DAYS * 86_400;
        append_cookie(&cookies::set_cookie(&state.config, cookies::DEVICE, &signed_in.device, days));
        Ok(signed_in)
    }

    /// The logged-in operator, or the "please log in" error.
    pub async fn operator() -> Result<(AppState, Operator), ConsoleError> {
        let state = state()?;
        let token = session_token().await;
        let operator = formseal_core::accounts::authenticate(&state, token.as_deref()).await.map_err(public)?;
        Ok((state, operator))
    }

    /// The address the request came from: the TCP peer, or behind the operator's
    /// trusted proxies the address they forwarded.
    pub async fn client_ip() -> Option<std::net::IpAddr> {
        let state = state().ok()?;
        let axum::extract::ConnectInfo(addr): axum::extract::ConnectInfo<std::net::SocketAddr> =
            leptos_axum::extract().await.ok()?;
        let headers: HeaderMap = leptos_axum::extract().await.ok()?;
        let values = |name: &str| headers.get_all(name).iter().filter_map(|v| v.to_str().ok()).collect::<Vec<_>>();
        let (forwarded_for, forwarded) = (values("x-forwarded-for"), values("forwarded"));
        Some(state.config.trusted_proxies.client(addr.ip(), forwarded_for, forwarded))
    }

    pub async fn user_agent() -> Option<String> {
        let headers: HeaderMap = leptos_axum::extract().await.ok()?;
        headers.get(http::header::USER_AGENT).and_then(|v| v.to_str().ok()).map(str::to_owned)
    }

    pub fn set_session_cookie(state: &AppState, token: &str, open: bool) {
        let max_age = if open { state.config.session_max_ms / 1000 } else { 0 };
        append_cookie(&cookies::set_cookie(&state.config, cookies::SESSION, token, max_age));
    }

    fn append_cookie(cookie: &str) {
        if let (Some(response), Ok(value)) =
            (use_context::<leptos_axum::ResponseOptions>(), HeaderValue::from_str(cookie))
        {
            response.append_header(SET_COOKIE, value);
        }
    }

    pub fn form_item(f: FormRow, submissions: u64) -> FormItem {
        let archived = f.is_archived();
        FormItem { id: f.form_id, title: f.title, version: f.current_version, submissions, archived }
    }

    pub fn submission_list(listing: formseal_core::reader::Listing) -> SubmissionList {
        let items = listing
            .rows
            .into_iter()
            .map(|row| SubmissionItem {
                id: row.id,
                sequence: row.sequence,
                received_at: row.received_at,
                preview: row.preview.into_iter().map(|a| a.value).collect::<Vec<_>>().join(" · "),
            })
            .collect();
        SubmissionList {
            form: form_item(listing.form, listing.total),
            items,
            page: listing.page,
            pages: listing.pages,
            compact: listing.access.is_compact(),
        }
    }

    pub fn submission_detail(reading: formseal_core::reader::Reading) -> SubmissionDetail {
        let form_title = reading.form_title();
        let receipt_json = serde_json::to_string_pretty(reading.receipt()).unwrap_or_default();
        let compact = reading.access.is_compact();
        let formseal_core::reader::Reading { checked, answers, signatures, corrections, .. } = reading;
        let (row, receipt) = (checked.row, checked.receipt);
        SubmissionDetail {
            form_title,
            sequence: row.sequence,
            received_at: receipt.receipt.received_at.clone(),
            client_time: formseal_core::reader::envelope_text(row.envelope.as_ref(), "client_time"),
            answers,
            signatures,
            signature_valid: checked.signature_valid,
            receipt_valid: checked.receipt_valid,
            previous: receipt.receipt.previous.clone(),
            instance_key: receipt.key.clone(),
            receipt_json,
            compact,
            deleted: checked.deleted.map(|(t, ok)| (t.tombstone.deleted_at, t.tombstone.reason, ok)),
            corrections: corrections
                .into_iter()
                .map(|c| CorrectionItem { label: c.label, value: c.value, reason: c.reason, at: c.at, valid: c.valid })
                .collect(),
            id: row.submission_id,
            form_id: row.form_id,
            link: row.link_id.filter(|_| !compact),
            version: row.version,
            envelope_digest: row.envelope_digest,
            receipt_digest: row.receipt_digest,
            signer_key: (!compact).then_some(row.public_key),
        }
    }
}
