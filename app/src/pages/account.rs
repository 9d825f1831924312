//! The person's own account: their sessions on every device, log out everywhere,
//! the password and the second factor.

use leptos::prelude::*;
use leptos_meta::Title;

use super::{load_error, loading};
use crate::api::{
    LogoutEverywhere, SetMyEmail, TwoFactorDisable, me, my_email, my_sessions, two_factor_begin, two_factor_enable,
};

#[component]
pub fn AccountPage() -> impl IntoView {
    let sessions = Resource::new(|| (), |_| my_sessions());
    let everywhere = ServerAction::<LogoutEverywhere>::new();
    let query = leptos_router::hooks::use_query_map();
    let changed = move || query.read().get("password").is_some_and(|v| v == "changed");
    view! {
        <Title text="Your account · Formseal" />
        <Show when=changed>
            <p class="notice" role="status">"Your password was changed. Your other sessions have ended."</p>
        </Show>
        <h1>"Your sessions"</h1>
        <p class="muted">"Where you are logged in now. Sessions end after a time without activity and after 12 hours at most."</p>
        <Suspense fallback=loading>
            {move || Suspend::new(async move {
                match sessions.await {
                    Err(e) => load_error(e),
                    Ok(list) => view! {
                        <table class="list">
                            <thead><tr><th>"Started (UTC)"</th><th>"Last active (UTC)"</th><th>"Address"</th><th>"Browser"</th><th></th></tr></thead>
                            <tbody>{list.into_iter().map(|s| view! {
                                <tr>
                                    <td>{s.created}</td><td>{s.last_seen}</td><td>{s.ip}</td>
                                    <td class="small">{s.agent}</td>
                                    <td>{s.current.then_some("this one")}</td>
                                </tr>
                            }).collect_view()}</tbody>
                        </table>
                    }.into_any(),
                }
            })}
        </Suspense>
        <ActionForm action=everywhere>
            <button type="submit" class="primary">"Log out everywhere"</button>
        </ActionForm>
        <section class="card" aria-labelledby="pw-title">
            <h2 id="pw-title">"Password"</h2>
            <p><a href="/admin/password">"Change your password"</a></p>
        </section>
        <MailAddress />
        <TwoFactor />
    }
}

/// Set up or turn off the second factor.
#[component]
fn TwoFactor() -> impl IntoView {
    let disable = ServerAction::<TwoFactorDisable>::new();
    let who = Resource::new(move || disable.version().get(), |_| me());
    let begin = Action::new(|_: &()| two_factor_begin());
    let enable = Action::new(|code: &String| two_factor_enable(code.clone()));
    let code = RwSignal::new(String::new());
    view! {
        <section class="card" aria-labelledby="tf-title">
            <h2 id="tf-title">"Two-factor authentication"</h2>
            <Suspense fallback=loading>
                {move || Suspend::new(async move {
                    let on = who.await.map(|w| w.two_factor).unwrap_or(false);
                    if on && enable.value().get().is_none() {
                        return view! {
                            <p>"On: logging in needs a code from your authenticator app."</p>
                            <ActionForm action=disable>
                                <label for="tf-off-password">"Password, to turn it off"</label>
                                <input id="tf-off-password" name="password" type="password" autocomplete="current-password" required />
                                <label for="tf-off-code">"A current code from the app, or a recovery code"</label>
                                <input id="tf-off-code" name="code" inputmode="numeric" autocomplete="one-time-code" required />
                                <button type="submit">"Turn off"</button>
                            </ActionForm>
                            {move || disable.value().get().and_then(Result::err).map(|e| view! { <p class="error" role="alert">{e.message}</p> })}
                        }.into_any();
                    }
                    view! {
                        {move || match enable.value().get() {
                            Some(Ok(codes)) => view! {
                                <p role="status">"On. Keep these recovery codes somewhere safe; each works once if your phone is lost. They are not shown again."</p>
                                <ul class="recovery-codes">{codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}</ul>
                            }.into_any(),
                            _ => view! {
                                <p>"Off. With it on, logging in also needs a code from an authenticator app."</p>
                                <button type="button" on:click=move |_| { begin.dispatch(()); }>"Set up"</button>
                                {move || begin.value().get().map(|r| match r {
                                    Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
                                    Ok(setup) => view! {
                                        <p>"Scan this with your authenticator app, or type the key:"</p>
                                        <div class="qr" inner_html=setup.qr_svg.clone()></div>
                                        <p><code id="tf-secret">{setup.secret.clone()}</code></p>
                                        <form on:submit=move |ev| { ev.prevent_default(); enable.dispatch(code.get_untracked()); }>
                                            <label for="tf-code">"Code shown by the app"</label>
                                            <input id="tf-code" inputmode="numeric" autocomplete="one-time-code" required
                                                prop:value=move || code.get() on:input=move |ev| code.set(event_target_value(&ev)) />
                                            <button type="submit">"Confirm"</button>
                                        </form>
                                        {move || enable.value().get().and_then(Result::err).map(|e| view! { <p class="error" role="alert">{e.message}</p> })}
                                    }.into_any(),
                                })}
                            }.into_any(),
                        }}
                    }.into_any()
                })}
            </Suspense>
        </section>
    }
}

/// The account's own mail address: where reset links and notifications go.
#[component]
fn MailAddress() -> impl IntoView {
    let save = ServerAction::<SetMyEmail>::new();
    let current = Resource::new(move || save.version().get(), |_| my_email());
    view! {
        <section class="card" aria-labelledby="mail-title">
            <h2 id="mail-title">"Mail address"</h2>
            <Suspense fallback=loading>
                {move || Suspend::new(async move {
                    match current.await {
                        Err(e) => load_error(e),
                        Ok((email, sends)) => view! {
                            <p class="muted small">
                                {if sends {
                                    "Where a link to reset your password goes if you forget it, and where notifications of new submissions go. Leave it empty to receive neither."
                                } else {
                                    "Where reset links and notifications would go. This instance sends no mail yet (no mail server is set up)."
                                }}
                            </p>
                            <ActionForm action=save>
                                <label for="my-email">"Your mail address"</label>
                                <input id="my-email" name="email" type="email" autocomplete="email" maxlength="254"
                                    value=email.unwrap_or_default() />
                                <button type="submit">"Save"</button>
                            </ActionForm>
                        }.into_any(),
                    }
                })}
            </Suspense>
            {move || save.value().get().map(|r| match r {
                Ok(_) => view! { <p role="status" class="ok">"Saved."</p> }.into_any(),
                Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
            })}
        </section>
    }
}
