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

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnswerItem {
    pub label: String,
    pub value: String,
}

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
    pub signer_key: String,
    pub instance_key: String,
    pub receipt_json: String,
    /// Personal and special-category answers are left out (partners).
    pub compact: bool,
    /// When and why the answers were deleted, and whether the signed tombstone checks out.
    pub deleted: Option<(String, String, bool)>,
    /// Rectifications (Art. 16), oldest first (full access only).
    pub corrections: Vec<CorrectionItem>,
    /// The personal link whose key signed the envelope (else a one-off key).
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

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SignatureItem {
    pub label: String,
    pub statement: String,
    /// The drawing as SVG markup (numbers only: built from the strokes).
    pub svg: Option<String>,
    /// The typed name, for a signature made with the keyboard.
    pub typed: Option<String>,
    pub strokes: usize,
    pub points: usize,
}

pub const PAGE_SIZE: u64 = 50;

#[server(prefix = "/admin/fn", endpoint = "login")]
pub async fn login(username: String, password: String, code: Option<String>) -> Result<(), ConsoleError> {
    let state = ssr::state()?;
    let ip = ssr::client_ip().await;
    let agent = ssr::user_agent().await;
    let token =
        formseal_core::accounts::login(&state, username.trim(), &password, code.as_deref(), ip, agent.as_deref())
            .await
            .map_err(ssr::public)?;
    ssr::set_session_cookie(&state, &token, true);
    leptos_axum::redirect("/admin");
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
    operator.require(Permission::ViewForms).map_err(ssr::public)?;
    let forms = state.store.forms().await.map_err(ssr::public)?;
    Ok(forms.into_iter().filter(|(f, _)| operator.sees_form(&f.form_id)).map(|(f, n)| ssr::form_item(f, n)).collect())
}

#[server(prefix = "/admin/fn", endpoint = "submissions")]
pub async fn list_submissions(form: String, page: u64) -> Result<SubmissionList, ConsoleError> {
    let (state, operator) = ssr::operator().await?;
    ssr::submission_list(&state, &operator, &form, page).await.map_err(ssr::public)
}

#[server(prefix = "/admin/fn", endpoint = "submission")]
pub async fn get_submission(id: String) -> Result<SubmissionDetail, ConsoleError> {
    let (state, operator) = ssr::operator().await?;
    ssr::submission_detail(&state, &operator, &id).await.map_err(ssr::public)
}

mod admin;
mod designer;
mod error;
mod exports;
mod links;
mod requests;
mod retention;
mod session;
pub use admin::*;
pub use designer::*;
pub use error::{ConsoleError, ErrorCode};
pub use exports::*;
pub use links::*;
pub use requests::*;
pub use retention::*;
pub use session::*;

