//! Console sessions, keyed by the hash of their token (the token itself is never
//! stored).

use serde::Deserialize;
use serde_json::json;

use super::Store;
use crate::error::Result;

#[derive(Debug, Clone, Deserialize)]
pub struct SessionRow {
    pub username: String,
    pub last_seen_ms: i64,
    pub expires_ms: i64,
    #[serde(default)]
    pub token_hash: Option<String>,
    #[serde(default)]
    pub created_ms: Option<i64>,
    #[serde(default)]
    pub ip: Option<String>,
    #[serde(default)]
    pub agent: Option<String>,
}

impl Store {
    pub async fn create_session(
        &self,
        token_hash: &str,
        username: &str,
        now_ms: i64,
        expires_ms: i64,
        ip: Option<&str>,
        agent: Option<&str>,
    ) -> Result<()> {
        self.exec(
            "CREATE type::record('session', $token_hash) CONTENT {
                 token_hash: $token_hash, username: $username, created_ms: $now, last_seen_ms: $now, expires_ms: $expires,
                 ip: $ip, agent: $agent
             }",
            json!({
                "token_hash": token_hash, "username": username, "now": now_ms, "expires": expires_ms,
                "ip": ip, "agent": agent,
            }),
        )
        .await
    }

    /// A person's sessions, most recently used first.
    pub async fn sessions_of(&self, username: &str) -> Result<Vec<SessionRow>> {
        self.rows(
            "SELECT token_hash, username, created_ms, last_seen_ms, expires_ms, ip, agent FROM session
             WHERE username = $username ORDER BY last_seen_ms DESC",
            json!({ "username": username }),
        )
        .await
    }

    pub async fn delete_sessions_of(&self, username: &str) -> Result<()> {
        self.exec("DELETE session WHERE username = $username", json!({ "username": username })).await
    }

    pub async fn session(&self, token_hash: &str) -> Result<Option<SessionRow>> {
        self.first(
            "SELECT username, last_seen_ms, expires_ms FROM type::record('session', $token_hash)",
            json!({ "token_hash": token_hash }),
        )
        .await
    }

    pub async fn touch_session(&self, token_hash: &str, now_ms: i64) -> Result<()> {
        self.exec(
            "UPDATE type::record('session', $token_hash) SET last_seen_ms = $now",
            json!({ "token_hash": token_hash, "now": now_ms }),
        )
        .await
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<()> {
        self.exec("DELETE type::record('session', $token_hash)", json!({ "token_hash": token_hash })).await
    }
}

#[cfg(test)]
mod tests {
    use crate::error::Error;
    use crate::store::testing::store;

    #[tokio::test]
    async fn sessions_are_listed_by_last_use_touched_and_ended() {
        let store = store().await;
        store.create_session("h1", "ada", 10, 1_000, Some("192.0.2.1"), Some("Firefox")).await.unwrap();
        store.create_session("h2", "ada", 20, 1_000, None, None).await.unwrap();
        store.create_session("h3", "bob", 30, 1_000, None, None).await.unwrap();
        store.touch_session("h1", 50).await.unwrap();
        let one = store.session("h1").await.unwrap().unwrap();
        assert_eq!((one.username.as_str(), one.last_seen_ms, one.expires_ms), ("ada", 50, 1_000));
        let ada = store.sessions_of("ada").await.unwrap();
        let order: Vec<_> = ada.iter().map(|s| s.token_hash.as_deref()).collect();
        assert_eq!(order, vec![Some("h1"), Some("h2")]);
        assert_eq!(
            (ada[0].ip.as_deref(), ada[0].agent.as_deref(), ada[0].created_ms),
            (Some("192.0.2.1"), Some("Firefox"), Some(10))
        );

        store.delete_session("h1").await.unwrap();
        assert!(store.session("h1").await.unwrap().is_none());
        store.delete_sessions_of("ada").await.unwrap();
        assert!(store.sessions_of("ada").await.unwrap().is_empty());
        assert!(store.session("h3").await.unwrap().is_some(), "another person's session stays");
        // An empty token hash is no session (and no query).
        assert!(matches!(store.session("").await, Err(Error::NotFound(_))));
    }
}
