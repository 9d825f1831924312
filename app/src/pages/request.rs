//! One data-subject request: search the person across every form, review each hit
//! (include or exclude, with a note), produce the report, erase or rectify, and
//! mark the request answered (owner and DPO).

use formseal_model::access_report::ReportEntry;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::requests::status_label;
use super::{load_error, loading};
use crate::api::{
    ConsoleError, DecideHit, EraseRequest, RectifyAnswer, SearchPerson, SetRequestStatus, request_review,
};

#[component]
pub fn RequestPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let search = ServerAction::<SearchPerson>::new();
    let decide = ServerAction::<DecideHit>::new();
    let status = ServerAction::<SetRequestStatus>::new();
    let erase = ServerAction::<EraseRequest>::new();
    let rectify = ServerAction::<RectifyAnswer>::new();
    let changed = move || {
        (
            search.version().get(),
            decide.version().get(),
            status.version().get(),
            erase.version().get(),
            rectify.version().get(),
        )
    };
    let review = Resource::new(move || (id(), changed()), |(id, _)| request_review(id, "en".into()));
    let report_lang = RwSignal::new("en".to_owned());
    let err = |e: ConsoleError| view! { <p class="error" role="alert">{e.message}</p> }.into_any();
    view! {
        <Title text="Request · Formseal" />
        <p><a href="/admin/requests">"← All requests"</a></p>
        <Suspense fallback=loading>
            {move || Suspend::new(async move {
                let data = match review.await {
                    Err(e) => return load_error(e),
                    Ok(d) => d,
                };
                let r = data.request.clone();
                let rid = r.id.clone();
                let (rid_search, rid_hits, rid_report, rid_erase) = (rid.clone(), rid.clone(), rid.clone(), rid.clone());
                let included = data.entries.iter().filter(|e| e.include && e.deleted.is_none()).count();
                view! {
                    <h1>"Request of " {r.requester.clone()}</h1>
                    <dl class="facts">
                        <dt>"Received"</dt><dd>{r.received_on.clone()}</dd>
                        <dt>"Due"</dt><dd>{r.due_on.clone()}{r.overdue.then_some(" — overdue")}</dd>
                        <dt>"Reply to"</dt><dd>{r.contact.clone()}</dd>
                        <dt>"Identity check"</dt><dd>{if r.identity_check.is_empty() { "not noted".to_owned() } else { r.identity_check.clone() }}</dd>
                        <dt>"Status"</dt><dd data-testid="request-status">{status_label(&r.status)}</dd>
                    </dl>
                    <ActionForm action=status attr:class="inline-form">
                        <input type="hidden" name="id" value=rid.clone() />
                        <label for="q-status">"Status"</label>
                        <select id="q-status" name="status">
                            {["received", "in_review", "answered"].into_iter().map(|s| view! {
                                <option value=s selected=r.status == s>{status_label(s)}</option>
                            }).collect_view()}
                        </select>
                        <button type="submit">"Save status"</button>
                    </ActionForm>

                    <section class="card">
                        <h2>"Find the person"</h2>
                        <p class="muted">"Searches every form and version. A name is searched together with a birth date."</p>
                        <ActionForm action=search attr:class="filters">
                            <input type="hidden" name="id" value=rid_search />
                            <label for="s-email">"E-mail"</label><input id="s-email" name="email" type="email" />
                            <label for="s-phone">"Phone"</label><input id="s-phone" name="phone" placeholder="+49 …" />
                            <label for="s-name">"Name"</label><input id="s-name" name="name" />
                            <label for="s-birth">"Birth date"</label><input id="s-birth" name="birth_date" type="date" />
                            <button type="submit" class="primary">"Search"</button>
                        </ActionForm>
                        <p role="status">{move || search.value().get().map(|r| match r {
                            Ok(n) => format!("{n} submissions listed for review."),
                            Err(e) => e.message,
                        })}</p>
                        {r.searched.clone().map(|s| view! { <p class="muted">"Last searched by " {s} "."</p> })}
                    </section>

                    <section>
                        <h2>"Review"</h2>
                        {move || decide.value().get().and_then(Result::err).map(err)}
                        {move || rectify.value().get().and_then(Result::err).map(err)}
                        {if data.entries.is_empty() {
                            view! { <p>"Nothing found yet."</p> }.into_any()
                        } else {
                            data.entries.clone().into_iter().map(|e| hit(e, rid_hits.clone(), decide, rectify)).collect_view().into_any()
                        }}
                    </section>

                    <section class="card">
                        <h2>"Report"</h2>
                        <p class="muted">"Holds the included hits only. Producing it is recorded in the audit log."</p>
                        <label for="report-lang">"Language"</label>
                        <select id="report-lang" on:change=move |ev| report_lang.set(event_target_value(&ev))>
                            <option value="en">"English"</option>
                            <option value="de">"Deutsch"</option>
                        </select>
                        {
                            let rid = rid_report;
                            let link = move |kind: &str| format!("/admin/requests/{rid}/report.{kind}?lang={}", report_lang.get());
                            let html = link.clone();
                            view! {
                                " "<a href=move || html("html") target="_blank" rel="noopener">"Open the report (printable)"</a>
                                " · "<a href=move || link("json") download="access-report.json">"Download JSON"</a>
                            }
                        }
                    </section>

                    <section class="card danger">
                        <h2>"Erase"</h2>
                        <p>{format!("Deletes the answers of the {included} included submissions that still hold answers. Each gets a signed tombstone naming this request; receipts stay, so every chain still verifies. Submissions under a legal hold are kept.")}</p>
                        <ActionForm action=erase>
                            <input type="hidden" name="id" value=rid_erase />
                            <label><input type="checkbox" required />" No law requires keeping these answers (Art. 17 (3))"</label>
                            <button type="submit" class="danger">"Erase the included answers"</button>
                        </ActionForm>
                        <p role="status">{move || erase.value().get().map(|r| match r {
                            Ok(s) => {
                                let mut text = format!("Erased {}; {} were deleted before.", s.erased, s.already);
                                if !s.held.is_empty() {
                                    text.push_str(&format!(" Kept under a legal hold: {}.", s.held.join(", ")));
                                }
                                text
                            }
                            Err(e) => e.message,
                        })}</p>
                    </section>
                }.into_any()
            })}
        </Suspense>
    }
}

