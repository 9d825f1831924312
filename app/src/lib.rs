//! The Formseal console: what operators see at `/admin`. Server-rendered, then
//! hydrated; all data comes through the server functions in [`api`], each of which
//! checks the session itself.

// Leptos views are nested types; the designer's panels go deeper than the default.
#![recursion_limit = "256"]

pub mod api;
mod idle;
mod pages;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/formseal.css" />
        <Title text="Formseal console" />
        <Router>
            <header class="top">
                <a class="brand" href="/admin">"Formseal"</a>
                <nav class="main-nav" aria-label="Console">
                    <a href="/admin">"Forms"</a>
                    <a href="/admin/accounts">"People"</a>
                    <a href="/admin/audit">"Audit log"</a>
                    <a href="/admin/requests">"Requests"</a>
                    <a href="/admin/retention">"Retention"</a>
                    <a href="/admin/integrity">"Integrity"</a>
                    <a href="/admin/messages">"Messages"</a>
                    <a href="/admin/account">"Your sessions"</a>
                </nav>
                <pages::LogoutButton />
            </header>
            <idle::IdleGuard />
            <main>
                <Routes fallback=|| view! { <p>"This page does not exist."</p> }>
                    // Async: the session is checked before the first byte is sent, so
                    // a missing session becomes a plain redirect to the log-in page.
                    <Route path=path!("/admin") view=pages::FormsPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/login") view=pages::LoginPage />
                    <Route path=path!("/admin/invite/:token") view=pages::InvitePage />
                    <Route path=path!("/admin/forgot") view=pages::ForgotPage />
                    <Route path=path!("/admin/reset/:token") view=pages::ResetPage />
                    <Route path=path!("/admin/messages") view=pages::MessagesPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/accounts") view=pages::AccountsPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/account") view=pages::AccountPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/password") view=pages::PasswordPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/audit") view=pages::AuditPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/retention") view=pages::RetentionPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/requests") view=pages::RequestsPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/requests/:id") view=pages::RequestPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/integrity") view=pages::IntegrityPage />
                    <Route path=path!("/admin/forms/:form") view=pages::SubmissionsPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/forms/:form/design") view=pages::DesignerPage />
                    <Route path=path!("/admin/forms/:form/links") view=pages::LinksPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/forms/:form/funnel") view=pages::FunnelPage ssr=SsrMode::Async />
                    <Route
                        path=path!("/admin/forms/:form/submissions/:id")
                        view=pages::SubmissionPage
                        ssr=SsrMode::Async
                    />
                </Routes>
            </main>
        </Router>
    }
}

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
    // Lets tests (and scripts) know the page is interactive, not just painted.
    if let Some(body) = document().body() {
        let _ = body.set_attribute("data-hydrated", "");
    }
}
