//! What changed between two versions of a form, in words an operator reads.

use crate::form::{Field, FieldKind, FormDef};
use crate::logic::Condition;

/// The changes from `old` to `new`, form settings first, then fields.
pub fn changes(old: &FormDef, new: &FormDef) -> Vec<String> {
    let mut out = Vec::new();
    let mut setting = |name: &str, changed: bool| {
        if changed {
            out.push(format!("Changed {name}."));
        }
    };
    setting("the title", old.title != new.title);
    setting("the description", old.description != new.description);
    setting("the languages", old.languages != new.languages);
    setting("the controller", old.notice.controller != new.notice.controller);
    setting("the purpose", old.notice.purpose != new.notice.purpose);
    setting("the legal basis", old.notice.legal_basis != new.notice.legal_basis);
    setting("the success message", old.success_message != new.success_message);
    setting("the phone region", old.phone_region != new.phone_region);
    setting("the look (theme)", old.theme != new.theme);
    if old.notice.retention_days != new.notice.retention_days {
        out.push(format!(
            "Changed the retention from {} to {} days (applies to new submissions).",
            old.notice.retention_days, new.notice.retention_days
        ));
    }
    let lang = new.default_lang();
    let name = |f: &Field| format!("“{}” ({})", f.label.get(lang), f.key);
    for field in &old.fields {
        if new.field(&field.key).is_none() {
            out.push(format!("Removed field {}.", name(field)));
        }
    }
    for field in &new.fields {
        match old.field(&field.key) {
            None => out.push(format!("Added field {}.", name(field))),
            Some(before) if before != field => {
                let mut what = Vec::new();
                if before.kind.type_name() != field.kind.type_name() {
                    what.push(format!("type {} → {}", before.kind.type_name(), field.kind.type_name()));
                } else if let (FieldKind::PageBreak { jumps: a }, FieldKind::PageBreak { jumps: b }) =
                    (&before.kind, &field.kind)
                {
                    if a != b {
                        what.push("jump rules".to_owned());
                    }
                } else if before.kind != field.kind {
                    what.push("settings".to_owned());
                }
                // Logic changes who is asked what: said apart from other settings.
                let logic = |name: &str, old: &Option<Condition>, new: &Option<Condition>| match (old, new) {
                    (None, Some(_)) => Some(format!("{name} condition added")),
                    (Some(_), None) => Some(format!("{name} condition removed")),
                    (Some(a), Some(b)) if a != b => Some(format!("{name} condition changed")),
                    _ => None,
                };
                what.extend(logic("shown-when", &before.visible_if, &field.visible_if));
                what.extend(logic("required-when", &before.required_if, &field.required_if));
                if before.label != field.label {
                    what.push("label".to_owned());
                }
                if before.help != field.help || before.placeholder != field.placeholder {
                    what.push("help text".to_owned());
                }
                if before.required != field.required {
                    what.push(if field.required { "now required" } else { "now optional" }.to_owned());
                }
                if before.class != field.class {
                    what.push(format!("data class {:?} → {:?}", before.class, field.class).to_lowercase());
                }
                out.push(format!("Changed field {}: {}.", name(field), what.join(", ")));
            }
            Some(_) => {}
        }
    }
    let order = |form: &FormDef, other: &FormDef| -> Vec<String> {
        form.fields.iter().filter(|f| other.field(&f.key).is_some()).map(|f| f.key.clone()).collect()
    };
    if order(old, new) != order(new, old) {
        out.push("Changed the order of the fields.".to_owned());
    }
    out
}

#[cfg(test)]
mod tests {
    // In the wasm32 build the same tests run under wasm-bindgen-test.
    use super::*;
    use crate::templates;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn lists_added_removed_changed_and_moved_fields() {
        let old = templates::build("contact_tracing", "guests", "Guests").unwrap();
        let mut new = old.clone();
        assert!(changes(&old, &new).is_empty());
        new.fields.remove(3); // e-mail
        new.fields[0].required = false;
        new.fields.swap(1, 2);
        new.fields.push(templates::build("lead_form", "x", "x").unwrap().fields.remove(2));
        new.notice.retention_days = 14;
        let c = changes(&old, &new);
        assert!(c.contains(&"Removed field “E-mail (optional)” (email).".to_owned()), "{c:?}");
        assert!(c.contains(&"Added field “Consent” (consent).".to_owned()), "{c:?}");
        assert!(c.contains(&"Changed field “Full name” (name): now optional.".to_owned()), "{c:?}");
        assert!(c.contains(&"Changed the order of the fields.".to_owned()), "{c:?}");
        assert!(c.iter().any(|l| l.contains("from 30 to 14 days")), "{c:?}");
    }

    #[test]
    fn names_logic_changes() {
        let old = templates::build("damage_report", "claims", "Claims").unwrap();
        let mut new = old.clone();
        let at = |def: &FormDef, key: &str| def.fields.iter().position(|f| f.key == key).unwrap();
        let injuries = at(&new, "injuries");
        new.fields[injuries].visible_if = None;
        let plate = at(&new, "plate");
        new.fields[plate].required_if = Some(Condition::Answered { field: "description".into() });
        if let FieldKind::PageBreak { jumps } = &mut new.fields[0].kind {
            jumps.clear();
        }
        let c = changes(&old, &new);
        assert!(c.iter().any(|l| l.contains("(injuries): shown-when condition removed")), "{c:?}");
        assert!(c.iter().any(|l| l.contains("(plate): required-when condition added")), "{c:?}");
        assert!(c.iter().any(|l| l.contains("(incident): jump rules")), "{c:?}");
    }
}
