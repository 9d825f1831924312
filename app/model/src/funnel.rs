//! The funnel of a form: how many page loads showed it, how many visitors began to
//! answer, reached each page and sent it. Counters only: the widget sends at most
//! one event per stage and page load, with no cookie or identifier, and the server
//! adds one to a counter per form version and day. Nothing here can tell two
//! visitors apart, which is the point.

use serde::{Deserialize, Serialize};

/// What a page load reports.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "stage", rename_all = "snake_case")]
pub enum Event {
    /// The form was shown.
    View { version: String },
    /// The first answer was typed or chosen.
    Start { version: String },
    /// Page `page` (2 or later; page one is the start) was opened for the first time.
    Page { version: String, page: u32 },
}

impl Event {
    pub fn version(&self) -> &str {
        match self {
            Event::View { version } | Event::Start { version } | Event::Page { version, .. } => version,
        }
    }

    /// The counter this event adds to: `view`, `start`, `page:2`, … (`submit` is
    /// counted by the server when it stores a submission).
    pub fn counter(&self) -> String {
        match self {
            Event::View { .. } => "view".into(),
            Event::Start { .. } => "start".into(),
            Event::Page { page, .. } => format!("page:{page}"),
        }
    }
}

/// The counter of stored submissions.
pub const SUBMIT: &str = "submit";

/// One step of the funnel as the console shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub label: String,
    pub count: u64,
    /// Of those at the step before, how many did not get here, in whole percent.
    pub drop_off_percent: Option<u64>,
}

/// The steps of a funnel from its counters (name → count) for a form with `pages`
/// pages: shown, started, each later page, sent.
pub fn steps(counters: &[(String, u64)], pages: usize) -> Vec<Step> {
    let count = |name: &str| counters.iter().filter(|(n, _)| n == name).map(|(_, c)| c).sum::<u64>();
    let mut rows = vec![("Shown".to_owned(), count("view")), ("Started".to_owned(), count("start"))];
    for page in 2..=pages {
        rows.push((format!("Reached page {page}"), count(&format!("page:{page}"))));
    }
    rows.push(("Sent".to_owned(), count(SUBMIT)));
    let mut out: Vec<Step> = Vec::with_capacity(rows.len());
    for (label, count) in rows {
        let drop_off_percent = out.last().filter(|before| before.count > 0).map(|before| {
            let lost = before.count.saturating_sub(count);
            (lost * 100 + before.count / 2) / before.count
        });
        out.push(Step { label, count, drop_off_percent });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn events_read_as_documented_and_name_their_counter() {
        let event: Event = serde_json::from_str(r#"{"stage":"page","version":"v1","page":3}"#).unwrap();
        assert_eq!(event, Event::Page { version: "v1".into(), page: 3 });
        assert_eq!(event.counter(), "page:3");
        let view: Event = serde_json::from_str(r#"{"stage":"view","version":"v1"}"#).unwrap();
        assert_eq!((view.counter().as_str(), view.version()), ("view", "v1"));
        assert!(serde_json::from_str::<Event>(r#"{"stage":"visitor","version":"v1"}"#).is_err());
    }

    #[test]
    fn steps_with_drop_off() {
        let counters: Vec<(String, u64)> =
            [("view", 200), ("start", 50), ("page:2", 40), ("page:3", 10), ("submit", 9), ("view", 0)]
                .iter()
                .map(|(n, c)| ((*n).to_owned(), *c))
                .collect();
        let steps = steps(&counters, 3);
        let table: Vec<(&str, u64, Option<u64>)> =
            steps.iter().map(|s| (s.label.as_str(), s.count, s.drop_off_percent)).collect();
        assert_eq!(
            table,
            [
                ("Shown", 200, None),
                ("Started", 50, Some(75)),
                ("Reached page 2", 40, Some(20)),
                ("Reached page 3", 10, Some(75)),
                ("Sent", 9, Some(10)),
            ]
        );
        // No views yet: no percentages to divide by zero.
        let empty = super::steps(&[], 1);
        assert_eq!(empty.iter().map(|s| s.drop_off_percent).collect::<Vec<_>>(), [None, None, None]);
    }
}
