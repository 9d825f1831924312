//! The instance signing keys. Kept as files in the data directory, outside the
//! database, so a database dump alone cannot forge receipts.
//!
//! `keys/<created-unix-ms>.key` holds a 32-byte ed25519 seed, base64url, mode 0600.
//! The newest file is the active key; older ones stay listed for verification.
//!
//! Replicas behind a load balancer share one key directory (`--key-dir`, e.g. a
//! read-only mounted secret or a shared volume): every replica must sign with the
//! same key, and verify what the others signed. Creating the first key takes an
//! exclusive lock on `keys/.lock`, so replicas starting together on an empty
//! shared directory agree on one key.

use std::fs;
use std::io::Write as _;
use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};

use ed25519_dalek::{SigningKey, VerifyingKey};
use formseal_model::{b64_decode, b64_encode, key_id};
use serde::Serialize;

use crate::error::{Error, Result};

pub struct InstanceKey {
    pub id: String,
    pub created_ms: i64,
    signing: SigningKey,
}

impl InstanceKey {
    pub fn signing_key(&self) -> &SigningKey {
        &self.signing
    }
    pub fn verifying_key(&self) -> VerifyingKey {
        self.signing.verifying_key()
    }
}

// Keep the seed out of any Debug output, logs included.
impl std::fmt::Debug for InstanceKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InstanceKey").field("id", &self.id).finish_non_exhaustive()
    }
}

pub struct KeyRing {
    /// Oldest first; the last one signs.
    keys: Vec<InstanceKey>,
    /// The key of the person index's keyed hashes (see [`crate::person_index`]).
    search_secret: [u8; 32],
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyRing").field("keys", &self.keys).finish_non_exhaustive()
    }
}

/// One entry of `/.well-known/formseal-keys.json`.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct PublicKeyEntry {
    pub id: String,
    pub algorithm: &'static str,
    pub public_key: String,
    pub created: String,
    pub active: bool,
}

impl KeyRing {
    /// Loads the keys under `data_dir/keys`, creating the first one if there is none.
    pub fn load_or_create(data_dir: &Path) -> Result<Self> {
        Self::load_or_create_in(&data_dir.join("keys"))
    }

    /// Loads the keys in `dir` (a key directory itself, e.g. shared by replicas),
    /// creating the first key and the search secret if they are missing.
    pub fn load_or_create_in(dir: &Path) -> Result<Self> {
        let dir = dir.to_owned();
        fs::create_dir_all(&dir).map_err(|e| io_error(&dir, e))?;
        let secret_path = dir.join(SEARCH_SECRET);
        let keys = read_keys(&dir)?;
        if !keys.is_empty() && secret_path.exists() {
            let search_secret = load_or_create_secret(&secret_path)?;
            return Ok(KeyRing { keys, search_secret });
        }
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).map_err(|e| io_error(&dir, e))?;
        // Several replicas may start at once on an empty shared directory: the first
        // to hold the lock creates the key and secret, the others find them.
        let lock_path = dir.join(".lock");
        let lock = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .mode(0o600)
            .open(&lock_path)
            .map_err(|e| io_error(&lock_path, e))?;
        lock.lock().map_err(|e| io_error(&lock_path, e))?;
        let mut keys = read_keys(&dir)?;
        if keys.is_empty() {
            keys.push(create_key(&dir)?);
            tracing::info!(key = %keys[0].id, "created the instance signing key");
        }
        let search_secret = load_or_create_secret(&secret_path)?;
        drop(lock);
        Ok(KeyRing { keys, search_secret })
    }

    /// A ring with one key that lives only in memory (tests, `mem://` demos).
    pub fn ephemeral() -> Result<Self> {
        Ok(KeyRing {
            keys: vec![new_key(chrono::Utc::now().timestamp_millis())?],
            search_secret: crate::random::bytes::<32>()?,
        })
    }

    /// The secret of the person index. Replicas must share it (it lives beside the
    /// signing keys); a new secret makes every stored search token unfindable.
    pub fn search_secret(&self) -> &[u8; 32] {
        &self.search_secret
    }

    /// The key that seals the secrets of personal links kept for reminders (see
    /// [`crate::links::sealed`]).
    pub fn link_seal_key(&self) -> Result<[u8; 32]> {
        self.derived_key(&[b"formseal link secret seal v1"])
    }

    /// A key of its own for one purpose: HMAC-SHA-256 of the search secret over
    /// `parts` (a purpose label first), so it lives beside the instance keys (never
    /// in the database), replicas share it, and it is no other key.
    pub fn derived_key(&self, parts: &[&[u8]]) -> Result<[u8; 32]> {
        use hmac::{Hmac, Mac as _};
        let mut mac = <Hmac<sha2::Sha256> as hmac::Mac>::new_from_slice(&self.search_secret)
            .map_err(|e| Error::Internal(format!("derived key: {e}")))?;
        for part in parts {
            mac.update(part);
        }
        let mut key = [0u8; 32];
        key.copy_from_slice(&mac.finalize().into_bytes());
        Ok(key)
    }

    pub fn active(&self) -> &InstanceKey {
        // A ring is never empty: both constructors put a key in.
        &self.keys[self.keys.len() - 1]
    }

    /// Every key, oldest first (the last one signs).
    pub fn all(&self) -> impl Iterator<Item = &InstanceKey> {
        self.keys.iter()
    }

    pub fn find(&self, id: &str) -> Option<&InstanceKey> {
        self.keys.iter().find(|k| k.id == id)
    }

    pub fn public_entries(&self) -> Vec<PublicKeyEntry> {
        let active = self.active().id.clone();
        self.keys
            .iter()
            .map(|k| PublicKeyEntry {
                id: k.id.clone(),
                algorithm: "ed25519",
                public_key: b64_encode(k.verifying_key().as_bytes()),
                created: crate::time::rfc3339_ms(k.created_ms),
                active: k.id == active,
            })
            .collect()
    }
}

