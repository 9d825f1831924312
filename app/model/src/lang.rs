//! The languages Formseal's own texts are written in. A form's texts
//! ([`crate::LocalText`]) are keyed by any tag; the words Formseal adds around them
//! (messages, labels, the access report) come from each crate's `texts` module, one
//! file per language, looked up by [`Lang`].

/// A language of Formseal's own texts. Any other tag reads English.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    #[default]
    En,
    De,
}

impl Lang {
    /// Every language, in the order the console offers them.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::De];

    /// The language of `tag` (`"en"`, `"de"`); English for any other tag.
    pub fn parse(tag: &str) -> Lang {
        Lang::ALL.into_iter().find(|lang| lang.tag() == tag).unwrap_or_default()
    }

    /// The language of a browser's tag such as `de-CH`: its primary subtag decides.
    pub fn negotiate(tag: &str) -> Lang {
        Lang::parse(tag.split(['-', '_']).next().unwrap_or(tag))
    }

    /// The language's tag, as forms and the `lang` attribute of a page write it.
    pub const fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::De => "de",
        }
    }
}

#[cfg(test)]
mod tests {
    // In the wasm32 build the same tests run under wasm-bindgen-test.
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn tags_read_as_their_language_and_anything_else_as_english() {
        for lang in Lang::ALL {
            assert_eq!(Lang::parse(lang.tag()), lang);
        }
        assert_eq!(Lang::parse("de"), Lang::De);
        assert_eq!(Lang::parse("de-DE"), Lang::En);
        assert_eq!(Lang::parse("fr"), Lang::En);
        assert_eq!(Lang::parse(""), Lang::En);
        assert_eq!(Lang::negotiate("de-CH"), Lang::De);
        assert_eq!(Lang::negotiate("de"), Lang::De);
        assert_eq!(Lang::negotiate("en-GB"), Lang::En);
    }
}
