use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A text in several languages, keyed by language tag (`"en"`, `"de"`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LocalText(pub BTreeMap<String, String>);

impl LocalText {
    pub fn new(en: &str, de: &str) -> Self {
        let mut map = BTreeMap::new();
        map.insert("en".to_owned(), en.to_owned());
        map.insert("de".to_owned(), de.to_owned());
        LocalText(map)
    }

    pub fn only(lang: &str, text: &str) -> Self {
        LocalText(BTreeMap::from([(lang.to_owned(), text.to_owned())]))
    }

    /// The text in `lang`, else English, else any language there is.
    pub fn get(&self, lang: &str) -> &str {
        self.0
            .get(lang)
            .or_else(|| self.0.get("en"))
            .or_else(|| self.0.values().next())
            .map(String::as_str)
            .unwrap_or("")
    }

    /// Whether `text` is this text in one of its languages. Used to check that a
    /// consent or signature statement in a submission is one the form really shows.
    pub fn contains_text(&self, text: &str) -> bool {
        self.0.values().any(|t| t == text)
    }

    pub fn is_empty(&self) -> bool {
        self.0.values().all(|t| t.trim().is_empty())
    }
}
