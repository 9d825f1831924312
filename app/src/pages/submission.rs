use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::{load_error, loading};
use crate::api::get_submission;

fn status(ok: bool, good: &'static str, bad: &'static str) -> impl IntoView {
    view! { <span class=if ok { "status ok" } else { "status bad" }>{if ok { good } else { bad }}</span> }
}

#[component]
pub fn SubmissionPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let detail = Resource::new(id, get_submission);
    view! {
        <Title text="Submission · Formseal" />
        <Suspense fallback=loading>
            {move || Suspend::new(async move {
                match detail.await {
                    Err(e) => load_error(e),
                    Ok(d) => view! {
                        <p><a href=format!("/admin/forms/{}", d.form_id)>"← "{d.form_title.clone()}</a></p>
                        <h1>"Submission #"{d.sequence}</h1>
                        <p class="checks">
                            {match &d.deleted {
                                None => status(d.signature_valid, "signature valid", "signature INVALID").into_any(),
                                Some((_, _, ok)) => status(*ok, "deletion proven (signed tombstone)", "tombstone INVALID").into_any(),
                            }}
                            {status(d.receipt_valid, "receipt valid", "receipt INVALID")}
                        </p>
                        <section class="card">
                            <h2>"Answers"</h2>
                            {d.deleted.clone().map(|(at, reason, _)| view! {
                                <p class="muted">{format!("The answers were deleted on {at} ({reason}). The receipt stays, so the chain still verifies.")}</p>
                            })}
                            <dl class="answers">
                                {d.answers.into_iter().map(|a| view! { <dt>{a.label}</dt><dd>{a.value}</dd> }).collect_view()}
                            </dl>
                            {(!d.corrections.is_empty()).then(|| view! {
                                <h3>"Corrections (Art. 16)"</h3>
                                <p class="muted">"The visitor's signed answers stay as signed; each correction is signed by this instance and names them."</p>
                                <ul class="corrections">{d.corrections.iter().map(|c| view! {
                                    <li>{format!("{}: {} — {} ({}; {})", c.label, c.value, c.reason, c.at,
                                        if c.valid { "signature valid" } else { "SIGNATURE INVALID" })}</li>
                                }).collect_view()}</ul>
                            })}
                        </section>
                        {(!d.signatures.is_empty()).then(|| {
                            let verified = d.signature_valid && d.receipt_valid;
                            let signer = match &d.link {
                                Some(link) => format!("the key of personal link {link}"),
                                None => "a one-off key made for this submission".to_owned(),
                            };
                            view! {
                                <section class="card signatures">
                                    <h2>"E-signature"</h2>
                                    {d.signatures.clone().into_iter().map(|sig| view! {
                                        <figure class="signature">
                                            <figcaption>
                                                <strong>{sig.label.clone()}</strong>
                                                <blockquote class="statement">{sig.statement.clone()}</blockquote>
                                            </figcaption>
                                            {match (sig.svg.clone(), sig.typed.clone()) {
                                                (Some(svg), _) => view! { <div class="signature-drawing-box" inner_html=svg></div> }.into_any(),
                                                (None, Some(name)) => view! { <p class="typed-signature">"Typed name: "<strong>{name}</strong>" (signed with the keyboard, confirmed)"</p> }.into_any(),
                                                _ => ().into_any(),
                                            }}
                                            <p class="muted">{format!("{} strokes, {} points", sig.strokes, sig.points)}</p>
                                        </figure>
                                    }).collect_view()}
                                    <dl class="proof">
                                        <dt>"Signed (signer's clock)"</dt><dd>{d.client_time.clone()}</dd>
                                        <dt>"Received (server)"</dt><dd>{d.received_at.clone()}</dd>
                                        <dt>"Signing key"</dt><dd>{signer}": "<code>{d.signer_key.clone().unwrap_or_default()}</code></dd>
                                        <dt>"Verification"</dt><dd>{status(verified, "verified: signature and receipt valid", "NOT verified")}</dd>
                                    </dl>
                                </section>
                            }
                        })}
                        <section class="card">
                            <h2>"Proof"</h2>
                            <dl class="proof">
                                <dt>"Submission id"</dt><dd><code>{d.id.clone()}</code></dd>
                                <dt>"Received (server)"</dt><dd>{d.received_at.clone()}</dd>
                                <dt>"Sent (visitor's clock)"</dt><dd>{d.client_time.clone()}</dd>
                                <dt>"Form version"</dt><dd><code>{d.version.clone()}</code></dd>
                                <dt>"Envelope digest"</dt><dd><code>{d.envelope_digest.clone()}</code></dd>
                                {match d.signer_key.clone() {
                                    Some(key) => view! {
                                        <dt>{if d.link.is_some() { "Signed by (personal link key)" } else { "Signed by (one-off key)" }}</dt><dd><code>{key}</code></dd>
                                    }.into_any(),
                                    None => view! {
                                        <dt>"Signed by"</dt><dd class="muted">"withheld in the compact view (a link's key ties one person's submissions together)"</dd>
                                    }.into_any(),
                                }}
                                {d.link.clone().map(|l| view! { <dt>"Personal link"</dt><dd><code>{l}</code></dd> })}
                                <dt>"Receipt digest"</dt><dd><code>{d.receipt_digest.clone()}</code></dd>
                                <dt>"Previous receipt"</dt><dd><code>{d.previous.clone().unwrap_or_else(|| "— (first of this form)".into())}</code></dd>
                                <dt>"Receipt signed by instance key"</dt><dd><code>{d.instance_key.clone()}</code></dd>
                            </dl>
                            <details>
                                <summary>"Signed receipt (JSON)"</summary>
                                <pre>{d.receipt_json.clone()}</pre>
                            </details>
                        </section>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
