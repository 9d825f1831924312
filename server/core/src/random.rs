use crate::error::{Error, Result};

pub fn bytes<const N: usize>() -> Result<[u8; N]> {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).map_err(|e| Error::Internal(format!("no randomness: {e}")))?;
    Ok(buf)
}

/// A random token, base64url: session tokens, one-time passwords.
pub fn token(len_bytes: usize) -> Result<String> {
    let mut buf = vec![0u8; len_bytes];
    getrandom::fill(&mut buf).map_err(|e| Error::Internal(format!("no randomness: {e}")))?;
    Ok(formseal_model::b64_encode(&buf))
}
