mod account;
mod accounts;
mod audit;
mod designer;
mod export_panel;
mod forms;
mod funnel;
mod integrity;
mod invite;
mod link_mail;
mod links;
mod login;
mod messages;
mod password;
mod request;
mod requests;
mod reset;
mod retention;
mod submission;
mod submissions;

pub use account::AccountPage;
pub use accounts::AccountsPage;
pub use audit::AuditPage;
pub use designer::DesignerPage;
pub use forms::FormsPage;
pub use funnel::FunnelPage;
pub use integrity::IntegrityPage;
pub use invite::InvitePage;
pub use links::LinksPage;
pub use login::{LoginPage, LogoutButton};
pub use messages::MessagesPage;
pub use password::PasswordPage;
pub use request::RequestPage;
pub use requests::RequestsPage;
pub use reset::{ForgotPage, ResetPage};
pub use retention::RetentionPage;
pub use submission::SubmissionPage;
pub use submissions::SubmissionsPage;

use leptos::prelude::*;
use leptos_router::components::Redirect;

use crate::api::{ConsoleError, ErrorCode};

/// What a page shows when its data could not be loaded: the log-in page when the
/// session is gone, the password page when the password must be replaced first,
/// otherwise the error's public message.
pub fn load_error(e: ConsoleError) -> AnyView {
    match e.code {
        ErrorCode::Unauthenticated => view! { <Redirect path="/admin/login" /> }.into_any(),
        ErrorCode::PasswordChangeRequired => view! { <Redirect path="/admin/password" /> }.into_any(),
        _ => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
    }
}

pub fn loading() -> impl IntoView {
    view! { <p class="muted">"Loading …"</p> }
}
