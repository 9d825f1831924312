//! Screens lock when people walk away: after a while without activity the console
//! warns, then covers the page with a lock screen that asks for the password. The
//! page underneath keeps its state (a half-designed form stays as it was).
//!
//! Drawn in the browser only, once hydrated and logged in.

use crate::api::{WhoAmI, keep_alive, me, unlock};
use leptos::prelude::*;

/// The server's session ends `idle_ms` after its last request; activity reaches it
/// at most once a minute, so the page locks a minute early to be on the safe side.
const PING_EVERY_MS: f64 = 60_000.0;
const WARN_BEFORE_MS: f64 = 60_000.0;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Phase {
    Active,
    Warning,
    Locked,
}

#[component]
pub fn IdleGuard() -> impl IntoView {
    let mounted = RwSignal::new(false);
    Effect::new(move |_| mounted.set(true));
    move || mounted.get().then(|| view! { <Guard /> })
}

#[component]
fn Guard() -> impl IntoView {
    // Asked again after each navigation (the person may just have logged in or
    // out); the lock is only redrawn when the answer changes.
    let location = leptos_router::hooks::use_location();
    let who = LocalResource::new(move || {
        location.pathname.track();
        me()
    });
    let person = Memo::new(move |_| who.get().and_then(Result::ok));
    move || person.get().map(|who| view! { <Lock who=who /> })
}

fn set_page_inert(inert: bool) {
    if let Some(main) = document().query_selector("main").ok().flatten() {
        let _ = if inert { main.set_attribute("inert", "") } else { main.remove_attribute("inert") };
    }
}

#[component]
fn Lock(who: WhoAmI) -> impl IntoView {
    let phase = RwSignal::new(Phase::Active);
    let last_activity = StoredValue::new(js_sys::Date::now());
    let last_ping = StoredValue::new(js_sys::Date::now());
    let lock_after = (who.idle_ms as f64 - PING_EVERY_MS).max(5_000.0);
    let warn_after = (lock_after - WARN_BEFORE_MS).max(lock_after / 2.0);

    let active = move || {
        if phase.get_untracked() == Phase::Locked {
            return;
        }
        let now = js_sys::Date::now();
        last_activity.set_value(now);
        if phase.get_untracked() == Phase::Warning {
            phase.set(Phase::Active);
        }
        if now - last_ping.get_value() >= PING_EVERY_MS {
            last_ping.set_value(now);
            leptos::task::spawn_local(async move {
                let _ = keep_alive().await;
            });
        }
    };
    let listeners = vec![
        window_event_listener(leptos::ev::keydown, move |_| active()),
        window_event_listener(leptos::ev::pointerdown, move |_| active()),
        window_event_listener(leptos::ev::wheel, move |_| active()),
        // Pasting and autofill type without key presses.
        window_event_listener(leptos::ev::input, move |_| active()),
    ];
    let ticker = set_interval_with_handle(
        move || {
            let idle = js_sys::Date::now() - last_activity.get_value();
            let next = match phase.get_untracked() {
                Phase::Locked => Phase::Locked,
                _ if idle >= lock_after => Phase::Locked,
                _ if idle >= warn_after => Phase::Warning,
                other => other,
            };
            if next != phase.get_untracked() {
                set_page_inert(next == Phase::Locked);
                phase.set(next);
            }
        },
        std::time::Duration::from_secs(1),
    );
    on_cleanup(move || {
        for listener in listeners {
            listener.remove();
        }
        if let Ok(ticker) = ticker {
            ticker.clear();
        }
        set_page_inert(false);
    });

    let stay = move |_| {
        last_ping.set_value(0.0);
        active();
    };
    let password = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let with_code = who.two_factor;
    let failed = RwSignal::new(None::<String>);
    let username = who.username.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (username, typed) = (username.clone(), password.get_untracked());
        let typed_code = Some(code.get_untracked()).filter(|c| !c.is_empty());
        leptos::task::spawn_local(async move {
            match unlock(username, typed, typed_code).await {
                Ok(()) => {
                    password.set(String::new());
                    code.set(String::new());
                    failed.set(None);
                    last_activity.set_value(js_sys::Date::now());
                    last_ping.set_value(js_sys::Date::now());
                    set_page_inert(false);
                    phase.set(Phase::Active);
                }
                Err(e) => failed.set(Some(e.message)),
            }
        });
    };
    let minutes = (who.idle_ms / 60_000).max(1);
    let name = who.username.clone();
    move || {
        match phase.get() {
        Phase::Active => ().into_any(),
        Phase::Warning => view! {
            <div class="idle-warning" role="alertdialog" aria-labelledby="idle-title" aria-describedby="idle-text">
                <p id="idle-title"><strong>"Still there?"</strong></p>
                <p id="idle-text">"For privacy this page locks in a minute without activity."</p>
                <button type="button" class="primary" on:click=stay>"Stay logged in"</button>
            </div>
        }
        .into_any(),
        Phase::Locked => view! {
            <div class="lock-screen" role="dialog" aria-modal="true" aria-labelledby="lock-title">
                <form class="card narrow" on:submit=submit.clone()>
                    <h1 id="lock-title">"Locked"</h1>
                    <p>{format!("The console locked after {minutes} minutes without activity. Your page is kept as it was.")}</p>
                    <p>"Logged in as "<strong>{name.clone()}</strong></p>
                    <label for="unlock-password">"Password"</label>
                    <input
                        id="unlock-password"
                        type="password"
                        autocomplete="current-password"
                        required
                        autofocus
                        prop:value=move || password.get()
                        on:input=move |ev| password.set(event_target_value(&ev))
                    />
                    {with_code.then(|| view! {
                        <label for="unlock-code">"Code from your authenticator app"</label>
                        <input
                            id="unlock-code"
                            inputmode="numeric"
                            autocomplete="one-time-code"
                            prop:value=move || code.get()
                            on:input=move |ev| code.set(event_target_value(&ev))
                        />
                    })}
                    {move || failed.get().map(|m| view! { <p class="error" role="alert">{m}</p> })}
                    <button type="submit">"Unlock"</button>
                    <p><a href="/admin/login">"Log in as someone else"</a></p>
                </form>
            </div>
        }
        .into_any(),
    }
    }
}
