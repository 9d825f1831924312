//! The CSV files Formseal writes (the links after a bulk import, the exports of
//! submissions, the audit log) and the one guard against formula injection they
//! all share. The files are opened in spreadsheets, so every cell goes through
//! [`neutralise`] on its way out: the writer here does it, and no CSV is written
//! any other way. The XLSX export applies the same guard to its text cells.

use std::io;

pub use csv::QuoteStyle;

use crate::error::{Error, Result};

/// Text a spreadsheet could run as a formula (`=`, `+`, `-`, `@` at the start, or a
/// tab or carriage return, which some programs skip before looking) gets a leading
/// apostrophe, so it stays text. Plain numbers (`-5`, `+3.5`) are left alone: they
/// are not formulas, and a sign in front of an amount must survive. The result
/// never starts with a risky character, so guarding twice changes nothing.
pub fn neutralise(text: &str) -> String {
    let risky = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && !is_plain_number(text) { format!("'{text}") } else { text.to_owned() }
}

fn is_plain_number(text: &str) -> bool {
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    let mut parts = body.splitn(2, '.');
    let int = parts.next().unwrap_or("");
    let frac = parts.next();
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

/// A CSV writer that neutralises every cell. CRLF line ends (RFC 4180, and what
/// Excel writes); rows must all have the same number of cells.
pub struct Writer<W: io::Write> {
    inner: csv::Writer<W>,
}

impl<W: io::Write> Writer<W> {
    pub fn new(out: W, delimiter: u8, quote_style: QuoteStyle) -> Self {
        let inner = csv::WriterBuilder::new()
            .delimiter(delimiter)
            .quote_style(quote_style)
            .terminator(csv::Terminator::CRLF)
            .from_writer(out);
        Writer { inner }
    }

    /// Writes one row, each cell neutralised.
    pub fn row<I, T>(&mut self, cells: I) -> Result<()>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<str>,
    {
        self.inner.write_record(cells.into_iter().map(|cell| neutralise(cell.as_ref()))).map_err(failed)
    }

    /// Flushes what is buffered and hands back the output.
    pub fn finish(self) -> Result<W> {
        self.inner.into_inner().map_err(|e| Error::Internal(format!("csv: {e}")))
    }
}

impl Writer<Vec<u8>> {
    /// The file as text (for a `data:` URL or a response body).
    pub fn into_string(self) -> Result<String> {
        String::from_utf8(self.finish()?).map_err(|e| Error::Internal(format!("csv: {e}")))
    }
}

fn failed(e: csv::Error) -> Error {
    Error::Internal(format!("csv: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_dangerous_first_character_is_guarded_and_numbers_kept() {
        for risky in ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "=HYPERLINK(\"x\")", "-", "+", "=", "@"] {
            assert_eq!(neutralise(risky), format!("'{risky}"), "{risky:?}");
        }
        for safe in ["-5", "+49", "12.50", "-3.25", "Ada", "", "a=b", " =1", "'=1"] {
            assert_eq!(neutralise(safe), safe);
        }
        assert_eq!(neutralise(&neutralise("=1+1")), "'=1+1", "guarding twice changes nothing");
    }

    #[test]
    fn the_writer_neutralises_every_cell_and_quotes_as_asked() {
        let mut file = Writer::new(Vec::new(), b',', QuoteStyle::Necessary);
        file.row(["label", "url"]).unwrap();
        file.row(["=cmd|' /C calc'!A0", "a, \"b\"\nc"]).unwrap();
        file.row(["-5", "@x"]).unwrap();
        assert_eq!(file.into_string().unwrap(), "label,url\r\n'=cmd|' /C calc'!A0,\"a, \"\"b\"\"\nc\"\r\n-5,'@x\r\n");

        let mut file = Writer::new(Vec::new(), b';', QuoteStyle::Always);
        file.row(["1", "+x"]).unwrap();
        assert_eq!(file.into_string().unwrap(), "\"1\";\"'+x\"\r\n");
    }

    #[test]
    fn rows_of_different_lengths_are_an_error_not_a_ragged_file() {
        let mut file = Writer::new(Vec::new(), b',', QuoteStyle::Necessary);
        file.row(["a", "b"]).unwrap();
        assert!(file.row(["c"]).is_err());
    }
}
