//! Roles and what each may do: the one permission matrix. Every server function
//! and handler asks [`Operator::require`] (and, for one form's data,
//! [`Operator::form_access`]); hiding a button is never the check.
//!
//! The matrix is written out for people in docs/permissions.md; a test compares
//! both and calls every server function as every role.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Shared with the console's pages (they are built without the server).
pub use formseal_model::Role;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// See the list of forms (partners: their assigned forms).
    ViewForms,
    /// See submissions (partners: of assigned forms, compact unless granted).
    ViewSubmissions,
    /// See personal and special-category answers in full.
    ViewPersonalData,
    /// Create, design, publish, archive forms.
    DesignForms,
    /// Invite people, change roles and form assignments, disable accounts.
    ManageAccounts,
    /// Rotate the instance signing keys.
    ManageKeys,
    /// Read, filter, verify and export the audit log.
    ViewAudit,
    /// Access requests, erasure, rectification; retention overview and legal holds.
    HandleRequests,
    /// Create personal links (with prefill), revoke and extend them.
    ManageLinks,
    /// See every message the instance sends (the outbox), send them again, send a
    /// test message.
    ManageMessages,
}

impl Permission {
    pub const ALL: [Permission; 10] = [
        Permission::ViewForms,
        Permission::ViewSubmissions,
        Permission::ViewPersonalData,
        Permission::DesignForms,
        Permission::ManageAccounts,
        Permission::ManageKeys,
        Permission::ViewAudit,
        Permission::HandleRequests,
        Permission::ManageLinks,
        Permission::ManageMessages,
    ];
}

/// The matrix.
pub fn allows(role: Role, permission: Permission) -> bool {
    use Permission::*;
    use Role::*;
    match permission {
        ViewForms | ViewSubmissions => true,
        ViewPersonalData => matches!(role, Owner | Admin | Editor | Viewer | Dpo),
        DesignForms => matches!(role, Owner | Admin | Editor),
        ManageAccounts => matches!(role, Owner | Admin),
        ManageKeys => role == Owner,
        ViewAudit | HandleRequests => matches!(role, Owner | Dpo),
        // Those who handle a form's submissions; partners for their assigned forms.
        ManageLinks => matches!(role, Owner | Admin | Editor | Dpo | Partner),
        // Those who run the instance and its accounts (invitations go out by mail).
        ManageMessages => matches!(role, Owner | Admin),
    }
}

/// How much of one form's submissions an operator sees; what each shows is the
/// model's one rule (`formseal_model::reader`).
pub use formseal_model::reader::FormAccess;

/// A logged-in operator, as every server function sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operator {
    pub username: String,
    pub role: Role,
    /// Partners: the forms assigned to them.
    pub forms: Vec<String>,
    /// Partners: the assigned forms whose personal data they may see.
    pub personal_forms: Vec<String>,
}

impl Operator {
    pub fn can(&self, permission: Permission) -> bool {
        allows(self.role, permission)
    }

    pub fn require(&self, permission: Permission) -> Result<()> {
        if self.can(permission) { Ok(()) } else { Err(Error::Forbidden) }
    }

    /// Whether this operator may give `role` to an account (their own included):
    /// only a role whose every permission they hold themselves, so nobody hands out
    /// more than they have (an admin makes no owner and no DPO).
    pub fn may_grant(&self, role: Role) -> bool {
        Permission::ALL.into_iter().all(|p| !allows(role, p) || self.can(p))
    }

    /// Whether this operator sees form `form_id` at all. A form a partner is not
    /// assigned is answered as if it did not exist (404), so ids cannot be probed.
    pub fn sees_form(&self, form_id: &str) -> bool {
        self.role != Role::Partner || self.forms.iter().any(|f| f == form_id)
    }

    /// How this operator may see the submissions of `form_id`.
    pub fn form_access(&self, form_id: &str) -> Result<FormAccess> {
        self.require(Permission::ViewSubmissions)?;
        if !self.sees_form(form_id) {
            return Err(Error::NotFound("form"));
        }
        let full = self.can(Permission::ViewPersonalData) || self.personal_forms.iter().any(|f| f == form_id);
        Ok(if full { FormAccess::Full } else { FormAccess::Compact })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn partner() -> Operator {
        Operator {
            username: "agency".into(),
            role: Role::Partner,
            forms: vec!["a".into(), "b".into()],
            personal_forms: vec!["b".into()],
        }
    }

    #[test]
    fn partners_see_assigned_forms_compact_unless_granted() {
        let p = partner();
        assert_eq!(p.form_access("a").unwrap(), FormAccess::Compact);
        assert_eq!(p.form_access("b").unwrap(), FormAccess::Full);
        assert!(matches!(p.form_access("c"), Err(Error::NotFound(_))));
        assert!(!p.sees_form("c"));
        assert!(p.require(Permission::DesignForms).is_err());
    }

    #[test]
    fn only_the_owner_manages_keys_and_roles_parse() {
        for role in Role::ALL {
            assert_eq!(allows(role, Permission::ManageKeys), role == Role::Owner);
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn nobody_grants_a_permission_they_lack() {
        let admin = Operator { username: "ad".into(), role: Role::Admin, forms: vec![], personal_forms: vec![] };
        let owner = Operator { role: Role::Owner, ..admin.clone() };
        for role in Role::ALL {
            assert!(owner.may_grant(role), "{role}");
        }
        assert!(!admin.may_grant(Role::Owner) && !admin.may_grant(Role::Dpo));
        for role in [Role::Admin, Role::Editor, Role::Viewer, Role::Partner] {
            assert!(admin.may_grant(role), "{role}");
        }
    }
}
