use formseal_model::{Lang, SignedReceipt};
use leptos::prelude::*;

use crate::texts;

/// Shows the visitor that the submission is stored, with the receipt to prove it.
#[component]
pub fn ReceiptView(receipt: SignedReceipt, lang: String, success: Option<String>) -> impl IntoView {
    let t = texts::of(Lang::parse(&lang));
    let short_digest: String = receipt.receipt.envelope.chars().take(12).collect();
    let heading = success.unwrap_or_else(|| t.received.into());
    view! {
        <div class="fs-receipt" role="status">
            <p class="fs-success">{heading}</p>
            <dl>
                <dt>{t.receipt}</dt>
                <dd class="fs-receipt-id">{receipt.receipt.submission.clone()}</dd>
                <dt>{t.digest}</dt>
                <dd class="fs-receipt-digest"><code>{short_digest}</code></dd>
                <dt>{t.received_at}</dt>
                <dd>{receipt.receipt.received_at.clone()}</dd>
            </dl>
        </div>
    }
}
