//! `formseal verify`: the integrity check of the store, or of a JSON export offline
//! with the instance's public keys. Prints one line per form; `Ok(false)` when
//! something is broken, `Err` for a usage problem (exit code 2).

use formseal_model::export::{ExportDoc, KeySet, PublicKeys, Summary, verify_export};

use crate::cli::VerifyArgs;

fn intact_line(s: &Summary) -> String {
    format!(
        "form {}: intact ({} versions, {} receipts, {} envelopes, {} tombstones)",
        s.form, s.versions, s.receipts, s.envelopes, s.tombstones
    )
}

pub async fn run(args: &VerifyArgs) -> Result<bool, String> {
    if let (Some(export), Some(keys)) = (&args.export, &args.keys) {
        let read = |p: &std::path::Path| std::fs::read(p).map_err(|e| format!("cannot read {}: {e}", p.display()));
        let doc: ExportDoc = serde_json::from_slice(&read(export)?)
            .map_err(|e| format!("{} is not a Formseal JSON export: {e}", export.display()))?;
        let keys: PublicKeys = serde_json::from_slice(&read(keys)?)
            .map_err(|e| format!("{} is not a Formseal key file: {e}", keys.display()))?;
        let keys = KeySet::from_public(&keys)?;
        if args.form.as_deref().is_some_and(|f| f != doc.form) {
            return Err(format!("the export is of form {}, not {}", doc.form, args.form.as_deref().unwrap_or("")));
        }
        return Ok(match verify_export(&doc, &keys) {
            Ok(summary) => {
                let scope = if doc.compact { " (compact export: answers not signed, receipts checked)" } else { "" };
                println!("{}{scope}", intact_line(&summary));
                true
            }
            Err(broken) => {
                println!("BROKEN {broken}");
                false
            }
        });
    }
    let state = crate::serve::open_state(&args.server).await.map_err(|e| e.to_string())?;
    let results = formseal_core::verify::verify(&state, args.form.as_deref()).await.map_err(|e| e.to_string())?;
    let mut intact = true;
    for result in &results {
        match &result.outcome {
            Ok(summary) => println!("{}", intact_line(summary)),
            Err(broken) => {
                intact = false;
                println!("BROKEN {broken}");
            }
        }
    }
    if results.is_empty() {
        println!("no forms");
    }
    Ok(intact)
}
