//! The template of a form's personal-link mails: a subject and a plain text with
//! `{variables}`, one per language of the form. The HTML part is made from the
//! text (escaped, the link clickable), so there is one text to write and check.

use formseal_model::copy::escape;
use serde::{Deserialize, Serialize};

use crate::texts::{self, MailText};

/// What a template may say, and nothing else: `{recipient}` (the link's label, or
/// the address when it has none), `{link}`, `{expires}`, `{controller}` (the
/// form's controller), `{form}` (the form's title).
pub const VARIABLES: [&str; 5] = ["recipient", "link", "expires", "controller", "form"];
/// Longest subject taken (characters).
pub const MAX_SUBJECT: usize = 200;
/// Longest text taken (characters).
pub const MAX_TEXT: usize = 10_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    pub subject: String,
    pub text: String,
}

impl Template {
    /// The default of `lang` (see [`texts::link_mail_template`]).
    pub fn default_for(lang: &str) -> Template {
        let (subject, text) = texts::link_mail_template(lang);
        Template { subject: subject.to_owned(), text: text.to_owned() }
    }
}

/// The values of one mail.
#[derive(Debug, Clone, Copy)]
pub struct Values<'a> {
    pub recipient: &'a str,
    pub link: &'a str,
    pub expires: &'a str,
    pub controller: &'a str,
    pub form: &'a str,
}

impl Values<'_> {
    fn get(&self, name: &str) -> Option<&str> {
        Some(match name {
            "recipient" => self.recipient,
            "link" => self.link,
            "expires" => self.expires,
            "controller" => self.controller,
            "form" => self.form,
            _ => return None,
        })
    }
}

enum Piece<'a> {
    Text(&'a str),
    /// What stood between the braces.
    Variable(&'a str),
}

/// The text cut into plain runs and `{name}`s. A brace closed before any space or
/// another brace opens a variable; a lone `{` is text.
fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let end = after.find(|c: char| c == '}' || c == '{' || c.is_whitespace());
        match end {
            Some(close) if after[close..].starts_with('}') => {
                if open > 0 {
                    out.push(Piece::Text(&rest[..open]));
                }
                out.push(Piece::Variable(&after[..close]));
                rest = &after[close + 1..];
            }
            _ => {
                out.push(Piece::Text(&rest[..=open]));
                rest = after;
            }
        }
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
    out
}

/// The variables of `text` that are not in [`VARIABLES`], each once, in order.
fn unknown(text: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for piece in pieces(text) {
        if let Piece::Variable(name) = piece
            && !VARIABLES.contains(&name)
            && !found.iter().any(|f| f == name)
        {
            found.push(name.to_owned());
        }
    }
    found
}

fn uses(text: &str, variable: &str) -> bool {
    pieces(text).iter().any(|p| matches!(p, Piece::Variable(name) if *name == variable))
}

/// Problems of a template, each a sentence starting with the part it is about
/// (`subject: …`, `text: …`); empty when it can be used.
pub fn check(template: &Template) -> Vec<String> {
    let known = VARIABLES.map(|v| format!("{{{v}}}")).join(", ");
    let mut problems = Vec::new();
    for (part, value, max) in [("subject", &template.subject, MAX_SUBJECT), ("text", &template.text, MAX_TEXT)] {
        if value.trim().is_empty() {
            problems.push(format!("{part}: must not be empty"));
        }
        if value.chars().count() > max {
            problems.push(format!("{part}: at most {max} characters"));
        }
        for name in unknown(value) {
            problems.push(format!("{part}: {{{name}}} is not a variable; the variables are {known}"));
        }
    }
    if template.subject.contains(['\r', '\n']) {
        problems.push("subject: must be one line".into());
    }
    if !uses(&template.text, "link") {
        problems.push("text: must contain {link}, the personal link itself".into());
    }
    problems
}

fn fill(text: &str, values: &Values<'_>) -> String {
    pieces(text)
        .into_iter()
        .map(|piece| match piece {
            Piece::Text(t) => t.to_owned(),
            Piece::Variable(name) => values.get(name).map_or_else(|| format!("{{{name}}}"), str::to_owned),
        })
        .collect()
}

