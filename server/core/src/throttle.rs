//! Log-in throttling: after too many failures for one account or from one address
//! within a window, further attempts are refused until the window ends, with the
//! same answer whether or not the account exists.
//!
//! Kept in this process: with several replicas each counts on its own, so the
//! effective limit is the per-replica limit times the replicas.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

pub const WINDOW_MS: i64 = 15 * 60 * 1000;
pub const MAX_PER_ACCOUNT: u32 = 5;
pub const MAX_PER_ADDRESS: u32 = 20;
/// Entries kept at most; the oldest windows go first.
const MAX_ENTRIES: usize = 100_000;

#[derive(Default)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<String, (u32, i64)>>,
}

fn keys(username: &str, ip: Option<IpAddr>) -> Vec<(String, u32)> {
    let mut keys = vec![(format!("user:{}", username.to_lowercase()), MAX_PER_ACCOUNT)];
    if let Some(ip) = ip {
        keys.push((format!("ip:{ip}"), MAX_PER_ADDRESS));
    }
    keys
}

impl LoginThrottle {
    /// Seconds to wait before another attempt, if this one must be refused.
    pub fn blocked_for(&self, username: &str, ip: Option<IpAddr>, now_ms: i64) -> Option<u64> {
        let map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        keys(username, ip)
            .into_iter()
            .filter_map(|(key, max)| {
                let (count, start) = *map.get(&key)?;
                let left = start + WINDOW_MS - now_ms;
                (count >= max && left > 0).then(|| (left as u64).div_ceil(1000))
            })
            .max()
    }

    pub fn failed(&self, username: &str, ip: Option<IpAddr>, now_ms: i64) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= MAX_ENTRIES {
            map.retain(|_, (_, start)| *start + WINDOW_MS > now_ms);
        }
        for (key, _) in keys(username, ip) {
            let entry = map.entry(key).or_insert((0, now_ms));
            if entry.1 + WINDOW_MS <= now_ms {
                *entry = (0, now_ms);
            }
            entry.0 += 1;
        }
    }

    /// A successful log-in clears the account's count (not the address's).
    pub fn succeeded(&self, username: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(&format!("user:{}", username.to_lowercase()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_and_addresses_are_limited_per_window() {
        let t = LoginThrottle::default();
        let ip: Option<IpAddr> = "192.0.2.1".parse().ok();
        for _ in 0..MAX_PER_ACCOUNT {
            assert_eq!(t.blocked_for("ada", ip, 0), None);
            t.failed("ada", ip, 0);
        }
        assert_eq!(t.blocked_for("ada", ip, 1_000), Some(899));
        assert_eq!(t.blocked_for("ADA", None, 1_000), Some(899), "user names are not case-sensitive here");
        assert_eq!(t.blocked_for("ada", ip, WINDOW_MS), None, "the window ends");
        // The address limit catches guessing across many accounts.
        for n in 0..MAX_PER_ADDRESS {
            t.failed(&format!("user{n}"), ip, 10);
        }
        assert!(t.blocked_for("someone-else", ip, 20).is_some());
        assert_eq!(t.blocked_for("someone-else", "192.0.2.2".parse().ok(), 20), None);
        t.succeeded("ada");
        assert_eq!(t.blocked_for("ada", None, 20), None);
    }
}
