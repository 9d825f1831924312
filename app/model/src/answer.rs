//! How one answer reads to a person (console, access reports, exports): the same
//! words everywhere.

use serde_json::Value;

use crate::form::FieldKind;

pub fn answer_text(kind: Option<&FieldKind>, value: &Value) -> String {
    match (kind, value) {
        (_, Value::String(s)) => s.clone(),
        // Rows in the form's order, each with the label of the column chosen.
        (Some(FieldKind::Matrix { rows, columns }), Value::Object(chosen)) => rows
            .iter()
            .filter_map(|row| {
                let column = chosen.get(&row.value)?.as_str()?;
                let label = columns.iter().find(|c| c.value == column).map_or(column, |c| c.label.get("en"));
                Some(format!("{}: {label}", row.label.get("en")))
            })
            .collect::<Vec<_>>()
            .join("; "),
        (Some(FieldKind::Ranking { .. }), Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .enumerate()
            .map(|(place, value)| format!("{}. {value}", place + 1))
            .collect::<Vec<_>>()
            .join(", "),
        (_, Value::Array(items)) => items.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", "),
        (Some(FieldKind::Consent { .. }), Value::Object(o)) => {
            let accepted = o.get("accepted").and_then(Value::as_bool).unwrap_or(false);
            let text = o.get("text").and_then(Value::as_str).unwrap_or("");
            format!("{} “{text}”", if accepted { "Agreed to" } else { "Did not agree to" })
        }
        (Some(FieldKind::Signature { .. }), Value::Object(o)) => {
            let strokes = o.get("strokes").and_then(Value::as_array).map_or(0, Vec::len);
            let statement = o.get("statement").and_then(Value::as_str).unwrap_or("");
            match o.get("typed").and_then(Value::as_str) {
                // The keyboard alternative: said as such, never shown as a drawing.
                Some(name) => format!("Signed “{statement}” by typing the name “{name}” and confirming"),
                None => format!("Signed “{statement}” ({strokes} strokes)"),
            }
        }
        (_, other) => other.to_string(),
    }
}
