//! The words of the mails the instance sends, in one place. Every mail has a plain
//! text part (what many privacy-minded readers show) and, where it helps, a simple
//! HTML part with the same content; values are escaped there.

use formseal_model::copy::escape;

/// A mail's subject and parts.
#[derive(Clone)]
pub struct MailText {
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
}

/// Paragraphs of plain text as HTML; a paragraph that is a link becomes one.
fn html(paragraphs: &[String]) -> String {
    let body: String = paragraphs
        .iter()
        .map(|p| {
            if p.starts_with("https://") || p.starts_with("http://") {
                format!("<p><a href=\"{0}\">{0}</a></p>\n", escape(p))
            } else {
                format!("<p>{}</p>\n", escape(p).replace('\n', "<br>\n"))
            }
        })
        .collect();
    html_page(&body)
}

/// The frame of every HTML part around its (escaped) paragraphs.
pub(crate) fn html_page(body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html><body style=\"font-family: sans-serif; line-height: 1.5; max-width: 40em\">\n{body}</body></html>\n"
    )
}

fn mail(subject: String, paragraphs: Vec<String>) -> MailText {
    MailText { subject, text: paragraphs.join("\n\n") + "\n", html: Some(html(&paragraphs)) }
}

pub fn password_reset(username: &str, console: &str, link: &str, minutes: i64) -> MailText {
    mail(
        "Reset your Formseal password".to_owned(),
        vec![
            format!("Someone asked to reset the password of the console account \"{username}\" at {console}."),
            format!("To choose a new password, open this link within {minutes} minutes. It works once:"),
            link.to_owned(),
            "If you did not ask for this, ignore this mail: your password stays as it is. After a reset, every \
             session of the account ends, and logging in still asks for your second factor if you set one up."
                .to_owned(),
        ],
    )
}

pub fn invitation(username: &str, invited_by: &str, role: &str, console: &str, link: &str, hours: i64) -> MailText {
    mail(
        "Your invitation to Formseal".to_owned(),
        vec![
            format!(
                "{invited_by} invited you to the Formseal console at {console}, as {role}, with the user name \"{username}\"."
            ),
            format!("To choose your password and start, open this link within {hours} hours. It works once:"),
            link.to_owned(),
            "If you did not expect this, ignore this mail: without the link nobody can use the account.".to_owned(),
        ],
    )
}

pub fn test_message(console: &str, by: &str, at: &str) -> MailText {
    mail(
        "Formseal test message".to_owned(),
        vec![
            format!("This is a test message from the Formseal instance at {console}, sent by {by} at {at} UTC."),
            "If you can read it, mail from this instance arrives.".to_owned(),
        ],
    )
}

/// A new submission: no answer at all unless `plain` (the answers classed "not
/// personal", label and text) is given.
pub fn submission_notice(
    title: &str,
    received: &str,
    submission_id: &str,
    sequence: u64,
    link: &str,
    plain: Option<&[(String, String)]>,
) -> MailText {
    let mut paragraphs = vec![
        format!("A new submission of the form \"{title}\" arrived at {received} UTC."),
        format!("Receipt {submission_id}, number {sequence} of this form. To see it, log in to the console:"),
        link.to_owned(),
    ];
    match plain {
        Some(answers) if !answers.is_empty() => {
            let lines: Vec<String> = answers.iter().map(|(label, value)| format!("{label}: {value}")).collect();
            paragraphs.push(format!("Answers not classed as personal data:\n{}", lines.join("\n")));
        }
        _ => paragraphs.push("This mail holds no answer; the console shows them to those allowed to see them.".into()),
    }
    paragraphs.push(
        "You get this mail because you are on the form's notification list. Someone who designs the form can \
         take you off it."
            .into(),
    );
    mail(format!("New submission: {title}"), paragraphs)
}

/// The day's count of a form's submissions (never an answer).
pub fn digest(title: &str, day: &str, count: u64, link: &str) -> MailText {
    let what = if count == 1 { "1 new submission".to_owned() } else { format!("{count} new submissions") };
    mail(
        format!("{what}: {title} ({day})"),
        vec![
            format!("The form \"{title}\" received {what} on {day} (UTC). To see them, log in to the console:"),
            link.to_owned(),
            "This mail holds no answer. You get it once a day, on days with submissions, because you are on the \
             form's notification list; someone who designs the form can take you off it or switch to a mail for \
             each submission."
                .into(),
        ],
    )
}

/// The template of personal-link mails a form has until someone edits it: subject
/// and text, with the variables of [`crate::links::template::VARIABLES`]. German
/// for `de`, English for every other language (until it has its own here).
pub fn link_mail_template(lang: &str) -> (&'static str, &'static str) {
    match lang {
        "de" => (
            "Ihr persönlicher Link: {form}",
            "Guten Tag {recipient},\n\n\
             {controller} bittet Sie, das Formular „{form}“ auszufüllen. Dieser Link ist nur für Sie bestimmt:\n\n\
             {link}\n\n\
             Er gilt bis {expires}. Bitte geben Sie ihn nicht weiter.\n\n\
             Diese Nachricht wurde im Auftrag von {controller} versandt.",
        ),
        _ => (
            "Your personal link: {form}",
            "Hello {recipient},\n\n\
             {controller} asks you to fill in the form \"{form}\". This link is for you alone:\n\n\
             {link}\n\n\
             It works until {expires}. Please do not pass it on.\n\n\
             This message was sent on behalf of {controller}.",
        ),
    }
}

/// A reminder's subject: the mail's own, marked as a reminder.
pub fn reminder_subject(lang: &str, subject: &str) -> String {
    match lang {
        "de" => format!("Erinnerung: {subject}"),
        _ => format!("Reminder: {subject}"),
    }
}

/// When a personal link ends, as a mail to its recipient says it.
pub fn link_expires(lang: &str, ms: i64) -> String {
    use chrono::TimeZone as _;
    let Some(at) = chrono::Utc.timestamp_millis_opt(ms).single() else { return String::new() };
    match lang {
        "de" => at.format("%d.%m.%Y, %H:%M Uhr (UTC)").to_string(),
        _ => at.format("%Y-%m-%d %H:%M UTC").to_string(),
    }
}

/// What a preview shows where the personal link will be: each link is made (with
/// its secret) only when the operator confirms the sending.
pub fn link_placeholder(public_url: &str) -> String {
    format!("{public_url}/f/(the personal link, made when the mail is sent)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped_in_the_html_part_and_links_are_links() {
        let m = submission_notice("<b>Quote</b>", "2026-12-03 10:00", "s1", 7, "https://forms.example.org/admin", None);
        let html = m.html.unwrap();
        assert!(html.contains("&lt;b&gt;Quote&lt;/b&gt;") && !html.contains("<b>Quote"), "{html}");
        assert!(html.contains("<a href=\"https://forms.example.org/admin\">"), "{html}");
        assert!(m.text.contains("\"<b>Quote</b>\"") && m.text.contains("holds no answer"), "{}", m.text);
        let plain = [("Topic".to_owned(), "Billing".to_owned())];
        let m = submission_notice("Q", "t", "s1", 7, "https://x", Some(&plain));
        assert!(m.text.contains("Topic: Billing"), "{}", m.text);
    }
}
