//! What host pages load: the loader script, the widget module, and a demo page.

use std::path::Path;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use formseal_core::AppState;
use formseal_model::demo::DEMO_FORM_ID;
use serde::Deserialize;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::ServerState;

const LOADER: &str = include_str!("../assets/embed.js");
/// The names the loader's source uses; the server puts the built, hashed ones in.
const PLAIN_JS: &str = "formseal_widget.js";
const PLAIN_WASM: &str = "formseal_widget_bg.wasm";
/// The personal-link page's bundle (the landing-page widget plus `mount_link`).
const PLAIN_LINK_JS: &str = "formseal_link.js";
const PLAIN_LINK_WASM: &str = "formseal_link_bg.wasm";

/// Short: the loader is the one URL host pages hard-code, and it names the rest.
const SHORT_CACHE: &str = "public, max-age=300";
/// Content-hashed files never change under their name.
const FOREVER: &str = "public, max-age=31536000, immutable";

pub fn routes(site_root: &str) -> Router<ServerState> {
    let widget_dir = Path::new(site_root).join("widget");
    let loader: Arc<str> = loader_source(&widget_dir).into();
    Router::new()
        .route("/embed.js", get(move || serve_loader(loader.clone())))
        .route("/demo", get(demo))
        .merge(widget_assets(&widget_dir))
}

/// The file names scripts/build-widget.sh wrote to `<site>/widget/manifest.json`.
#[derive(Deserialize)]
struct Manifest {
    js: String,
    wasm: String,
    /// The link page's bundle; absent in a build from before it was split off.
    #[serde(default)]
    link_js: Option<String>,
    #[serde(default)]
    link_wasm: Option<String>,
}

/// embed.js with the content-hashed names of this build. Without a manifest (the
/// widget was not built) the plain names stay, and the log says why forms fail.
fn loader_source(widget_dir: &Path) -> String {
    with_widget_names(LOADER, widget_dir)
}

/// `source` with the widget's plain file names replaced by this build's hashed ones.
pub(crate) fn with_widget_names(source: &str, widget_dir: &Path) -> String {
    let path = widget_dir.join("manifest.json");
    let manifest = std::fs::read_to_string(&path)
        .map_err(|e| e.to_string())
        .and_then(|text| serde_json::from_str::<Manifest>(&text).map_err(|e| e.to_string()))
        .and_then(|m| {
            // The names go into JavaScript: only plain file names are accepted.
            let plain = |n: &str| n.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
            let link = [&m.link_js, &m.link_wasm].into_iter().flatten().all(|n| plain(n));
            if plain(&m.js) && plain(&m.wasm) && link { Ok(m) } else { Err("unexpected file names".into()) }
        });
    match manifest {
        Ok(m) => {
            let mut named = source.replace(PLAIN_WASM, &m.wasm).replace(PLAIN_JS, &m.js);
            if let (Some(js), Some(wasm)) = (&m.link_js, &m.link_wasm) {
                named = named.replace(PLAIN_LINK_WASM, wasm).replace(PLAIN_LINK_JS, js);
            }
            named
        }
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "no widget manifest: embedded forms will not load (run scripts/build-widget.sh)");
            source.to_owned()
        }
    }
}

async fn serve_loader(source: Arc<str>) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, SHORT_CACHE),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        ],
        source.to_string(),
    )
}

/// The widget's module and wasm, built into `<site>/widget`. Any page may load them
/// (they hold no data); what a page may do with a form is decided per form by CORS
/// on the API.
fn widget_assets(widget_dir: &Path) -> Router<ServerState> {
    let files = tower::ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::overriding(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*")))
        .service(ServeDir::new(widget_dir).precompressed_br().precompressed_gzip());
    Router::new().nest_service("/widget", files).layer(middleware::from_fn(cache_control))
}

/// A year and `immutable` for content-hashed names, five minutes for anything else;
/// nothing for errors, so a 404 is not remembered.
async fn cache_control(request: Request, next: Next) -> Response {
    let hashed = is_content_hashed(request.uri().path());
    let mut response = next.run(request).await;
    let status = response.status();
    if status.is_success() || status == axum::http::StatusCode::NOT_MODIFIED {
        let value = HeaderValue::from_static(if hashed { FOREVER } else { SHORT_CACHE });
        response.headers_mut().insert(header::CACHE_CONTROL, value);
    }
    response
}

/// `…/name-<16 hex digits>.ext`, as scripts/build-widget.sh names files.
fn is_content_hashed(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or_default();
    let stem = file.split('.').next().unwrap_or_default();
    stem.rsplit_once('-').is_some_and(|(_, hash)| {
        hash.len() == 16 && hash.chars().all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
    })
}

/// A plain page that embeds the demo form the way a customer's landing page would.
async fn demo(State(state): State<AppState>) -> Html<String> {
    let base = &state.config.public_url;
    Html(format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Formseal demo: a landing page with an embedded form</title>
<link rel="icon" href="data:,">
<style>body {{ font-family: Georgia, serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; color: #222; }}
pre {{ white-space: pre-wrap; overflow-wrap: anywhere; }}</style>
</head>
<body>
<h1>Café Formseal</h1>
<p>This is an ordinary page. The form below comes from one script tag:</p>
<pre><code>&lt;script src="{base}/embed.js" data-form="{DEMO_FORM_ID}" async&gt;&lt;/script&gt;</code></pre>
<script src="{base}/embed.js" data-form="{DEMO_FORM_ID}" async></script>
</body>
</html>
"#
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hashed_names_are_cached_for_good() {
        assert!(is_content_hashed("/widget/formseal_widget_bg-0123456789abcdef.wasm"));
        assert!(is_content_hashed("/formseal_widget-0123456789abcdef.js"));
        assert!(!is_content_hashed("/formseal_widget.js"));
        assert!(!is_content_hashed("/manifest.json"));
        assert!(!is_content_hashed("/x-0123456789ABCDEF.js"));
        assert!(!is_content_hashed("/x-0123456789abcde.js"));
    }
}
