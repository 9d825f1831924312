//! Changing one's own password. Also where an account whose password someone else
//! set (the first start's, a reset on the command line) is sent until it has
//! chosen its own: every other page answers "password change required" until then.

use leptos::prelude::*;
use leptos_meta::Title;

use super::{load_error, loading};
use crate::api::{ChangePassword, password_state};

#[component]
pub fn PasswordPage() -> impl IntoView {
    let state = Resource::new(|| (), |_| password_state());
    let change = ServerAction::<ChangePassword>::new();
    let failed = move || change.value().get().and_then(Result::err).map(|e| e.message);
    view! {
        <Title text="Your password · Formseal" />
        <section class="card narrow">
            <Suspense fallback=loading>
                {move || Suspend::new(async move {
                    match state.await {
                        Err(e) => load_error(e),
                        Ok(s) => view! {
                            {if s.must_change {
                                view! {
                                    <h1>"Choose your password"</h1>
                                    <p>"The password you logged in with was set for you (printed once by the server, or reset on its command line). Choose your own before going on; nobody else will know it."</p>
                                }.into_any()
                            } else {
                                view! {
                                    <h1>"Change your password"</h1>
                                    <p class="muted">"Your other sessions end when you change it; this one stays."</p>
                                }.into_any()
                            }}
                            <ActionForm action=change>
                                // For password managers: which account this is.
                                <input type="hidden" autocomplete="username" value=s.username />
                                <label for="current-password">"Current password"</label>
                                <input id="current-password" name="current" type="password" autocomplete="current-password" required />
                                <NewPassword />
                                {move || failed().map(|m| view! { <p class="error" role="alert">{m}</p> })}
                                <button type="submit" class="primary" disabled=move || change.pending().get()>"Change password"</button>
                            </ActionForm>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// The new password, typed twice (fields `new` and `repeat`), with the rules.
/// Shared by the change and the reset by mail.
#[component]
pub fn NewPassword() -> impl IntoView {
    view! {
        <label for="new-password">"New password"</label>
        <input id="new-password" name="new" type="password" autocomplete="new-password" required
            minlength=formseal_model::MIN_PASSWORD_CHARS.to_string() aria-describedby="new-password-hint" />
        <p id="new-password-hint" class="hint">
            {format!("At least {} characters. A few unrelated words make a strong one; common passwords are refused.", formseal_model::MIN_PASSWORD_CHARS)}
        </p>
        <label for="repeat-password">"New password again"</label>
        <input id="repeat-password" name="repeat" type="password" autocomplete="new-password" required />
    }
}
