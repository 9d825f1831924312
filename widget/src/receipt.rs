use formseal_model::SignedReceipt;
use leptos::prelude::*;

/// Shows the visitor that the submission is stored, with the receipt to prove it.
#[component]
pub fn ReceiptView(receipt: SignedReceipt, lang: String, success: Option<String>) -> impl IntoView {
    let de = lang == "de";
    let short_digest: String = receipt.receipt.envelope.chars().take(12).collect();
    let heading = success.unwrap_or_else(|| {
        if de {
            "Danke, Ihre Angaben sind eingegangen.".into()
        } else {
            "Thank you, your answers were received.".into()
        }
    });
    view! {
        <div class="fs-receipt" role="status">
            <p class="fs-success">{heading}</p>
            <dl>
                <dt>{if de { "Beleg" } else { "Receipt" }}</dt>
                <dd class="fs-receipt-id">{receipt.receipt.submission.clone()}</dd>
                <dt>{if de { "Prüfsumme" } else { "Digest" }}</dt>
                <dd class="fs-receipt-digest"><code>{short_digest}</code></dd>
                <dt>{if de { "Eingegangen" } else { "Received" }}</dt>
                <dd>{receipt.receipt.received_at.clone()}</dd>
            </dl>
        </div>
    }
}
