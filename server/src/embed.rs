//! What host pages load: the loader script, the widget module, and a demo page.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use formseal_core::AppState;
use formseal_model::demo::DEMO_FORM_ID;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::ServerState;

const LOADER: &str = include_str!("../assets/embed.js");

pub fn routes(site_root: &str) -> Router<ServerState> {
    Router::new().route("/embed.js", get(loader)).route("/demo", get(demo)).merge(widget_assets(site_root))
}

async fn loader() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            // Short: the loader is the one URL host pages hard-code.
            (header::CACHE_CONTROL, "public, max-age=300"),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        ],
        LOADER,
    )
}

/// The widget's module and wasm, built into `<site>/widget`. Any page may load them
/// (they hold no data); what a page may do with a form is decided per form by CORS
/// on the API.
fn widget_assets(site_root: &str) -> Router<ServerState> {
    let files = tower::ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::overriding(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*")))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=300"),
        ))
        .service(ServeDir::new(std::path::Path::new(site_root).join("widget")).precompressed_br().precompressed_gzip());
    Router::new().nest_service("/widget", files)
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
