//! Retention overview: per form how long answers are kept, how many are held, the
//! next deletion, and legal holds that pause deletion (owner and DPO).

use leptos::prelude::*;
use leptos_meta::Title;

use super::{load_error, loading};
use crate::api::{LegalHold, retention_overview};

#[component]
pub fn RetentionPage() -> impl IntoView {
    let hold = ServerAction::<LegalHold>::new();
    let overview = Resource::new(move || hold.version().get(), |_| retention_overview());
    let failed = move || hold.value().get().and_then(Result::err).map(|e| e.message);
    view! {
        <Title text="Retention · Formseal" />
        <h1>"Retention"</h1>
        <p class="muted">"Answers are deleted when their retention period ends (a signed tombstone proves it; the receipt stays). A legal hold pauses deletion."</p>
        {move || failed().map(|m| view! { <p class="error" role="alert">{m}</p> })}
        <Suspense fallback=loading>
            {move || Suspend::new(async move {
                match overview.await {
                    Err(e) => load_error(e),
                    Ok(o) => view! {
                        <p>{match o.last_sweep {
                            Some((at, n)) => format!("Last sweep: {at}, {n} deleted."),
                            None => "No sweep has run yet.".to_owned(),
                        }}</p>
                        <table class="list">
                            <thead><tr>
                                <th>"Form"</th><th class="num">"Retention"</th><th class="num">"Answers held"</th>
                                <th>"Next deletion (UTC)"</th><th class="num">"Deleted when due"</th>
                                <th class="num">"Erased on request"</th><th>"Legal hold"</th>
                            </tr></thead>
                            <tbody>{o.forms.into_iter().map(|f| {
                                let id = format!("hold-{}", f.form_id);
                                view! {
                                    <tr>
                                        <td>{f.title}" "<code>{f.form_id.clone()}</code></td>
                                        <td class="num">{f.days.map(|d| format!("{d} days")).unwrap_or_else(|| "—".into())}</td>
                                        <td class="num">{f.held}{(f.on_hold > 0).then(|| format!(" ({} on hold)", f.on_hold))}</td>
                                        <td>{f.next_due.unwrap_or_else(|| "—".into())}</td>
                                        <td class="num">{f.expired}</td>
                                        <td class="num" data-testid=format!("erased-{}", f.form_id)>{f.erased}</td>
                                        <td>
                                            <ActionForm action=hold attr:class="inline-form">
                                                <input type="hidden" name="form" value=f.form_id.clone() />
                                                <input type="hidden" name="submission" value="" />
                                                <label for=id.clone() class="sr-only">{format!("Reason for a legal hold on {}", f.form_id)}</label>
                                                <input id=id name="reason" value=f.legal_hold.clone().unwrap_or_default()
                                                    placeholder="reason (empty lifts the hold)" />
                                                <button type="submit">{if f.legal_hold.is_some() { "Update" } else { "Hold" }}</button>
                                            </ActionForm>
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}</tbody>
                        </table>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
