//! The optional second factor: time-based one-time passwords (RFC 6238, the codes
//! authenticator apps show) via `totp-rs`, and single-use recovery codes.

use formseal_model::{b64_encode, digest};
use qrcode::QrCode;
use qrcode::render::svg;
use totp_rs::{Algorithm, Secret, TOTP};

use crate::error::{Error, Result};
use crate::random;

pub const RECOVERY_CODES: usize = 10;

fn totp(secret_b32: &str, account: &str) -> Result<TOTP> {
    let bytes = Secret::Encoded(secret_b32.to_owned())
        .to_bytes()
        .map_err(|e| Error::Internal(format!("stored TOTP secret: {e:?}")))?;
    // The otpauth label may not contain ':'.
    TOTP::new(Algorithm::SHA1, 6, 1, 30, bytes, Some("Formseal".into()), account.replace(':', "-"))
        .map_err(|e| Error::Internal(format!("TOTP: {e}")))
}

/// A new secret, base32 as authenticator apps take it.
pub fn new_secret() -> Result<String> {
    match Secret::Raw(random::bytes::<20>()?.to_vec()).to_encoded() {
        Secret::Encoded(text) => Ok(text),
        Secret::Raw(_) => Err(Error::Internal("TOTP secret encoding".into())),
    }
}

/// The `otpauth://` link and a QR code of it (SVG) for setting up an app.
pub fn enrolment(secret_b32: &str, account: &str) -> Result<(String, String)> {
    let url = totp(secret_b32, account)?.get_url();
    let code = QrCode::new(url.as_bytes()).map_err(|e| Error::Internal(format!("QR code: {e}")))?;
    let image = code.render::<svg::Color>().min_dimensions(200, 200).quiet_zone(true).build();
    Ok((url, image))
}

/// Whether `code` is the current one (one 30-second step of clock skew allowed).
pub fn code_matches(secret_b32: &str, account: &str, code: &str) -> bool {
    let code: String = code.chars().filter(char::is_ascii_digit).collect();
    code.len() == 6 && totp(secret_b32, account).is_ok_and(|t| t.check_current(&code).unwrap_or(false))
}

/// New recovery codes (shown once) and the hashes that are stored.
pub fn recovery_codes() -> Result<(Vec<String>, Vec<String>)> {
    let mut codes = Vec::with_capacity(RECOVERY_CODES);
    for _ in 0..RECOVERY_CODES {
        let raw = random::token(9)?.to_lowercase().replace(['-', '_'], "x");
        codes.push(format!("{}-{}-{}", &raw[..4], &raw[4..8], &raw[8..12]));
    }
    let hashes = codes.iter().map(|c| recovery_hash(c)).collect();
    Ok((codes, hashes))
}

/// Recovery codes are random (about 60 bits), so a plain hash suffices.
pub fn recovery_hash(code: &str) -> String {
    let normal: String = code.trim().to_lowercase().chars().filter(|c| !c.is_whitespace()).collect();
    b64_encode(&digest(normal.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_from_the_secret_match_and_others_do_not() {
        let secret = new_secret().unwrap();
        let current = totp(&secret, "ada").unwrap().generate_current().unwrap();
        assert!(code_matches(&secret, "ada", &current));
        assert!(code_matches(&secret, "ada", &format!("{} {}", &current[..3], &current[3..])));
        let wrong = format!("{:06}", (current.parse::<u32>().unwrap() + 1) % 1_000_000);
        assert!(!code_matches(&secret, "ada", &wrong));
        assert!(!code_matches(&secret, "ada", "12345"));
        let (url, svg) = enrolment(&secret, "ada:x").unwrap();
        assert!(url.starts_with("otpauth://totp/Formseal:ada-x?") && url.contains(&secret), "{url}");
        assert!(svg.contains("<svg"));
    }

    #[test]
    fn recovery_codes_are_distinct_and_hashed_loosely() {
        let (codes, hashes) = recovery_codes().unwrap();
        assert_eq!(codes.len(), RECOVERY_CODES);
        assert_eq!(hashes[0], recovery_hash(&format!("  {}  ", codes[0].to_uppercase())));
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), codes.len());
    }
}
