//! Console accounts (password, role, the forms a restricted account may see,
//! second factor) and invitations to create one.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::Store;
use super::classify::{DbOutcome, INVITE_USED, Tag, UniqueIndex};
use crate::error::{Error, Result};

#[derive(Debug, Clone, Deserialize)]
pub struct AccountRow {
    pub username: String,
    pub password_hash: String,
    pub role: String,
    pub disabled: bool,
    #[serde(default)]
    pub forms: Option<Vec<String>>,
    #[serde(default)]
    pub personal_forms: Option<Vec<String>>,
    #[serde(default)]
    pub totp_secret: Option<String>,
    #[serde(default)]
    pub totp_pending: Option<String>,
    /// Someone else set the password: the holder must choose their own first.
    #[serde(default)]
    pub must_change_password: Option<bool>,
}

impl AccountRow {
    pub fn must_change_password(&self) -> bool {
        self.must_change_password == Some(true)
    }
}

/// An invitation to the console (the token itself is never stored).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InviteRow {
    pub username: String,
    pub role: String,
    pub forms: Vec<String>,
    pub personal_forms: Vec<String>,
    pub invited_by: String,
    pub expires_ms: i64,
    #[serde(default)]
    pub used: bool,
}

impl Store {
    pub async fn account_count(&self) -> Result<u64> {
        let n: Option<u64> = self.first("RETURN count(SELECT VALUE username FROM account)", json!({})).await?;
        Ok(n.unwrap_or(0))
    }

