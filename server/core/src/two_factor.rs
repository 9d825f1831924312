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
    // The otpauth label may not contain ':'. Skew 0: [`matching_step`] looks at the
    // neighbouring steps itself, to know which one matched.
    TOTP::new(Algorithm::SHA1, 6, 0, STEP_SECONDS, bytes, Some("Formseal".into()), account.replace(':', "-"))
        .map_err(|e| Error::Internal(format!("TOTP: {e}")))
}

const STEP_SECONDS: u64 = 30;

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

/// The time step (`unix seconds / 30`) whose code `code` is, if it is the current
/// one or a neighbour (one step of clock skew either way), compared in constant time.
pub fn matching_step(secret_b32: &str, account: &str, code: &str, now_ms: i64) -> Option<i64> {
    let code: String = code.chars().filter(char::is_ascii_digit).collect();
    if code.len() != 6 {
        return None;
    }
    let totp = totp(secret_b32, account).ok()?;
    let now = u64::try_from(now_ms / 1000).ok()?;
    let current = now / STEP_SECONDS;
    [current.saturating_sub(1), current, current + 1]
        .into_iter()
        .find(|step| totp.check(&code, step * STEP_SECONDS))
        .and_then(|step| i64::try_from(step).ok())
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
    fn codes_from_the_secret_match_their_step_and_others_do_not() {
        let secret = new_secret().unwrap();
        let now_ms = 1_800_000_000_000_i64;
        let at = |seconds: i64| totp(&secret, "ada").unwrap().generate(u64::try_from(seconds).unwrap());
        let step = now_ms / 1000 / 30;
        let current = at(now_ms / 1000);
        assert_eq!(matching_step(&secret, "ada", &current, now_ms), Some(step));
        assert_eq!(matching_step(&secret, "ada", &format!("{} {}", &current[..3], &current[3..]), now_ms), Some(step));
        // One step of clock skew either way, each named by its own step.
        assert_eq!(matching_step(&secret, "ada", &at(now_ms / 1000 - 30), now_ms), Some(step - 1));
        assert_eq!(matching_step(&secret, "ada", &at(now_ms / 1000 + 30), now_ms), Some(step + 1));
        assert_eq!(matching_step(&secret, "ada", &at(now_ms / 1000 - 90), now_ms), None);
        let wrong = format!("{:06}", (current.parse::<u32>().unwrap() + 1) % 1_000_000);
        assert!(matching_step(&secret, "ada", &wrong, now_ms).is_none() || wrong == at(now_ms / 1000 + 30));
        assert_eq!(matching_step(&secret, "ada", "12345", now_ms), None);
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
