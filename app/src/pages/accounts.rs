//! People: the accounts list, invitations, roles, partner form assignments.

use formseal_model::Role;
use leptos::prelude::*;
use leptos_meta::Title;

use super::{load_error, loading};
use crate::api::{AccountItem, Invite, UpdateAccount, list_accounts};

/// In the order a person choosing looks for them: least access first.
const ROLES: [(Role, &str); 6] = [
    (Role::Viewer, "Viewer: reads submissions"),
    (Role::Editor, "Editor: designs forms, reads submissions"),
    (Role::Admin, "Administrator: also manages people"),
    (Role::Dpo, "Data protection officer: requests, erasure, audit log"),
    (Role::Partner, "Partner: only assigned forms, compact view"),
    (Role::Owner, "Owner: everything, including keys"),
];

fn role_options(selected: Role) -> impl IntoView + use<> {
    ROLES
        .iter()
        .map(move |(role, label)| view! { <option value=role.as_str() selected=selected == *role>{*label}</option> })
        .collect_view()
}

#[component]
pub fn AccountsPage() -> impl IntoView {
    let update = ServerAction::<UpdateAccount>::new();
    let accounts = Resource::new(move || update.version().get(), |_| list_accounts());
    let update_error = move || update.value().get().and_then(Result::err).map(|e| e.message);
    view! {
        <Title text="People · Formseal" />
        <h1>"People"</h1>
        <p class="muted">"One login per person, never shared. Partners see only the forms assigned to them, without personal data unless granted per form."</p>
        {move || update_error().map(|m| view! { <p class="error" role="alert">{m}</p> })}
        <Suspense fallback=loading>
            {move || Suspend::new(async move {
                match accounts.await {
                    Err(e) => load_error(e),
                    Ok(list) => view! {
                        <table class="list">
                            <thead><tr><th>"User"</th><th>"Role and access"</th></tr></thead>
                            <tbody>{list.into_iter().map(|a| view! { <AccountRow account=a update=update /> }).collect_view()}</tbody>
                        </table>
                    }.into_any(),
                }
            })}
        </Suspense>
        <InviteForm />
    }
}

#[component]
fn AccountRow(account: AccountItem, update: ServerAction<UpdateAccount>) -> impl IntoView {
    let user = account.username.clone();
    let [role_id, forms_id, personal_id, disabled_id] =
        ["role", "forms", "personal", "disabled"].map(|name| format!("acct-{}-{name}", account.username));
    view! {
        <tr class:archived=account.disabled>
            <td>
                <strong>{account.username.clone()}</strong>
                {account.disabled.then_some(" (disabled)")}
            </td>
            <td>
                <ActionForm action=update attr:class="account-form">
                    <input type="hidden" name="username" value=user.clone() />
                    <label for=role_id.clone()>"Role"</label>
                    <select id=role_id name="role">{role_options(account.role)}</select>
                    <label for=forms_id.clone()>"Partner's forms (ids)"</label>
                    <input id=forms_id name="forms" value=account.forms.join(", ") />
                    <label for=personal_id.clone()>"…with personal data"</label>
                    <input id=personal_id name="personal_forms" value=account.personal_forms.join(", ") />
                    <span class="prop-check">
                        <input type="hidden" name="disabled" value="false" />
                        <input id=disabled_id.clone() type="checkbox" name="disabled" value="true" checked=account.disabled />
                        <label for=disabled_id.clone()>"Disabled"</label>
                    </span>
                    <button type="submit" aria-label=format!("Save {user}")>"Save"</button>
                </ActionForm>
            </td>
        </tr>
    }
}

#[component]
fn InviteForm() -> impl IntoView {
    let invite = ServerAction::<Invite>::new();
    let result = move || invite.value().get();
    view! {
        <section class="card new-form" aria-labelledby="invite-title">
            <h2 id="invite-title">"Invite someone"</h2>
            <ActionForm action=invite>
                <label for="invite-user">"User name"</label>
                <input id="invite-user" name="username" required autocomplete="off" />
                <label for="invite-role">"Role"</label>
                <select id="invite-role" name="role">{role_options(Role::Viewer)}</select>
                <label for="invite-forms">"Partners only: forms (ids, comma-separated)"</label>
                <input id="invite-forms" name="forms" />
                <label for="invite-personal">"Partners only: of these, forms whose personal data they may see"</label>
                <input id="invite-personal" name="personal_forms" />
                <label for="invite-email">"Their mail address (optional: the link is sent there too)"</label>
                <input id="invite-email" name="email" type="email" autocomplete="off" />
                <button type="submit" class="primary" disabled=move || invite.pending().get()>"Create invitation link"</button>
            </ActionForm>
            {move || match result() {
                Some(Ok(link)) => view! {
                    <div role="status">
                        <p>"The invitation link (it works once, for 72 hours; it is not shown again). Send it to the person — where you gave a mail address, it is on its way there too (see Messages):"</p>
                        <label for="invite-link" class="sr-only">"Invitation link"</label>
                        <input id="invite-link" readonly value=link.clone() />
                    </div>
                }.into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
                None => ().into_any(),
            }}
        </section>
    }
}