    /// `must_change`: the password is one someone else chose (the first start's).
    pub async fn create_account(
        &self,
        username: &str,
        password_hash: &str,
        role: &str,
        must_change: bool,
    ) -> Result<()> {
        self.exec(
            "CREATE account CONTENT {
                 username: $username, password_hash: $hash, role: $role, disabled: false, created_at: time::now(),
                 must_change_password: $must_change
             }",
            json!({ "username": username, "hash": password_hash, "role": role, "must_change": must_change }),
        )
        .await
    }

    /// Sets a new password and ends the account's sessions but `keep_session` (the
    /// one its holder changed it from), in one transaction.
    pub async fn set_password(
        &self,
        username: &str,
        password_hash: &str,
        must_change: bool,
        keep_session: Option<&str>,
    ) -> Result<()> {
        self.exec(
            "BEGIN;
             UPDATE account SET password_hash = $hash, must_change_password = $must_change WHERE username = $username;
             DELETE session WHERE username = $username AND token_hash != $keep;
             COMMIT;",
            json!({ "username": username, "hash": password_hash, "must_change": must_change, "keep": keep_session }),
        )
        .await
    }

    /// Records `step` as the last authenticator time step used: `false` if it (or a
    /// later one) was used already, so one code works once.
    pub async fn use_totp_step(&self, username: &str, step: i64) -> Result<bool> {
        let updated: Vec<Value> = self
            .rows(
                "UPDATE account SET totp_last_step = $step
                 WHERE username = $username AND (totp_last_step IS NONE OR totp_last_step < $step)
                 RETURN username",
                json!({ "username": username, "step": step }),
            )
            .await?;
        Ok(!updated.is_empty())
    }

    pub async fn account(&self, username: &str) -> Result<Option<AccountRow>> {
        self.first(
            "SELECT username, password_hash, role, disabled, forms, personal_forms, totp_secret, totp_pending,
                 must_change_password
             FROM account WHERE username = $username",
            json!({ "username": username }),
        )
        .await
    }

    pub async fn accounts(&self) -> Result<Vec<AccountRow>> {
        self.rows(
            "SELECT username, password_hash, role, disabled, forms, personal_forms FROM account ORDER BY username",
            json!({}),
        )
        .await
    }

    pub async fn update_account(
        &self,
        username: &str,
        role: &str,
        forms: &[String],
        personal_forms: &[String],
        disabled: bool,
    ) -> Result<()> {
        self.exec(
            "BEGIN;
             UPDATE account SET role = $role, forms = $forms, personal_forms = $personal, disabled = $disabled
                 WHERE username = $username;
             IF $disabled { DELETE session WHERE username = $username };
             COMMIT;",
            json!({
                "username": username, "role": role, "forms": forms, "personal": personal_forms, "disabled": disabled,
            }),
        )
        .await
    }

    pub async fn set_totp_pending(&self, username: &str, secret: &str) -> Result<()> {
        self.exec(
            "UPDATE account SET totp_pending = $secret WHERE username = $username",
            json!({ "username": username, "secret": secret }),
        )
        .await
    }

    /// Makes the pending secret the active one, with new recovery code hashes.
    pub async fn enable_totp(&self, username: &str, secret: &str, recovery_hashes: &[String]) -> Result<()> {
        self.exec(
            "UPDATE account SET totp_secret = $secret, totp_pending = NONE, recovery_hashes = $hashes
             WHERE username = $username",
            json!({ "username": username, "secret": secret, "hashes": recovery_hashes }),
        )
        .await
    }

    pub async fn disable_totp(&self, username: &str) -> Result<()> {
        self.exec(
            "UPDATE account SET totp_secret = NONE, totp_pending = NONE, recovery_hashes = [] WHERE username = $username",
            json!({ "username": username }),
        )
        .await
    }

    /// Uses up one recovery code: `true` if it was there (and is now gone).
    pub async fn use_recovery_code(&self, username: &str, hash: &str) -> Result<bool> {
        let updated: Vec<Value> = self
            .rows(
                "UPDATE account SET recovery_hashes -= $hash WHERE username = $username AND recovery_hashes CONTAINS $hash
                 RETURN username",
                json!({ "username": username, "hash": hash }),
            )
            .await?;
        Ok(!updated.is_empty())
    }

    pub async fn create_invite(&self, invite: &InviteRow, token_hash: &str) -> Result<()> {
        let mut vars = serde_json::to_value(invite).map_err(|e| Error::Internal(e.to_string()))?;
        vars["token_hash"] = json!(token_hash);
        self.exec(
            "CREATE invite CONTENT {
                 token_hash: $token_hash, username: $username, role: $role, forms: $forms,
                 personal_forms: $personal_forms, invited_by: $invited_by, expires_ms: $expires_ms, used: false
             }",
            vars,
        )
        .await
    }

    pub async fn invite(&self, token_hash: &str) -> Result<Option<InviteRow>> {
        self.first(
            "SELECT username, role, forms, personal_forms, invited_by, expires_ms, used FROM invite
             WHERE token_hash = $token_hash",
            json!({ "token_hash": token_hash }),
        )
        .await
    }

    /// Creates the invited account and uses up the invitation, in one transaction;
    /// fails if the invitation was used meanwhile or the name was taken.
    pub async fn accept_invite(&self, token_hash: &str, invite: &InviteRow, password_hash: &str) -> Result<()> {
        let result = self
            .exec_classified(
                "BEGIN;
                 IF (SELECT VALUE used FROM invite WHERE token_hash = $token_hash)[0] != false {
                     THROW $invite_used
                 };
                 UPDATE invite SET used = true WHERE token_hash = $token_hash;
                 CREATE account CONTENT {
                     username: $username, password_hash: $hash, role: $role, disabled: false,
                     forms: $forms, personal_forms: $personal_forms, created_at: time::now()
                 };
                 COMMIT;",
                json!({
                    "token_hash": token_hash, "username": invite.username, "hash": password_hash, "role": invite.role,
                    "forms": invite.forms, "personal_forms": invite.personal_forms, "invite_used": INVITE_USED,
                }),
            )
            .await;
        match result {
            Ok(()) => Ok(()),
            Err(f) => match f.outcome() {
                DbOutcome::Thrown(Tag::InviteUsed) => Err(Error::BadRequest("this invitation was already used".into())),
                DbOutcome::Duplicate(UniqueIndex::AccountUsername) => {
                    Err(Error::BadRequest("this user name is taken".into()))
                }
                _ => Err(f.into()),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::store;

    fn invite(username: &str) -> InviteRow {
        InviteRow {
            username: username.into(),
            role: "editor".into(),
            forms: vec!["f".into(), "g".into()],
            personal_forms: vec!["f".into()],
            invited_by: "ada".into(),
            expires_ms: 1_000,
            used: false,
        }
    }

    #[tokio::test]
    async fn an_invitation_makes_one_account_once() {
        let store = store().await;
        store.create_account("ada", "h-ada", "owner", false).await.unwrap();
        assert_eq!(store.account_count().await.unwrap(), 1);

        store.create_invite(&invite("bob"), "t1").await.unwrap();
        assert_eq!(store.invite("t1").await.unwrap(), Some(invite("bob")));
        store.accept_invite("t1", &invite("bob"), "h-bob").await.unwrap();
        let bob = store.account("bob").await.unwrap().unwrap();
        assert_eq!((bob.role.as_str(), bob.password_hash.as_str(), bob.disabled), ("editor", "h-bob", false));
        assert_eq!(bob.personal_forms, Some(vec!["f".to_owned()]));
        assert!(store.invite("t1").await.unwrap().unwrap().used);

        let used = store.accept_invite("t1", &invite("bob"), "h").await;
        assert!(matches!(&used, Err(Error::BadRequest(m)) if m.contains("already used")), "{used:?}");
        // A name taken since the invitation: refused, and the invitation stays usable.
        store.create_invite(&invite("ada"), "t2").await.unwrap();
        let taken = store.accept_invite("t2", &invite("ada"), "h").await;
        assert!(matches!(&taken, Err(Error::BadRequest(m)) if m.contains("taken")), "{taken:?}");
        assert!(!store.invite("t2").await.unwrap().unwrap().used);
        let names: Vec<String> = store.accounts().await.unwrap().into_iter().map(|a| a.username).collect();
        assert_eq!(names, vec!["ada", "bob"]);
    }

    #[tokio::test]
    async fn a_second_factor_is_pending_then_active_and_a_recovery_code_works_once() {
        let store = store().await;
        store.create_account("ada", "h", "owner", false).await.unwrap();
        store.set_totp_pending("ada", "S1").await.unwrap();
        assert_eq!(store.account("ada").await.unwrap().unwrap().totp_pending.as_deref(), Some("S1"));
        store.enable_totp("ada", "S1", &["r1".into(), "r2".into()]).await.unwrap();
        let ada = store.account("ada").await.unwrap().unwrap();
        assert_eq!((ada.totp_secret.as_deref(), ada.totp_pending), (Some("S1"), None));
        assert!(store.use_recovery_code("ada", "r1").await.unwrap());
        assert!(!store.use_recovery_code("ada", "r1").await.unwrap(), "only once");
        store.disable_totp("ada").await.unwrap();
        assert!(store.account("ada").await.unwrap().unwrap().totp_secret.is_none());
        assert!(!store.use_recovery_code("ada", "r2").await.unwrap());
    }

    #[tokio::test]
    async fn disabling_an_account_ends_its_sessions() {
        let store = store().await;
        store.create_account("bob", "h", "editor", false).await.unwrap();
        store.create_session("s1", "bob", 1, 100, None, None).await.unwrap();
        store.update_account("bob", "reader", &["f".into()], &[], false).await.unwrap();
        assert!(store.session("s1").await.unwrap().is_some());
        store.update_account("bob", "reader", &["f".into()], &[], true).await.unwrap();
        let bob = store.account("bob").await.unwrap().unwrap();
        assert_eq!((bob.role.as_str(), bob.disabled, bob.forms), ("reader", true, Some(vec!["f".to_owned()])));
        assert!(store.session("s1").await.unwrap().is_none());
    }
}
