use formseal_model::Notice;
use leptos::prelude::*;

use crate::texts;

/// What the visitor is told before submitting: a short line, details on demand.
#[component]
pub fn NoticeView(notice: Notice, #[prop(into)] lang: String) -> impl IntoView {
    let short = format!("{} · {}", notice.controller.name, texts::retention(&lang, notice.retention_days));
    view! {
        <details class="fs-notice">
            <summary>{texts::notice_summary(&lang)}": "{short}</summary>
            <dl>
                <dt>{texts::controller(&lang)}</dt>
                <dd>{notice.controller.name.clone()}", "{notice.controller.address.clone()}", "{notice.controller.contact.clone()}</dd>
                <dt>{texts::purpose(&lang)}</dt>
                <dd>{notice.purpose.get(&lang).to_owned()}</dd>
                <dt>{texts::legal_basis(&lang)}</dt>
                <dd>{notice.legal_basis.label(&lang)}</dd>
                <dt>{texts::retention_label(&lang)}</dt>
                <dd>{texts::retention(&lang, notice.retention_days)}</dd>
            </dl>
        </details>
    }
}
