//! The funnel's counters (see `formseal_model::funnel`): added to one at a time,
//! read summed per version and stage.

use serde::Deserialize;
use serde_json::json;

use super::Store;
use crate::error::Result;

/// A counter summed over the days.
#[derive(Debug, Clone, Deserialize)]
pub struct FunnelCount {
    pub version: String,
    pub counter: String,
    pub count: u64,
}

impl Store {
    /// Adds one to a counter. One record per form, version, day and stage, so
    /// concurrent page loads meet on the same record: a conflict is retried.
    pub async fn count_funnel(&self, form_id: &str, version: &str, day: &str, counter: &str) -> Result<()> {
        self.exec(
            "UPSERT type::record('funnel', [$form, $version, $day, $counter])
             SET form = $form, version = $version, day = $day, counter = $counter, count += 1",
            json!({ "form": form_id, "version": version, "day": day, "counter": counter }),
        )
        .await
    }

    /// The form's counters, summed over all days.
    pub async fn funnel(&self, form_id: &str) -> Result<Vec<FunnelCount>> {
        self.rows(
            "SELECT version, counter, math::sum(count) AS count FROM funnel WHERE form = $form
             GROUP BY version, counter",
            json!({ "form": form_id }),
        )
        .await
    }

    /// Whether the operator switched counting off for the form (`None`: no such form).
    /// Forms from before the funnel have no setting: they count, as new ones do.
    pub async fn funnel_off(&self, form_id: &str) -> Result<Option<bool>> {
        self.first(
            "SELECT VALUE (funnel_off ?? false) FROM type::record('form', $form_id)",
            json!({ "form_id": form_id }),
        )
        .await
    }

    /// Every stored member of the form's counter records, for the test that proves
    /// nothing about visitors is kept.
    #[cfg(any(test, feature = "test-support"))]
    pub async fn funnel_rows_for_tests(&self, form_id: &str) -> Result<Vec<serde_json::Value>> {
        self.rows("SELECT * FROM funnel WHERE form = $form", json!({ "form": form_id })).await
    }

    /// Switches counting off or on. Switching off also deletes what was counted.
    pub async fn set_funnel_off(&self, form_id: &str, off: bool) -> Result<()> {
        self.exec(
            "BEGIN;
             UPDATE type::record('form', $form_id) SET funnel_off = $off;
             IF $off { DELETE funnel WHERE form = $form_id; };
             COMMIT;",
            json!({ "form_id": form_id, "off": off }),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use crate::store::testing::store;

    #[tokio::test]
    async fn counters_add_up_per_version_and_stage_across_days() {
        let store = store().await;
        for (version, day, counter) in [
            ("v1", "2026-12-01", "view"),
            ("v1", "2026-12-02", "view"),
            ("v1", "2026-12-02", "start"),
            ("v2", "2026-12-02", "view"),
        ] {
            store.count_funnel("f", version, day, counter).await.unwrap();
        }
        store.count_funnel("other", "v9", "2026-12-02", "view").await.unwrap();
        let mut rows: Vec<(String, String, u64)> =
            store.funnel("f").await.unwrap().into_iter().map(|r| (r.version, r.counter, r.count)).collect();
        rows.sort();
        assert_eq!(
            rows,
            [("v1".into(), "start".into(), 1), ("v1".into(), "view".into(), 2), ("v2".into(), "view".into(), 1)]
        );
    }

    #[tokio::test]
    async fn concurrent_counts_are_all_kept() {
        let store = std::sync::Arc::new(store().await);
        let tasks: Vec<_> = (0..40)
            .map(|_| {
                let store = std::sync::Arc::clone(&store);
                tokio::spawn(async move { store.count_funnel("f", "v1", "2026-12-02", "view").await })
            })
            .collect();
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        assert_eq!(store.funnel("f").await.unwrap()[0].count, 40);
    }
}
