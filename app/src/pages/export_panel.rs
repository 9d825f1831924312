//! The Export panel of a form's submissions page: CSV, XLSX or JSON; full or
//! compact; optionally an AES-256 ZIP whose password the browser generates and
//! shows once. The password goes to the server in the same POST that returns the
//! file and is kept nowhere; the operator sends it to the recipient on another
//! channel. See docs/exports.md.

use leptos::prelude::*;

/// Letters that cannot be mistaken for each other (no 0/O, 1/I): 32 of them, so
/// each carries 5 bits.
const ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
/// 28 characters: 140 bits, written in groups of four.
const PASSWORD_CHARS: usize = 28;

/// A fresh password from the browser's cryptographic random source.
fn generate_password() -> Option<String> {
    let mut bytes = [0u8; PASSWORD_CHARS];
    window().crypto().ok()?.get_random_values_with_u8_array(&mut bytes).ok()?;
    let chars: Vec<char> = bytes.iter().map(|b| char::from(ALPHABET[usize::from(b & 31)])).collect();
    Some(chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-"))
}

#[component]
pub fn ExportPanel(form: String, compact_only: bool) -> impl IntoView {
    let encrypted = RwSignal::new(false);
    let password = RwSignal::new(None::<String>);
    let copied = RwSignal::new(false);
    let password_input = NodeRef::<leptos::html::Input>::new();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        let Some(input) = password_input.get_untracked() else { return };
        copied.set(false);
        if encrypted.get_untracked() {
            match generate_password() {
                Some(pw) => {
                    input.set_value(&pw);
                    password.set(Some(pw));
                }
                None => ev.prevent_default(),
            }
        } else {
            input.set_value("");
            password.set(None);
        }
    };
    let copy = move |_| {
        if let Some(pw) = password.get_untracked() {
            let _ = window().navigator().clipboard().write_text(&pw);
            copied.set(true);
        }
    };
    view! {
        <section class="panel export-panel" aria-labelledby="export-title">
            <h2 id="export-title">"Export"</h2>
            <form method="post" action=format!("/admin/forms/{form}/export") on:submit=on_submit>
                <fieldset>
                    <legend>"Format"</legend>
                    <label><input type="radio" name="format" value="csv" checked=true />" CSV (Excel, ; separated)"</label>
                    <label><input type="radio" name="format" value="xlsx" />" XLSX"</label>
                    <label><input type="radio" name="format" value="json" />" JSON (with signatures, verifiable)"</label>
                </fieldset>
                <fieldset>
                    <legend>"Contents"</legend>
                    <label><input type="radio" name="scope" value="full" checked={!compact_only} disabled=compact_only />" Full"</label>
                    <label><input type="radio" name="scope" value="compact" checked=compact_only />" Compact (only fields classed not personal, no signatures)"</label>
                </fieldset>
                <label>
                    <input type="checkbox" name="encrypted" value="on" on:change=move |ev| encrypted.set(event_target_checked(&ev)) />
                    " Encrypt (AES-256 ZIP; the password is shown once)"
                </label>
                <input type="hidden" name="password" value="" node_ref=password_input />
                <p><button type="submit">"Download export"</button></p>
            </form>
            {move || password.get().map(|pw| view! {
                <div class="export-password" role="status">
                    <p>"Password of this file. It is shown only now and the server does not keep it: send it to the recipient on another channel than the file."</p>
                    <p><output class="password" aria-label="Export password">{pw}</output></p>
                    <button type="button" on:click=copy>{move || if copied.get() { "Copied" } else { "Copy password" }}</button>
                    " "
                    <button type="button" on:click=move |_| password.set(None)>"Done, hide it"</button>
                </div>
            })}
        </section>
    }
}
