//! Reading signed input strictly: RFC 8785 signs I-JSON (RFC 7493), and a JSON text
//! with the same member name twice in one object is not I-JSON. serde_json keeps
//! the last of the two silently, another parser may keep the first: the server
//! would then check and store a value the sender's own software never showed. So
//! [`from_slice`] walks the text once, refuses the first repeated member (by name
//! after unescaping, so `"a"` and `"\u0061"` are the same), and only then reads it.

use std::collections::HashSet;
use std::fmt;

use serde::de::{self, DeserializeOwned, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// A member name that appears twice in one object.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the member {name:?} appears twice {}", Place(.path))]
pub struct DuplicateMember {
    pub name: String,
    /// Where the object is: member names and array positions from the top.
    pub path: Vec<Step>,
}

/// One step from the top of a JSON text down to a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    Member(String),
    Index(usize),
}

/// `in envelope.answers`, `in answers.choices[1]`, or `at the top level`.
struct Place<'a>(&'a [Step]);

impl fmt::Display for Place<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("at the top level");
        }
        f.write_str("in ")?;
        for (n, step) in self.0.iter().enumerate() {
            match step {
                // Plain names as they are; any other (a dot, a space, a quote) quoted,
                // so the path cannot be misread.
                Step::Member(name)
                    if !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || "_-".contains(c)) =>
                {
                    if n > 0 {
                        f.write_str(".")?;
                    }
                    f.write_str(name)?;
                }
                Step::Member(name) => write!(f, "[{name:?}]")?,
                Step::Index(i) => write!(f, "[{i}]")?,
            }
        }
        Ok(())
    }
}

/// Why a body was not read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("{0}")]
    Duplicate(DuplicateMember),
    /// Not JSON, or not the expected shape: serde_json's description.
    #[error("{0}")]
    Json(String),
}

/// Reads `bytes` as a `T` after checking that no object in them repeats a member.
pub fn from_slice<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ReadError> {
    unique_members(bytes)?;
    serde_json::from_slice(bytes).map_err(|e| ReadError::Json(e.to_string()))
}

/// Checks that no object anywhere in the JSON text `bytes` has a member name twice.
pub fn unique_members(bytes: &[u8]) -> Result<(), ReadError> {
    let mut path = Vec::new();
    let mut found = None;
    let mut reader = serde_json::Deserializer::from_slice(bytes);
    let walked = Walk { path: &mut path, found: &mut found }.deserialize(&mut reader).and_then(|()| reader.end());
    match (found, walked) {
        (Some(duplicate), _) => Err(ReadError::Duplicate(duplicate)),
        (None, Err(e)) => Err(ReadError::Json(e.to_string())),
        (None, Ok(())) => Ok(()),
    }
}

/// One value of the walk. serde_json's recursion limit (128 levels) bounds its depth.
struct Walk<'a> {
    path: &'a mut Vec<Step>,
    /// Set when a duplicate is found; the walk then stops with an error.
    found: &'a mut Option<DuplicateMember>,
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<(), A::Error> {
        let mut index = 0;
        loop {
            self.path.push(Step::Index(index));
            let item = items.next_element_seed(Walk { path: &mut *self.path, found: &mut *self.found });
            self.path.pop();
            match item? {
                Some(()) => index += 1,
                None => return Ok(()),
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut members: A) -> Result<(), A::Error> {
        let mut seen = HashSet::new();
        while let Some(name) = members.next_key::<String>()? {
            if seen.contains(&name) {
                *self.found = Some(DuplicateMember { name, path: self.path.clone() });
                return Err(de::Error::custom("duplicate member"));
            }
            self.path.push(Step::Member(name.clone()));
            let value = members.next_value_seed(Walk { path: &mut *self.path, found: &mut *self.found });
            self.path.pop();
            value?;
            seen.insert(name);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    // In the wasm32 build the same tests run under wasm-bindgen-test.
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use serde_json::{Value, json};

    fn duplicate(text: &str) -> Option<String> {
        match unique_members(text.as_bytes()) {
            Err(ReadError::Duplicate(d)) => Some(d.to_string()),
            Err(ReadError::Json(e)) => panic!("{text}: not JSON: {e}"),
            Ok(()) => None,
        }
    }

    #[test]
    fn a_repeated_member_is_named_with_where_it_is() {
        assert_eq!(
            duplicate(r#"{"envelope":{"answers":{"email":"a@example.com","email":"b@example.com"}}}"#).as_deref(),
            Some(r#"the member "email" appears twice in envelope.answers"#)
        );
        assert_eq!(
            duplicate(r#"{"a":1,"b":2,"a":3}"#).as_deref(),
            Some(r#"the member "a" appears twice at the top level"#)
        );
        assert_eq!(
            duplicate(r#"{"answers":{"choices":["x",{"other":"1","other":"2"}]}}"#).as_deref(),
            Some(r#"the member "other" appears twice in answers.choices[1]"#)
        );
        assert_eq!(
            duplicate(r#"{"odd key":{"k":1,"k":2}}"#).as_deref(),
            Some(r#"the member "k" appears twice in ["odd key"]"#)
        );
        // A name with a line break is shown escaped.
        assert_eq!(
            duplicate("{\"a\\nb\":1,\"a\\nb\":2}").as_deref(),
            Some(r#"the member "a\nb" appears twice at the top level"#)
        );
    }

    #[test]
    fn names_are_compared_after_unescaping() {
        assert_eq!(
            duplicate(r#"{"a":1,"\u0061":2}"#).as_deref(),
            Some(r#"the member "a" appears twice at the top level"#)
        );
        assert_eq!(
            duplicate(r#"{"\u00e9":1,"é":2}"#).as_deref(),
            Some(r#"the member "é" appears twice at the top level"#)
        );
    }

    #[test]
    fn the_same_name_in_different_objects_is_fine() {
        let text = r#"{"a":{"x":1},"b":{"x":[{"x":2},{"x":3}]},"x":null,"list":[[],{},"s",true,-1,2.5]}"#;
        assert_eq!(duplicate(text), None);
        let read: Value = from_slice(text.as_bytes()).unwrap();
        assert_eq!(read, serde_json::from_str::<Value>(text).unwrap());
    }

    #[test]
    fn not_json_and_trailing_text_are_read_errors() {
        for text in ["{not json", "", "{\"a\":1} x", "[1,]"] {
            assert!(matches!(unique_members(text.as_bytes()), Err(ReadError::Json(_))), "{text:?}");
        }
        // Deep nesting stops at serde_json's limit instead of exhausting the stack.
        let deep = "[".repeat(10_000) + &"]".repeat(10_000);
        assert!(matches!(unique_members(deep.as_bytes()), Err(ReadError::Json(_))));
    }

    #[test]
    fn from_slice_reads_the_type_and_refuses_duplicates_first() {
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct Open {
            v: u32,
            open: Value,
        }
        let read: Open = from_slice(br#"{"v":1,"open":{"link":"x"}}"#).unwrap();
        assert_eq!(read, Open { v: 1, open: json!({"link": "x"}) });
        assert!(matches!(
            from_slice::<Open>(br#"{"v":1,"open":{"link":"x","link":"y"}}"#),
            Err(ReadError::Duplicate(_))
        ));
        assert!(matches!(from_slice::<Open>(br#"{"v":"one","open":{}}"#), Err(ReadError::Json(_))));
    }
}
