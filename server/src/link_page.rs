//! `/f/<link id>`: the personal-link page, and `/f/form/<form id>`: a form's
//! general link. A server-rendered shell (title, the form's privacy notice, or a
//! friendly page when the link cannot be used) around the same form renderer the
//! widget uses. The link's secret stays in the URL fragment; only the page's
//! script reads it. Leptos renders the pages (so every value is escaped); their
//! words are in [`crate::texts`].

use std::path::Path;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use formseal_core::{AppState, Error, LinkClosed, forms, links};
use formseal_model::{FormDef, Lang, PublishedVersion};
use leptos::prelude::*;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::ServerState;
use crate::texts;

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

/// The page around `body`: the same head, frame and headers for every page here.
/// Leptos writes it, so every value in it is escaped.
fn page(status: StatusCode, lang: &str, title: String, body: impl IntoView) -> Response {
    let t = texts::of(Lang::parse(lang));
    let html = view! {
        <!DOCTYPE html>
        <html lang=lang.to_owned()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="referrer" content="no-referrer" />
                <meta name="robots" content="noindex" />
                <title>{title}</title>
                <link rel="icon" href="data:," />
                <link rel="stylesheet" href="/f/page.css" />
            </head>
            <body>
                <main>{body}</main>
                <footer>{t.footer}</footer>
            </body>
        </html>
    }
    .to_html();
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
fn notice(form: &FormDef, lang: &str) -> impl IntoView {
    let t = texts::of(Lang::parse(lang));
    let n = &form.notice;
    let c = &n.controller;
    view! {
        <section class="notice" aria-label=t.notice>
            <dl>
                <dt>{t.controller}</dt>
                <dd>{format!("{}, {}, {}", c.name, c.address, c.contact)}</dd>
                <dt>{t.purpose}</dt>
                <dd>{n.purpose.get(lang).to_owned()}</dd>
                <dt>{t.legal_basis}</dt>
                <dd>{n.legal_basis.label(lang)}</dd>
                <dt>{t.retention}</dt>
                <dd>{(t.deleted_after)(n.retention_days)}</dd>
            </dl>
        </section>
    }
}

/// Which form the page's script mounts: a personal link's, or a form's own.
enum Host {
    Link(String),
    Form(String),
}

fn shell(version: &PublishedVersion, host: Host) -> Response {
    let form = &version.definition;
    let lang = form.default_lang().to_owned();
    let t = texts::of(Lang::parse(&lang));
    let title = form.title.get(&lang).to_owned();
    let (link, form_id) = match host {
        Host::Link(link) => (Some(link), None),
        Host::Form(form_id) => (None, Some(form_id)),
    };
    let body = view! {
        <h1>{title.clone()}</h1>
        {notice(form, &lang)}
        <p id="fs-incomplete" class="closed" role="alert" hidden>{t.incomplete}</p>
        <div id="fs-link" data-link=link data-form=form_id></div>
        <script type="module" src="/f/page.js"></script>
    };
    page(StatusCode::OK, &lang, title, body)
}

/// The friendly page for a link that cannot be used (or does not exist).
fn closed_page(status: StatusCode, why: Option<LinkClosed>, form: Option<&FormDef>) -> Response {
    let lang = form.map_or("en", |f| f.default_lang()).to_owned();
    let t = texts::of(Lang::parse(&lang));
    let (closed, state) = match why {
        Some(LinkClosed::Expired) => (&t.expired, "expired"),
        Some(LinkClosed::Used) => (&t.used, "used"),
        Some(LinkClosed::Revoked) => (&t.revoked, "revoked"),
        None => (&t.missing, "missing"),
    };
    let contact = form.map(|f| {
        let c = &f.notice.controller;
        format!("{} {}, {}, {}", t.sender, c.name, c.address, c.contact)
    });
    let form_name = form.map(|f| f.title.get(&lang).to_owned()).unwrap_or_else(|| "Formseal".into());
    let body = view! {
        <section class="closed" data-link-state=state>
            <h1>{closed.heading}</h1>
            <p>{closed.text}</p>
            {contact.map(|contact| view! { <p>{contact}</p> })}
            <p class="form-name">{form_name}</p>
        </section>
    };
    page(status, &lang, closed.heading.to_owned(), body)
}

fn trouble(e: Error) -> Response {
    tracing::error!(error = %e, "link page failed");
    // Nothing says which language the visitor reads.
    let lang = Lang::En;
    let words = &texts::of(lang).trouble;
    let body = view! {
        <section class="closed">
            <h1>{words.heading}</h1>
            <p>{words.text}</p>
        </section>
    };
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    page(status, lang.tag(), "Formseal".to_owned(), body)
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
    shell(&version, Host::Link(row.link_id))
}

async fn form_page(State(state): State<AppState>, UrlPath(form_id): UrlPath<String>) -> Response {
    match forms::current(&state, &form_id).await {
        Ok(version) => shell(&version, Host::Form(form_id)),
        Err(Error::NotFound(_) | Error::Archived) => closed_page(StatusCode::NOT_FOUND, None, None),
        Err(e) => trouble(e),
    }
}