fn io_error(path: &Path, e: std::io::Error) -> Error {
    Error::Unavailable(format!("key store {}: {e}", path.display()))
}

fn new_key(created_ms: i64) -> Result<InstanceKey> {
    let seed = crate::random::bytes::<32>()?;
    let signing = SigningKey::from_bytes(&seed);
    Ok(InstanceKey { id: key_id(&signing.verifying_key()), created_ms, signing })
}

fn create_key(dir: &Path) -> Result<InstanceKey> {
    let key = new_key(chrono::Utc::now().timestamp_millis())?;
    let path = dir.join(format!("{}.key", key.created_ms));
    // Written under another name and renamed when complete: a replica starting at
    // the same moment reads the key directory before it takes the lock, and must
    // never find a key file that is still empty.
    let partial = dir.join(format!("{}.key.partial", key.created_ms));
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&partial)
        .map_err(|e| io_error(&partial, e))?;
    file.write_all(b64_encode(key.signing.as_bytes()).as_bytes()).map_err(|e| io_error(&partial, e))?;
    file.sync_all().map_err(|e| io_error(&partial, e))?;
    fs::rename(&partial, &path).map_err(|e| io_error(&path, e))?;
    // The new name must survive a crash too.
    fs::File::open(dir).and_then(|d| d.sync_all()).map_err(|e| io_error(dir, e))?;
    Ok(key)
}

/// File name of the person index's secret in the key directory.
const SEARCH_SECRET: &str = "search.secret";

fn load_or_create_secret(path: &Path) -> Result<[u8; 32]> {
    match fs::read_to_string(path) {
        Ok(text) => b64_decode(text.trim())
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| Error::Unavailable(format!("{} is not a base64url 32-byte secret", path.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let secret = crate::random::bytes::<32>()?;
            let mut file = fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path)
                .map_err(|e| io_error(path, e))?;
            file.write_all(b64_encode(&secret).as_bytes()).map_err(|e| io_error(path, e))?;
            file.sync_all().map_err(|e| io_error(path, e))?;
            tracing::info!("created the person index secret");
            Ok(secret)
        }
        Err(e) => Err(io_error(path, e)),
    }
}

fn read_keys(dir: &Path) -> Result<Vec<InstanceKey>> {
    let mut paths: Vec<(i64, PathBuf)> = Vec::new();
    for entry in fs::read_dir(dir).map_err(|e| io_error(dir, e))? {
        let path = entry.map_err(|e| io_error(dir, e))?.path();
        let created = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".key"))
            .and_then(|n| n.parse::<i64>().ok());
        if let Some(created) = created {
            paths.push((created, path));
        }
    }
    paths.sort();
    paths
        .into_iter()
        .map(|(created_ms, path)| {
            let text = fs::read_to_string(&path).map_err(|e| io_error(&path, e))?;
            let seed: [u8; 32] = b64_decode(text.trim()).and_then(|b| b.try_into().ok()).ok_or_else(|| {
                Error::Unavailable(format!("key file {} is not a base64url ed25519 seed", path.display()))
            })?;
            let signing = SigningKey::from_bytes(&seed);
            Ok(InstanceKey { id: key_id(&signing.verifying_key()), created_ms, signing })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_is_created_once_with_private_mode_and_reloaded() {
        let dir = tempfile::tempdir().unwrap();
        let first = KeyRing::load_or_create(dir.path()).unwrap();
        let again = KeyRing::load_or_create(dir.path()).unwrap();
        assert_eq!(first.active().id, again.active().id);
        let files: Vec<_> = fs::read_dir(dir.path().join("keys"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.file_name().is_some_and(|n| n != ".lock"))
            .collect();
        assert_eq!(files.len(), 2, "the signing key and the search secret");
        for file in &files {
            assert_eq!(fs::metadata(file).unwrap().permissions().mode() & 0o777, 0o600);
        }
        assert_eq!(first.search_secret(), again.search_secret());
        let entries = again.public_entries();
        assert_eq!(entries.len(), 1);
        assert!(entries[0].active);
        assert_eq!(b64_decode(&entries[0].public_key).unwrap(), first.active().verifying_key().as_bytes());
        assert!(!format!("{:?}", first).contains(&b64_encode(first.active().signing_key().as_bytes())));
    }

    #[test]
    fn replicas_starting_together_on_one_key_dir_share_one_key() {
        let dir = tempfile::tempdir().unwrap();
        let shared = dir.path().join("shared-keys");
        let rings: Vec<KeyRing> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8).map(|_| s.spawn(|| KeyRing::load_or_create_in(&shared).unwrap())).collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let first = rings[0].active().id.clone();
        assert!(rings.iter().all(|r| r.active().id == first && r.public_entries().len() == 1));
        assert!(rings.iter().all(|r| r.search_secret() == rings[0].search_secret()));
        let keys = fs::read_dir(&shared)
            .unwrap()
            .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "key"));
        assert_eq!(keys.count(), 1);
    }
}