#[cfg(feature = "ssr")]
use formseal_core::permissions::Permission;

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use formseal_core::accounts::Operator;
    use formseal_core::audit::{self, action};
    use formseal_core::permissions::FormAccess;
    use formseal_core::store::FormRow;
    use formseal_core::{AppState, Error};
    use formseal_model::FormDef;
    use http::header::{COOKIE, SET_COOKIE};
    use http::{HeaderMap, HeaderValue};
    use leptos::prelude::*;
    use serde_json::Value;

    use super::*;

    use formseal_core::accounts::SESSION_COOKIE;

    pub fn state() -> Result<AppState, ConsoleError> {
        use_context::<AppState>().ok_or_else(|| public(Error::Internal("the console's server state is missing".into())))
    }

    /// The one place where a domain error becomes what the browser may see: its
    /// code and public message, and the status; details go to the log.
    pub fn public(e: Error) -> ConsoleError {
        if e.is_server_fault() {
            tracing::error!(error = %e, detail = ?e, "console request failed");
        }
        // A page being rendered that finds the session gone redirects to the log-in
        // page (its status must stay a redirect); a server function called over HTTP
        // answers 401, like any other error with its status.
        let called = use_context::<http::request::Parts>().is_some_and(|p| p.uri.path().starts_with("/admin/fn/"));
        if (called || !matches!(e, Error::Unauthenticated))
            && let Some(response) = use_context::<leptos_axum::ResponseOptions>()
        {
            response
                .set_status(http::StatusCode::from_u16(e.status()).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR));
        }
        ConsoleError::new(e.code(), e.public_message())
    }

    pub async fn session_token() -> Option<String> {
        let headers: HeaderMap = leptos_axum::extract().await.ok()?;
        formseal_core::accounts::session_from_cookies(headers.get_all(COOKIE).iter().filter_map(|v| v.to_str().ok()))
    }

    /// The logged-in operator, or the "please log in" error.
    pub async fn operator() -> Result<(AppState, Operator), ConsoleError> {
        let state = state()?;
        let token = session_token().await;
        let operator = formseal_core::accounts::authenticate(&state, token.as_deref()).await.map_err(public)?;
        Ok((state, operator))
    }

    /// The address the request came from (the TCP peer).
    pub async fn client_ip() -> Option<std::net::IpAddr> {
        let axum::extract::ConnectInfo(addr): axum::extract::ConnectInfo<std::net::SocketAddr> =
            leptos_axum::extract().await.ok()?;
        Some(addr.ip())
    }

    pub async fn user_agent() -> Option<String> {
        let headers: HeaderMap = leptos_axum::extract().await.ok()?;
        headers.get(http::header::USER_AGENT).and_then(|v| v.to_str().ok()).map(str::to_owned)
    }

    pub fn set_session_cookie(state: &AppState, token: &str, open: bool) {
        let secure = if state.config.secure_cookies() { "; Secure" } else { "" };
        let lifetime =
            if open { format!("; Max-Age={}", state.config.session_max_ms / 1000) } else { "; Max-Age=0".to_owned() };
        let cookie = format!("{SESSION_COOKIE}={token}; Path=/admin; HttpOnly; SameSite=Strict{secure}{lifetime}");
        if let (Some(response), Ok(value)) =
            (use_context::<leptos_axum::ResponseOptions>(), HeaderValue::from_str(&cookie))
        {
            response.append_header(SET_COOKIE, value);
        }
    }

    pub fn form_item(f: FormRow, submissions: u64) -> FormItem {
        let archived = f.is_archived();
        FormItem { id: f.form_id, title: f.title, version: f.current_version, submissions, archived }
    }

    /// The keys of the answers to show, in form order (unknown keys after). In the
    /// compact view only fields classed as not personal.
    fn visible_keys(
        definition: Option<&FormDef>,
        answers: &serde_json::Map<String, Value>,
        access: FormAccess,
    ) -> Vec<String> {
        let mut keys: Vec<String> = answers.keys().cloned().collect();
        let position =
            |k: &str| definition.and_then(|d| d.fields.iter().position(|f| f.key == k)).unwrap_or(usize::MAX);
        keys.sort_by_key(|k| (position(k), k.clone()));
        if access == FormAccess::Compact {
            keys.retain(|k| {
                definition.and_then(|d| d.field(k)).is_some_and(|f| f.class == formseal_model::DataClass::None)
            });
        }
        keys
    }

    /// The answers to show, in form order. In the compact view only answers of
    /// fields classed as not personal are kept (unknown fields are left out too).
    fn answers_of(definition: Option<&FormDef>, envelope: Option<&Value>, access: FormAccess) -> Vec<AnswerItem> {
        let Some(answers) = envelope.and_then(|e| e.get("answers")).and_then(Value::as_object) else {
            return Vec::new();
        };
        visible_keys(definition, answers, access)
            .into_iter()
            .map(|key| {
                let field = definition.and_then(|d| d.field(&key));
                let label = field
                    .map_or(key.clone(), |f| f.label.get(definition.map_or("en", |d| d.default_lang())).to_owned());
                AnswerItem { label, value: formseal_model::answer::answer_text(field.map(|f| &f.kind), &answers[&key]) }
            })
            .collect()
    }

    /// The drawn (or typed) signatures among the answers the operator may see.
    fn signatures_of(definition: Option<&FormDef>, envelope: Option<&Value>, access: FormAccess) -> Vec<SignatureItem> {
        let Some(answers) = envelope.and_then(|e| e.get("answers")).and_then(Value::as_object) else {
            return Vec::new();
        };
        visible_keys(definition, answers, access)
            .into_iter()
            .filter_map(|key| {
                let field = definition.and_then(|d| d.field(&key))?;
                if !matches!(field.kind, formseal_model::FieldKind::Signature { .. }) {
                    return None;
                }
                let value = &answers[&key];
                let strokes = value.get("strokes").and_then(Value::as_array);
                Some(SignatureItem {
                    label: field.label.get(definition.map_or("en", |d| d.default_lang())).to_owned(),
                    statement: value.get("statement").and_then(Value::as_str).unwrap_or("").to_owned(),
                    svg: formseal_model::link::signature_svg(value),
                    typed: value.get("typed").and_then(Value::as_str).map(str::to_owned),
                    strokes: strokes.map_or(0, Vec::len),
                    points: strokes.map_or(0, |s| s.iter().filter_map(Value::as_array).map(Vec::len).sum()),
                })
            })
            .collect()
    }

    pub async fn submission_list(
        state: &AppState,
        operator: &Operator,
        form_id: &str,
        page: u64,
    ) -> Result<SubmissionList, Error> {
        let access = operator.form_access(form_id)?;
        let form = formseal_core::forms::form(state, form_id).await?;
        let definition = match &form.current_version {
            Some(v) => formseal_core::forms::version(state, form_id, v).await.ok().map(|p| p.definition),
            None => None,
        };
        let (total, _) = state.store.chain_head(form_id).await?;
        let pages = total.div_ceil(PAGE_SIZE).max(1);
        let page = page.clamp(1, pages);
        let rows = state.store.submissions_page(form_id, (page - 1) * PAGE_SIZE, PAGE_SIZE).await?;
        if access == FormAccess::Full && !rows.is_empty() {
            let detail = format!("page {page}, {} submissions", rows.len());
            audit::record(state, &operator.username, action::SUBMISSIONS_LISTED, form_id, &detail).await?;
        }
        let items = rows
            .into_iter()
            .map(|row| {
                let preview = answers_of(definition.as_ref(), row.envelope.as_ref(), access)
                    .into_iter()
                    .take(2)
                    .map(|a| a.value)
                    .collect::<Vec<_>>()
                    .join(" · ");
                SubmissionItem { id: row.submission_id, sequence: row.sequence, received_at: row.received_at, preview }
            })
            .collect();
        Ok(SubmissionList { form: form_item(form, total), items, page, pages, compact: access == FormAccess::Compact })
    }

    pub async fn submission_detail(state: &AppState, operator: &Operator, id: &str) -> Result<SubmissionDetail, Error> {
        let checked = formseal_core::submissions::checked(state, id).await?;
        let row = &checked.row;
        // A submission of a form the operator does not see does not exist for them.
        let access = operator.form_access(&row.form_id).map_err(|e| match e {
            Error::NotFound(_) => Error::NotFound("submission"),
            other => other,
        })?;
        let scope = if access == FormAccess::Full { "full" } else { "compact" };
        audit::record(state, &operator.username, action::SUBMISSION_VIEWED, id, scope).await?;
        let version = formseal_core::forms::version(state, &row.form_id, &row.version).await.ok();
        let definition = version.as_ref().map(|v| &v.definition);
        let receipt = &checked.receipt;
        Ok(SubmissionDetail {
            id: row.submission_id.clone(),
            form_id: row.form_id.clone(),
            form_title: definition.map_or(row.form_id.clone(), |d| d.title.get(d.default_lang()).to_owned()),
            sequence: row.sequence,
            received_at: receipt.receipt.received_at.clone(),
            client_time: row
                .envelope
                .as_ref()
                .and_then(|e| e.get("client_time"))
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned(),
            answers: answers_of(definition, row.envelope.as_ref(), access),
            signatures: signatures_of(definition, row.envelope.as_ref(), access),
            link: row.link_id.clone(),
            signature_valid: checked.signature_valid,
            receipt_valid: checked.receipt_valid,
            version: row.version.clone(),
            envelope_digest: row.envelope_digest.clone(),
            receipt_digest: row.receipt_digest.clone(),
            previous: receipt.receipt.previous.clone(),
            signer_key: row.public_key.clone(),
            instance_key: receipt.key.clone(),
            receipt_json: serde_json::to_string_pretty(receipt).unwrap_or_default(),
            compact: access == FormAccess::Compact,
            deleted: checked
                .deleted
                .as_ref()
                .map(|(t, ok)| (t.tombstone.deleted_at.clone(), t.tombstone.reason.clone(), *ok)),
            corrections: if access == FormAccess::Full {
                corrections(state, definition, row).await?
            } else {
                Vec::new()
            },
        })
    }

    async fn corrections(
        state: &AppState,
        definition: Option<&FormDef>,
        row: &formseal_core::store::SubmissionRow,
    ) -> Result<Vec<CorrectionItem>, Error> {
        let found = formseal_core::submissions::corrections(state, row).await?;
        Ok(found
            .into_iter()
            .map(|(signed, valid)| {
                let c = signed.correction;
                let field = definition.and_then(|d| d.field(&c.field));
                CorrectionItem {
                    label: field.map_or(c.field.clone(), |f| {
                        f.label.get(definition.map_or("en", |d| d.default_lang())).to_owned()
                    }),
                    value: formseal_model::answer::answer_text(field.map(|f| &f.kind), &c.value),
                    reason: c.reason,
                    at: c.corrected_at,
                    valid,
                }
            })
            .collect())
    }
}
