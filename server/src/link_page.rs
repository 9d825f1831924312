//! `/f/<link id>`: the personal-link page, and `/f/form/<form id>`: a form's
//! general link. A server-rendered shell (title, the form's privacy notice, or a
//! friendly page when the link cannot be used) around the same form renderer the
//! widget uses. The link's secret stays in the URL fragment; only the page's
//! script reads it.

use std::path::Path;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use formseal_core::{AppState, Error, LinkClosed, forms, links};
use formseal_model::copy::escape;
use formseal_model::{FormDef, PublishedVersion};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::ServerState;

const SCRIPT: &str = include_str!("../assets/link.js");
const STYLE: &str = include_str!("../assets/link.css");

/// Scripts from here only (no inline script), wasm may compile, no framing, and
/// no referrer: the path names the link.
const POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
     img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'; \
     object-src 'none'";

pub fn routes(site_root: &str) -> Router<ServerState> {
    let script: Arc<str> = crate::embed::with_widget_names(SCRIPT, &Path::new(site_root).join("widget")).into();
    Router::new()
        .route("/f/{link}", get(link_page))
        .route("/f/form/{form}", get(form_page))
        .route("/f/page.js", get(move || asset(script.clone(), "text/javascript; charset=utf-8")))
        .route("/f/page.css", get(|| asset(STYLE.into(), "text/css; charset=utf-8")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
}

async fn asset(body: Arc<str>, content_type: &'static str) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "public, max-age=300")], body.to_string())
}

fn page(status: StatusCode, lang: &str, title: &str, body: &str) -> Response {
    let html = format!(
        r#"<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex">
<title>{title}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/f/page.css">
</head>
<body>
<main>
{body}
</main>
<footer>Formseal · your answers are signed in this browser before they are sent</footer>
</body>
</html>
"#,
        lang = escape(lang),
        title = escape(title),
    );
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
            (header::CONTENT_SECURITY_POLICY, POLICY),
            (header::X_FRAME_OPTIONS, "DENY"),
        ],
        html,
    )
        .into_response()
}

/// The form's notice (GDPR Art. 13), rendered on the server.
fn notice(form: &FormDef, lang: &str) -> String {
    let n = &form.notice;
    let de = lang == "de";
    let (controller, purpose, basis, retention) = if de {
        ("Verantwortlicher", "Zweck", "Rechtsgrundlage", "Speicherdauer")
    } else {
        ("Controller", "Purpose", "Legal basis", "Retention")
    };
    let days = if de {
        format!("Ihre Angaben werden nach {} Tagen gelöscht.", n.retention_days)
    } else {
        format!("Your answers are deleted after {} days.", n.retention_days)
    };
    format!(
        r#"<section class="notice" aria-label="{label}"><dl>
<dt>{controller}</dt><dd>{name}, {address}, {contact}</dd>
<dt>{purpose}</dt><dd>{purpose_text}</dd>
<dt>{basis}</dt><dd>{basis_text}</dd>
<dt>{retention}</dt><dd>{days}</dd>
</dl></section>"#,
        label = if de { "Datenschutzhinweis" } else { "Privacy notice" },
        name = escape(&n.controller.name),
        address = escape(&n.controller.address),
        contact = escape(&n.controller.contact),
        purpose_text = escape(n.purpose.get(lang)),
        basis_text = escape(n.legal_basis.label(lang)),
    )
}

fn shell(version: &PublishedVersion, data: &str) -> Response {
    let form = &version.definition;
    let lang = form.default_lang().to_owned();
    let title = form.title.get(&lang).to_owned();
    let incomplete = if lang == "de" {
        "Dieser Link ist unvollständig. Bitte öffnen Sie den ganzen Link, den Sie bekommen haben (mit dem Teil nach „#“)."
    } else {
        "This link is incomplete. Please open the whole link you were sent (including the part after “#”)."
    };
    let body = format!(
        r#"<h1>{title}</h1>
{notice}
<p id="fs-incomplete" class="closed" role="alert" hidden>{incomplete}</p>
<div id="fs-link" {data}></div>
<script type="module" src="/f/page.js"></script>"#,
        title = escape(&title),
        notice = notice(form, &lang),
    );
    page(StatusCode::OK, &lang, &title, &body)
}