fn hit(
    e: ReportEntry,
    rid: String,
    decide: ServerAction<DecideHit>,
    rectify: ServerAction<RectifyAnswer>,
) -> impl IntoView {
    let proof = match (&e.deleted, e.signature_valid && e.receipt_valid) {
        (Some(d), _) => format!("answers deleted {} ({})", d.at, d.reason),
        (None, true) => "signature valid, receipt valid".to_owned(),
        (None, false) => "does not verify".to_owned(),
    };
    let note_id = format!("note-{}", e.submission);
    let field_id = format!("fix-field-{}", e.submission);
    let value_id = format!("fix-value-{}", e.submission);
    let reason_id = format!("fix-reason-{}", e.submission);
    let recipients =
        if e.recipients.is_empty() { "none outside own staff".to_owned() } else { e.recipients.join(", ") };
    let can_fix = e.deleted.is_none() && !e.answers.is_empty();
    let (fix_rid, fix_submission) = (rid.clone(), e.submission.clone());
    let (decide_submission, article_submission) = (e.submission.clone(), e.submission.clone());
    let fix_options: Vec<(String, String)> = e.answers.iter().map(|a| (a.key.clone(), a.label.clone())).collect();
    view! {
        <article class="card hit" class:excluded=!e.include data-submission=article_submission
            aria-label=format!("{} {}", e.form_title, e.collected_at)>
            <h3>{e.form_title.clone()}" "<code>{e.form.clone()}</code>
                {if e.include { " — included" } else { " — excluded" }}</h3>
            <dl class="facts">
                <dt>"Collected"</dt><dd>{e.collected_at.clone()}</dd>
                <dt>"Purpose"</dt><dd>{e.purpose.clone()}</dd>
                <dt>"Legal basis"</dt><dd>{e.legal_basis.clone()}</dd>
                <dt>"Retention"</dt><dd>{format!("{} days", e.retention_days)}</dd>
                <dt>"Recipients"</dt><dd>{recipients}</dd>
                <dt>"Proof"</dt><dd>{proof}</dd>
                <dt>"Submission"</dt><dd><a href=format!("/admin/forms/{}/submissions/{}", e.form, e.submission)>{e.submission.clone()}</a></dd>
            </dl>
            <table class="answers"><tbody>{e.answers.iter().map(|a| view! {
                <tr><th scope="row">{a.label.clone()}</th><td>{a.value.clone()}</td></tr>
            }).collect_view()}</tbody></table>
            {(!e.corrections.is_empty()).then(|| view! {
                <p><strong>"Corrections"</strong></p>
                <ul>{e.corrections.iter().map(|c| view! {
                    <li>{format!("{}: {} — {} ({}{})", c.label, c.value, c.reason, c.at, if c.valid { ", signed" } else { ", SIGNATURE INVALID" })}</li>
                }).collect_view()}</ul>
            })}
            <ActionForm action=decide attr:class="inline-form">
                <input type="hidden" name="id" value=rid.clone() />
                <input type="hidden" name="submission" value=decide_submission />
                <input type="hidden" name="include" value=(!e.include).to_string() />
                <label for=note_id.clone()>"Note"</label>
                <input id=note_id name="note" value=e.note.clone() maxlength="1000" />
                <button type="submit">{if e.include { "Exclude" } else { "Include" }}</button>
            </ActionForm>
            {can_fix.then(move || view! {
                <details>
                    <summary>"Rectify an answer"</summary>
                    <ActionForm action=rectify attr:class="stacked">
                        <input type="hidden" name="id" value=fix_rid />
                        <input type="hidden" name="submission" value=fix_submission />
                        <label for=field_id.clone()>"Answer"</label>
                        <select id=field_id name="field">{fix_options.into_iter().map(|(key, label)| view! {
                            <option value=key>{label}</option>
                        }).collect_view()}</select>
                        <label for=value_id.clone()>"Correct value"</label>
                        <input id=value_id name="value" required />
                        <label for=reason_id.clone()>"Reason"</label>
                        <input id=reason_id name="reason" required maxlength="500" />
                        <button type="submit">"Record the correction"</button>
                    </ActionForm>
                </details>
            })}
        </article>
    }
}
