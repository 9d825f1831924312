//! Who hears of the form's new submissions: console accounts that may see the
//! form, by mail; saved at once (not part of the published version).

use leptos::prelude::*;

use crate::api::{SetNotifications, notifications};

#[component]
pub fn Notifications(form_id: String) -> impl IntoView {
    let save = ServerAction::<SetNotifications>::new();
    let id = form_id.clone();
    let settings = Resource::new(move || save.version().get(), move |_| notifications(id.clone()));
    let chosen = RwSignal::new(Vec::<String>::new());
    let include_plain = RwSignal::new(false);
    let daily = RwSignal::new(false);
    view! {
        <section class="panel" aria-labelledby="notify-title">
            <h2 id="notify-title">"Notifications"</h2>
            <Suspense fallback=|| ()>
                {move || settings.get().map(|r| match r {
                    Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
                    Ok(s) => {
                        chosen.set(s.candidates.iter().filter(|c| c.chosen).map(|c| c.username.clone()).collect());
                        include_plain.set(s.include_plain);
                        daily.set(s.daily);
                        let form_id = form_id.clone();
                        view! {
                            <p class="muted small">
                                {if s.can_send {
                                    "A mail to each account chosen here for every new submission: the form, the time, the receipt and a link to the console. No answer is in it unless you allow the answers classed “not personal”."
                                } else {
                                    "This instance sends no mail (no mail server is set up), so nobody can be notified."
                                }}
                            </p>
                            <fieldset disabled=!s.can_send>
                                <legend>"Tell these accounts"</legend>
                                {s.candidates.into_iter().map(|c| {
                                    let name = c.username.clone();
                                    let input_id = format!("notify-{}", c.username);
                                    let toggle = name.clone();
                                    view! {
                                        <span class="prop-check">
                                            <input id=input_id.clone() type="checkbox"
                                                prop:checked=move || chosen.with(|list| list.contains(&name))
                                                on:change=move |ev| {
                                                    let on = event_target_checked(&ev);
                                                    chosen.update(|list| {
                                                        list.retain(|n| n != &toggle);
                                                        if on { list.push(toggle.clone()); }
                                                    });
                                                } />
                                            <label for=input_id>
                                                {c.username.clone()}
                                                {(!c.has_address).then_some(" (no mail address yet: set on their account page)")}
                                            </label>
                                        </span>
                                    }
                                }).collect_view()}
                                <span class="prop-check">
                                    <input id="notify-each" type="radio" name="notify-when" prop:checked=move || !daily.get()
                                        on:change=move |_| daily.set(false) />
                                    <label for="notify-each">"A mail for each submission"</label>
                                </span>
                                <span class="prop-check">
                                    <input id="notify-daily" type="radio" name="notify-when" prop:checked=move || daily.get()
                                        on:change=move |_| daily.set(true) />
                                    <label for="notify-daily">"Once a day: how many arrived the day before (no answers)"</label>
                                </span>
                                <span class="prop-check">
                                    <input id="notify-plain" type="checkbox" prop:checked=move || include_plain.get()
                                        prop:disabled=move || daily.get()
                                        on:change=move |ev| include_plain.set(event_target_checked(&ev)) />
                                    <label for="notify-plain">"Include the answers classed “not personal”"</label>
                                </span>
                                <button type="button" on:click=move |_| {
                                    save.dispatch(SetNotifications {
                                        form: form_id.clone(),
                                        accounts: chosen.get_untracked(),
                                        include_plain: include_plain.get_untracked(),
                                        daily: daily.get_untracked(),
                                    });
                                }>"Save notifications"</button>
                            </fieldset>
                        }.into_any()
                    }
                })}
            </Suspense>
            {move || save.value().get().map(|r| match r {
                Ok(()) => view! { <p role="status" class="ok">"Saved."</p> }.into_any(),
                Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
            })}
        </section>
    }
}
