//! Console accounts (password, role, the forms a restricted account may see,
//! second factor) and invitations to create one.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::Store;
use super::classify::{DbOutcome, INVITE_USED, RESET_UNUSABLE, RESETS_EXHAUSTED, Tag, UniqueIndex};
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
    /// Where password-reset links and notifications go.
    #[serde(default)]
    pub email: Option<String>,
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
    /// Where the invitation was mailed; the account starts with this address.
    #[serde(default)]
    pub email: Option<String>,
}

/// A password-reset link to store, and how many an account may have had since when.
#[derive(Debug, Clone, Copy)]
pub struct NewReset<'a> {
    pub token_hash: &'a str,
    pub username: &'a str,
    pub now_ms: i64,
    pub expires_ms: i64,
    pub since_ms: i64,
    pub max_recent: u32,
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
                 must_change_password, email
             FROM account WHERE username = $username",
            json!({ "username": username }),
        )
        .await
    }

    pub async fn accounts(&self) -> Result<Vec<AccountRow>> {
        self.rows(
            "SELECT username, password_hash, role, disabled, forms, personal_forms, email FROM account ORDER BY username",
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

    /// Sets (or, with `None`, removes) the account's e-mail address.
    pub async fn set_email(&self, username: &str, email: Option<&str>) -> Result<()> {
        self.exec(
            "UPDATE account SET email = $email WHERE username = $username",
            json!({ "username": username, "email": email }),
        )
        .await
    }

    /// The enabled account with this e-mail address (compared without regard to
    /// case, as mail providers do), if exactly one has it.
    pub async fn account_by_email(&self, email: &str) -> Result<Option<AccountRow>> {
        let rows: Vec<AccountRow> = self
            .rows(
                "SELECT username, password_hash, role, disabled, forms, personal_forms, email FROM account
                 WHERE string::lowercase(email ?? '') = $email AND disabled = false LIMIT 2",
                json!({ "email": email.to_lowercase() }),
            )
            .await?;
        Ok(if rows.len() == 1 { rows.into_iter().next() } else { None })
    }

    /// Stores a reset link (its token's hash) and its mail in one transaction, unless
    /// the account had `max_recent` reset links since `since_ms`: then `false`, and
    /// nothing is stored or sent.
    pub async fn create_password_reset(&self, reset: &NewReset<'_>, mail: &super::NewMessage) -> Result<bool> {
        let NewReset { token_hash, username, now_ms, expires_ms, since_ms, max_recent } = *reset;
        let result = self
            .exec_classified(
                "BEGIN;
                 LET $recent = count(SELECT VALUE token_hash FROM password_reset
                     WHERE username = $username AND created_ms >= $since);
                 IF $recent >= $max { THROW $exhausted };
                 CREATE password_reset CONTENT {
                     token_hash: $token_hash, username: $username, created_ms: $now, expires_ms: $expires, used: false
                 };
                 INSERT INTO outbox $mail;
                 COMMIT;",
                json!({
                    "token_hash": token_hash, "username": username, "now": now_ms, "expires": expires_ms,
                    "since": since_ms, "max": max_recent, "exhausted": RESETS_EXHAUSTED,
                    "mail": super::outbox::outbox_rows(std::slice::from_ref(mail))?,
                }),
            )
            .await;
        match result {
            Ok(()) => Ok(true),
            Err(f) if f.outcome() == DbOutcome::Thrown(Tag::ResetsExhausted) => Ok(false),
            Err(f) => Err(f.into()),
        }
    }

    /// The account a reset link is for, while it is unused and not expired.
    pub async fn password_reset(&self, token_hash: &str, now_ms: i64) -> Result<Option<String>> {
        self.first(
            "SELECT VALUE username FROM password_reset
             WHERE token_hash = $token_hash AND used = false AND expires_ms > $now",
            json!({ "token_hash": token_hash, "now": now_ms }),
        )
        .await
    }

    /// Sets the password through a reset link, in one transaction: the link (and
    /// every other of the account's) is used up, the password set, every session
    /// ended. `false` if the link was used or expired meanwhile.
    pub async fn reset_password_with_token(&self, token_hash: &str, password_hash: &str, now_ms: i64) -> Result<bool> {
        let result = self
            .exec_classified(
                "BEGIN;
                 LET $username = (SELECT VALUE username FROM password_reset
                     WHERE token_hash = $token_hash AND used = false AND expires_ms > $now)[0];
                 IF $username = NONE { THROW $unusable };
                 UPDATE password_reset SET used = true WHERE username = $username;
                 UPDATE account SET password_hash = $hash, must_change_password = false WHERE username = $username;
                 DELETE session WHERE username = $username;
                 COMMIT;",
                json!({ "token_hash": token_hash, "hash": password_hash, "now": now_ms, "unusable": RESET_UNUSABLE }),
            )
            .await;
        match result {
            Ok(()) => Ok(true),
            Err(f) if f.outcome() == DbOutcome::Thrown(Tag::ResetUnusable) => Ok(false),
            Err(f) => Err(f.into()),
        }
    }

    /// Reset links past their expiry are of no use to anyone.
    pub async fn forget_password_resets(&self, now_ms: i64) -> Result<()> {
        self.exec("DELETE password_reset WHERE expires_ms < $now", json!({ "now": now_ms })).await
    }

    /// Stores an invitation with the mail that carries its link (if any), together.
    pub async fn create_invite(
        &self,
        invite: &InviteRow,
        token_hash: &str,
        messages: &[super::NewMessage],
    ) -> Result<()> {
        let mut vars = serde_json::to_value(invite).map_err(|e| Error::Internal(e.to_string()))?;
        vars["token_hash"] = json!(token_hash);
        vars["messages"] = json!(super::outbox::outbox_rows(messages)?);
        self.exec(
            "BEGIN;
             CREATE invite CONTENT {
                 token_hash: $token_hash, username: $username, role: $role, forms: $forms,
                 personal_forms: $personal_forms, invited_by: $invited_by, expires_ms: $expires_ms, used: false,
                 email: $email
             };
             IF array::len($messages) > 0 { INSERT INTO outbox $messages };
             COMMIT;",
            super::strip_nulls(vars),
        )
        .await
    }

    pub async fn invite(&self, token_hash: &str) -> Result<Option<InviteRow>> {
        self.first(
            "SELECT username, role, forms, personal_forms, invited_by, expires_ms, used, email FROM invite
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
                     forms: $forms, personal_forms: $personal_forms, created_at: time::now(), email: $email
                 };
                 COMMIT;",
                super::strip_nulls(json!({
                    "token_hash": token_hash, "username": invite.username, "hash": password_hash, "role": invite.role,
                    "forms": invite.forms, "personal_forms": invite.personal_forms, "invite_used": INVITE_USED,
                    "email": invite.email,
                })),
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
            email: None,
        }
    }

    #[tokio::test]
    async fn an_invitation_makes_one_account_once() {
        let store = store().await;
        store.create_account("ada", "h-ada", "owner", false).await.unwrap();
        assert_eq!(store.account_count().await.unwrap(), 1);

        // Mailed: the invitation and its mail are stored together; the account
        // starts with the address the invitation went to.
        let mailed = InviteRow { email: Some("bob@example.org".into()), ..invite("bob") };
        let mail = crate::store::testing::message("invite-mail");
        store.create_invite(&mailed, "t1", std::slice::from_ref(&mail)).await.unwrap();
        assert_eq!(store.invite("t1").await.unwrap(), Some(mailed.clone()));
        assert_eq!(store.message("invite-mail").await.unwrap().unwrap().status, "queued");
        store.accept_invite("t1", &mailed, "h-bob").await.unwrap();
        let bob = store.account("bob").await.unwrap().unwrap();
        assert_eq!(bob.email.as_deref(), Some("bob@example.org"));
        assert_eq!((bob.role.as_str(), bob.password_hash.as_str(), bob.disabled), ("editor", "h-bob", false));
        assert_eq!(bob.personal_forms, Some(vec!["f".to_owned()]));
        assert!(store.invite("t1").await.unwrap().unwrap().used);

        let used = store.accept_invite("t1", &invite("bob"), "h").await;
        assert!(matches!(&used, Err(Error::BadRequest(m)) if m.contains("already used")), "{used:?}");
        // A name taken since the invitation: refused, and the invitation stays usable.
        store.create_invite(&invite("ada"), "t2", &[]).await.unwrap();
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

    #[tokio::test]
    async fn a_reset_link_works_once_ends_every_session_and_is_rationed() {
        let store = store().await;
        store.create_account("ada", "old", "owner", false).await.unwrap();
        store.set_email("ada", Some("ada@example.org")).await.unwrap();
        assert_eq!(store.account_by_email("ada@example.org").await.unwrap().unwrap().username, "ada");
        assert!(store.account_by_email("bob@example.org").await.unwrap().is_none());
        store.create_session("s1", "ada", 1, 100, None, None).await.unwrap();
        let mail = |id: &str| super::super::NewMessage {
            message_id: id.into(),
            kind: "mail".into(),
            purpose: "password_reset".into(),
            form_id: None,
            link_id: None,
            webhook_id: None,
            submission_id: None,
            to_address: None,
            to_account: Some("ada".into()),
            subject: "Reset".into(),
            body_text: "link".into(),
            body_html: None,
            created_ms: 1_000,
            give_up_ms: 2_000,
            created_by: "ada".into(),
        };
        let reset = |token_hash, now_ms| NewReset {
            token_hash,
            username: "ada",
            now_ms,
            expires_ms: 5_000,
            since_ms: 0,
            max_recent: 2,
        };
        assert!(store.create_password_reset(&reset("t1", 1_000), &mail("m1")).await.unwrap());
        assert!(store.create_password_reset(&reset("t2", 1_001), &mail("m2")).await.unwrap());
        // The third in the window: nothing stored, no mail.
        assert!(!store.create_password_reset(&reset("t3", 1_002), &mail("m3")).await.unwrap());
        assert!(store.message("m3").await.unwrap().is_none());
        assert!(store.message("m2").await.unwrap().is_some());
        assert_eq!(store.password_reset("t1", 4_999).await.unwrap().as_deref(), Some("ada"));
        assert_eq!(store.password_reset("t1", 5_000).await.unwrap(), None, "expired");
        assert!(!store.reset_password_with_token("t1", "new", 5_000).await.unwrap(), "expired");
        assert!(store.reset_password_with_token("t1", "new", 2_000).await.unwrap());
        let ada = store.account("ada").await.unwrap().unwrap();
        assert_eq!(ada.password_hash, "new");
        assert!(store.session("s1").await.unwrap().is_none());
        // Used, and the other link of the account with it.
        assert!(!store.reset_password_with_token("t1", "newer", 2_001).await.unwrap());
        assert!(!store.reset_password_with_token("t2", "newer", 2_001).await.unwrap());
        assert_eq!(store.account("ada").await.unwrap().unwrap().password_hash, "new");
    }
}