/// The friendly page for a link that cannot be used (or does not exist).
fn closed_page(status: StatusCode, why: Option<LinkClosed>, form: Option<&FormDef>) -> Response {
    let lang = form.map_or("en", |f| f.default_lang()).to_owned();
    let de = lang == "de";
    let (heading, text) = match (why, de) {
        (Some(LinkClosed::Expired), false) => (
            "This link has expired",
            "The time to answer with this link is over. If you still want to answer, please ask the sender for a new link.",
        ),
        (Some(LinkClosed::Expired), true) => (
            "Dieser Link ist abgelaufen",
            "Die Zeit für Antworten über diesen Link ist vorbei. Bitte fragen Sie beim Absender nach einem neuen Link.",
        ),
        (Some(LinkClosed::Used), false) => (
            "This link was already used",
            "Answers were already sent with this link, and it works only once. If you need to change something, please contact the sender.",
        ),
        (Some(LinkClosed::Used), true) => (
            "Dieser Link wurde schon benutzt",
            "Über diesen Link wurden bereits Antworten gesendet; er gilt nur einmal. Für Änderungen wenden Sie sich bitte an den Absender.",
        ),
        (Some(LinkClosed::Revoked), false) => (
            "This link was withdrawn",
            "The sender has withdrawn this link. If you think this is a mistake, please contact them.",
        ),
        (Some(LinkClosed::Revoked), true) => (
            "Dieser Link wurde zurückgezogen",
            "Der Absender hat diesen Link zurückgezogen. Wenn Sie das für einen Irrtum halten, wenden Sie sich bitte an ihn.",
        ),
        (None, _) => (
            "This link does not exist",
            "Please check that you opened the whole link you were sent. It may also have been deleted.",
        ),
    };
    let contact = form
        .map(|f| {
            let c = &f.notice.controller;
            format!(
                "<p>{} {}, {}, {}</p>",
                if de { "Absender:" } else { "Sender:" },
                escape(&c.name),
                escape(&c.address),
                escape(&c.contact)
            )
        })
        .unwrap_or_default();
    let title = form.map(|f| f.title.get(&lang).to_owned()).unwrap_or_else(|| "Formseal".into());
    let body = format!(
        r#"<section class="closed" data-link-state="{state}"><h1>{heading}</h1><p>{text}</p>{contact}<p class="form-name">{form_name}</p></section>"#,
        state = why.map_or("missing", |w| match w {
            LinkClosed::Expired => "expired",
            LinkClosed::Used => "used",
            LinkClosed::Revoked => "revoked",
        }),
        form_name = escape(&title),
    );
    page(status, &lang, heading, &body)
}

fn trouble(e: Error) -> Response {
    tracing::error!(error = %e, "link page failed");
    let body = "<section class=\"closed\"><h1>Something went wrong</h1><p>Please try again in a moment.</p></section>";
    page(StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR), "en", "Formseal", body)
}

async fn link_page(State(state): State<AppState>, UrlPath(link_id): UrlPath<String>) -> Response {
    let (row, why) = match links::page_state(&state, &link_id).await {
        Ok(found) => found,
        Err(Error::NotFound(_)) => return closed_page(StatusCode::NOT_FOUND, None, None),
        Err(e) => return trouble(e),
    };
    let version = match forms::current(&state, &row.form_id).await {
        Ok(v) => v,
        Err(Error::NotFound(_) | Error::Archived) => {
            return closed_page(StatusCode::GONE, Some(LinkClosed::Revoked), None);
        }
        Err(e) => return trouble(e),
    };
    if let Some(why) = why {
        return closed_page(StatusCode::GONE, Some(why), Some(&version.definition));
    }
    shell(&version, &format!("data-link=\"{}\"", escape(&row.link_id)))
}

async fn form_page(State(state): State<AppState>, UrlPath(form_id): UrlPath<String>) -> Response {
    match forms::current(&state, &form_id).await {
        Ok(version) => shell(&version, &format!("data-form=\"{}\"", escape(&form_id))),
        Err(Error::NotFound(_) | Error::Archived) => closed_page(StatusCode::NOT_FOUND, None, None),
        Err(e) => trouble(e),
    }
}