/// The mail of one recipient: subject and text filled in, and an HTML part made
/// from the text (every value escaped, the link a link).
pub fn render(template: &Template, values: &Values<'_>) -> MailText {
    // A label from a CSV cell may hold a line break: a subject is one line.
    let subject = fill(&template.subject, values).split_whitespace().collect::<Vec<_>>().join(" ");
    let text = fill(&template.text, values).replace("\r\n", "\n");
    let link = escape(values.link);
    let anchor = format!("<a href=\"{link}\">{link}</a>");
    let body: String = text
        .split("\n\n")
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            let escaped = escape(p.trim_matches('\n'));
            let linked = if link.is_empty() { escaped } else { escaped.replace(&link, &anchor) };
            format!("<p>{}</p>\n", linked.replace('\n', "<br>\n"))
        })
        .collect();
    MailText { subject, text: format!("{}\n", text.trim_end()), html: Some(texts::html_page(&body)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALUES: Values<'static> = Values {
        recipient: "Mrs <Meier>",
        link: "https://forms.example.org/f/abc#s3cr&t",
        expires: "2027-01-03 17:55 UTC",
        controller: "Example & Sons",
        form: "Claim",
    };

    #[test]
    fn variables_are_filled_and_the_html_part_escapes_and_links() {
        let template = Template {
            subject: "Your link: {form}".into(),
            text: "Hello {recipient},\n\n{link}\n\nUntil {expires}, {controller}. {x".into(),
        };
        assert!(check(&template).is_empty(), "{:?}", check(&template));
        let mail = render(&template, &VALUES);
        assert_eq!(mail.subject, "Your link: Claim");
        assert_eq!(
            mail.text,
            "Hello Mrs <Meier>,\n\nhttps://forms.example.org/f/abc#s3cr&t\n\nUntil 2027-01-03 17:55 UTC, Example & Sons. {x\n"
        );
        let html = mail.html.unwrap();
        assert!(html.contains("<p>Hello Mrs &lt;Meier&gt;,</p>"), "{html}");
        assert!(
            html.contains(
                "<a href=\"https://forms.example.org/f/abc#s3cr&amp;t\">https://forms.example.org/f/abc#s3cr&amp;t</a>"
            ),
            "{html}"
        );
        assert!(html.contains("Example &amp; Sons") && !html.contains("<Meier>"), "{html}");
    }

    #[test]
    fn unknown_variables_are_refused_part_by_part() {
        let template = Template { subject: "Hi {name}".into(), text: "{kunde} {link} {kunde} {}".into() };
        let problems = check(&template);
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].starts_with("subject: {name} is not a variable; the variables are {recipient}, {link}"));
        assert!(problems[1].starts_with("text: {kunde} is not a variable"), "{problems:?}");
        assert!(problems[2].starts_with("text: {} is not a variable"), "{problems:?}");
        let problems = check(&Template { subject: String::new(), text: "no link here".into() });
        assert_eq!(problems, vec!["subject: must not be empty", "text: must contain {link}, the personal link itself"]);
        let problems = check(&Template { subject: "a\nb".into(), text: "{link}".into() });
        assert_eq!(problems, vec!["subject: must be one line"]);
    }

    #[test]
    fn a_subject_stays_one_line_whatever_the_label_holds() {
        let template = Template { subject: "For {recipient}".into(), text: "{link}".into() };
        let values = Values { recipient: "Line one\r\nBcc: someone@example.org", ..VALUES };
        assert_eq!(render(&template, &values).subject, "For Line one Bcc: someone@example.org");
    }

    #[test]
    fn the_defaults_are_valid_and_use_every_variable() {
        for lang in ["en", "de", "fr"] {
            let template = Template::default_for(lang);
            assert!(check(&template).is_empty(), "{lang}: {:?}", check(&template));
            let mail = render(&template, &VALUES);
            for value in ["Mrs <Meier>", "https://forms.example.org/f/abc#s3cr&t", "2027-01-03", "Example & Sons"] {
                assert!(mail.text.contains(value), "{lang}: {value} missing in {}", mail.text);
            }
            assert!(mail.subject.contains("Claim"), "{lang}");
        }
        assert!(Template::default_for("de").text.contains("Guten Tag"));
    }
}
