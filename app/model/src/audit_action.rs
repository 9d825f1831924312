//! The actions of the audit log, shared by the server (which records them) and the
//! console (whose filter offers every one of them).

use serde::{Deserialize, Serialize};

/// What happened. Stored (and filtered, exported) as [`Action::as_str`]; those
/// names are stable: records already written keep them, so a variant is never
/// renamed, only added.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Login,
    /// A refused log-in (wrong password, second factor or throttled).
    LoginFailed,
    Logout,
    AccountCreated,
    AccountChanged,
    AccountInvited,
    RecoveryCodeUsed,
    /// The holder changed their own password.
    PasswordChanged,
    /// A one-time password was set on the server's command line.
    PasswordReset,
    LegalHoldSet,
    LegalHoldLifted,
    FormCreated,
    FormPublished,
    FormArchived,
    FormRestored,
    /// The proof-of-work difficulty of a form was changed.
    SpamProtectionChanged,
    /// Counting a form's funnel was switched on or off.
    FunnelSwitched,
    SubmissionViewed,
    SubmissionsListed,
    /// A download of a form's submissions (what it contained is in the detail).
    SubmissionsExported,
    /// The integrity check of forms, envelopes, receipts and chains was run.
    IntegrityVerified,
    AuditExported,
    AuditVerified,
    RequestRegistered,
    RequestSearched,
    RequestReviewed,
    RequestReported,
    /// A data-subject request's status was changed.
    RequestStatus,
    Erased,
    Rectified,
    LinkCreated,
    LinksImported,
    LinkRevoked,
    LinkExtended,
    LinkOpened,
    LinkSubmitted,
    /// A personal link's QR code was shown.
    LinkQr,
    /// Someone asked for a password-reset mail (sent only if the account has an address).
    PasswordResetRequested,
    /// A password was set through a reset link sent by mail.
    PasswordResetByMail,
    /// Who is told of a form's new submissions was changed.
    NotificationsChanged,
    /// A message was put in the outbox by an operator (a test message).
    MessageQueued,
    /// A message left: the peer accepted it (kind, purpose and form in the detail, never the body).
    MessageSent,
    /// A message could not be delivered and will not be tried again.
    MessageFailed,
    /// An operator sent a failed message again.
    MessageRetried,
    /// An account's e-mail address was set or removed.
    EmailChanged,
    /// A webhook was added to a form (address, events, whether it carries answers).
    WebhookAdded,
    /// A webhook was switched on or off, its answers choice changed, or it got a new secret.
    WebhookChanged,
    /// A webhook was removed.
    WebhookRemoved,
    /// Personal links were sent by mail: queued after the operator confirmed the
    /// check (form, count, language, reminders in the detail; never the texts).
    LinkMailsQueued,
    /// A reminder of an unused personal link was queued (by the reminder job).
    LinkReminderQueued,
    /// A form's template for personal-link mails was changed or reset.
    LinkMailTemplateChanged,
}

impl Action {
    pub const ALL: [Action; 51] = [
        Action::Login,
        Action::LoginFailed,
        Action::Logout,
        Action::AccountCreated,
        Action::AccountChanged,
        Action::AccountInvited,
        Action::RecoveryCodeUsed,
        Action::PasswordChanged,
        Action::PasswordReset,
        Action::LegalHoldSet,
        Action::LegalHoldLifted,
        Action::FormCreated,
        Action::FormPublished,
        Action::FormArchived,
        Action::FormRestored,
        Action::SpamProtectionChanged,
        Action::FunnelSwitched,
        Action::SubmissionViewed,
        Action::SubmissionsListed,
        Action::SubmissionsExported,
        Action::IntegrityVerified,
        Action::AuditExported,
        Action::AuditVerified,
        Action::RequestRegistered,
        Action::RequestSearched,
        Action::RequestReviewed,
        Action::RequestReported,
        Action::RequestStatus,
        Action::Erased,
        Action::Rectified,
        Action::LinkCreated,
        Action::LinksImported,
        Action::LinkRevoked,
        Action::LinkExtended,
        Action::LinkOpened,
        Action::LinkSubmitted,
        Action::LinkQr,
        Action::PasswordResetRequested,
        Action::PasswordResetByMail,
        Action::NotificationsChanged,
        Action::MessageQueued,
        Action::MessageSent,
        Action::MessageFailed,
        Action::MessageRetried,
        Action::EmailChanged,
        Action::WebhookAdded,
        Action::WebhookChanged,
        Action::WebhookRemoved,
        Action::LinkMailsQueued,
        Action::LinkReminderQueued,
        Action::LinkMailTemplateChanged,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Login => "login",
            Action::LoginFailed => "login_failed",
            Action::Logout => "logout",
            Action::AccountCreated => "account_created",
            Action::AccountChanged => "account_changed",
            Action::AccountInvited => "account_invited",
            Action::RecoveryCodeUsed => "recovery_code_used",
            Action::PasswordChanged => "password_changed",
            Action::PasswordReset => "password_reset",
            Action::LegalHoldSet => "legal_hold_set",
            Action::LegalHoldLifted => "legal_hold_lifted",
            Action::FormCreated => "form_created",
            Action::FormPublished => "form_published",
            Action::FormArchived => "form_archived",
            Action::FormRestored => "form_restored",
            Action::SpamProtectionChanged => "spam_protection_changed",
            Action::FunnelSwitched => "funnel_switched",
            Action::SubmissionViewed => "submission_viewed",
            Action::SubmissionsListed => "submissions_listed",
            Action::SubmissionsExported => "submissions_exported",
            Action::IntegrityVerified => "integrity_verified",
            Action::AuditExported => "audit_exported",
            Action::AuditVerified => "audit_verified",
            Action::RequestRegistered => "request_registered",
            Action::RequestSearched => "request_searched",
            Action::RequestReviewed => "request_reviewed",
            Action::RequestReported => "request_reported",
            Action::RequestStatus => "request_status",
            Action::Erased => "erased",
            Action::Rectified => "rectified",
            Action::LinkCreated => "link_created",
            Action::LinksImported => "links_imported",
            Action::LinkRevoked => "link_revoked",
            Action::LinkExtended => "link_extended",
            Action::LinkOpened => "link_opened",
            Action::LinkSubmitted => "link_submitted",
            Action::LinkQr => "link_qr",
            Action::PasswordResetRequested => "password_reset_requested",
            Action::PasswordResetByMail => "password_reset_by_mail",
            Action::NotificationsChanged => "notifications_changed",
            Action::MessageQueued => "message_queued",
            Action::MessageSent => "message_sent",
            Action::MessageFailed => "message_failed",
            Action::MessageRetried => "message_retried",
            Action::EmailChanged => "email_changed",
            Action::WebhookAdded => "webhook_added",
            Action::WebhookChanged => "webhook_changed",
            Action::WebhookRemoved => "webhook_removed",
            Action::LinkMailsQueued => "link_mails_queued",
            Action::LinkReminderQueued => "link_reminder_queued",
            Action::LinkMailTemplateChanged => "link_mail_template_changed",
        }
    }
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stored action name this version does not know.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown audit action {0:?}")]
pub struct UnknownAction(pub String);

impl std::str::FromStr for Action {
    type Err = UnknownAction;

    /// Reads a stored name back.
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        Action::ALL.into_iter().find(|a| a.as_str() == s).ok_or_else(|| UnknownAction(s.to_owned()))
    }
}
