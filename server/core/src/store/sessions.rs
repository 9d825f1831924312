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
