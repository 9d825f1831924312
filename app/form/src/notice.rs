use formseal_model::{Lang, Notice};
use leptos::prelude::*;

use crate::texts;

/// What the visitor is told before submitting: a short line, details on demand.
#[component]
pub fn NoticeView(notice: Notice, #[prop(into)] lang: String) -> impl IntoView {
    let t = texts::of(Lang::parse(&lang));
    let retention = (t.retention)(notice.retention_days);
    let short = format!("{} · {retention}", notice.controller.name);
    view! {
        <details class="fs-notice">
            <summary>{t.notice_summary}": "{short}</summary>
            <dl>
                <dt>{t.controller}</dt>
                <dd>{notice.controller.name.clone()}", "{notice.controller.address.clone()}", "{notice.controller.contact.clone()}</dd>
                <dt>{t.purpose}</dt>
                <dd>{notice.purpose.get(&lang).to_owned()}</dd>
                <dt>{t.legal_basis}</dt>
                <dd>{notice.legal_basis.label(&lang)}</dd>
                <dt>{t.retention_label}</dt>
                <dd>{retention}</dd>
            </dl>
        </details>
    }
}
