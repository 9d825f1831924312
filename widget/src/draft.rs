//! The visitor's unsent answers, kept in this browser while they type, so a reload
//! or a closed tab loses nothing. Never for forms that ask for special-category data
//! (GDPR Art. 9), and gone after submit or the visitor's "clear".

use formseal_model::{Answers, DataClass, FieldKind, FormDef};

pub struct Drafts {
    key: String,
}

impl Drafts {
    /// Drafts for this form, or `None` where they are not allowed or not possible.
    pub fn for_form(form: &FormDef) -> Option<Drafts> {
        let special = form.fields.iter().any(|f| f.class == DataClass::Special);
        (!special && storage().is_some()).then(|| Drafts { key: format!("formseal:draft:{}", form.id) })
    }

    pub fn load(&self, form: &FormDef) -> Answers {
        let text = storage().and_then(|s| s.get_item(&self.key).ok().flatten()).unwrap_or_default();
        let mut answers: Answers = serde_json::from_str(&text).unwrap_or_default();
        // Only answers to fields this version still has.
        answers.retain(|key, _| form.field(key).is_some());
        answers
    }

    pub fn save(&self, form: &FormDef, answers: &Answers) {
        // A drawing is not restored onto the pad, so it is not kept either.
        let kept: Answers = answers
            .iter()
            .filter(|(key, _)| form.field(key).is_some_and(|f| !matches!(f.kind, FieldKind::Signature { .. })))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        if let (Some(storage), Ok(text)) = (storage(), serde_json::to_string(&kept)) {
            let _ = if kept.is_empty() { storage.remove_item(&self.key) } else { storage.set_item(&self.key, &text) };
        }
    }

    /// The page the visitor was on, so a reload opens it again.
    pub fn load_page(&self) -> usize {
        let text = storage().and_then(|s| s.get_item(&self.page_key()).ok().flatten());
        text.and_then(|t| t.parse().ok()).unwrap_or(0)
    }

    pub fn save_page(&self, page: usize) {
        if let Some(storage) = storage() {
            let _ = if page == 0 {
                storage.remove_item(&self.page_key())
            } else {
                storage.set_item(&self.page_key(), &page.to_string())
            };
        }
    }

    fn page_key(&self) -> String {
        format!("{}:page", self.key)
    }

    pub fn clear(&self) {
        if let Some(storage) = storage() {
            let _ = storage.remove_item(&self.key);
            let _ = storage.remove_item(&self.page_key());
        }
    }
}

/// Local storage, where the page allows it (sandboxed frames and some privacy
/// modes do not).
fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}
