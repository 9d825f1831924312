//! Log-in throttling that an attacker can neither outrun with a burst nor turn
//! against the real account holder.
//!
//! - Every attempt is counted *before* its password is checked, in one locked step
//!   ([`LoginThrottle::begin`]), so 400 attempts sent at once still get at most
//!   [`MAX_PER_ACCOUNT_AND_ADDRESS`] password checks; a right password gives its
//!   count back ([`LoginThrottle::succeeded`]).
//! - The limits are per account *and* address ([`MAX_PER_ACCOUNT_AND_ADDRESS`]) and
//!   per address across accounts ([`MAX_PER_ADDRESS`]): failing from one address
//!   never locks the owner out of theirs.
//! - A slower limit per account from every address ([`MAX_PER_ACCOUNT`]) stops a
//!   guesser with many addresses; browsers that have logged in to the account
//!   before (a signed device cookie, see `accounts::device_token`) are exempt from
//!   it, so even that attacker cannot lock the owner out of their own browser.
//! - IPv6 clients count per /64 (one subscriber's network); IPv4 per address.
//! - The table has a hard size: when full, expired windows go first, then the
//!   oldest; refusals are reported to the audit log once per window and key, so a
//!   flood of refused attempts cannot grow it without bound.
//!
//! Kept in this process: with several replicas each counts on its own, so the
//! effective limits are the per-replica limits times the replicas.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

pub const WINDOW_MS: i64 = 15 * 60 * 1000;
/// Failures for one account from one address (or IPv6 /64) per window.
pub const MAX_PER_ACCOUNT_AND_ADDRESS: u32 = 5;
/// Failures from one address per window, whatever the accounts.
pub const MAX_PER_ADDRESS: u32 = 20;
/// Failures for one account from all addresses per window, not counting browsers
/// the account has logged in from before.
pub const MAX_PER_ACCOUNT: u32 = 50;
/// Entries kept at most.
pub const MAX_ENTRIES: usize = 100_000;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Key {
    Pair(String, IpAddr),
    Address(IpAddr),
    Account(String),
}

impl Key {
    fn limit(&self) -> u32 {
        match self {
            Key::Pair(..) => MAX_PER_ACCOUNT_AND_ADDRESS,
            Key::Address(_) => MAX_PER_ADDRESS,
            Key::Account(_) => MAX_PER_ACCOUNT,
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Window {
    count: u32,
    start_ms: i64,
    /// The first refusal of this window has been reported.
    reported: bool,
}

/// The address as it is counted: IPv4 (and IPv4-mapped IPv6) as it is, IPv6 by
/// its /64 network, since one subscriber gets a whole /64 and could rotate
/// through it.
pub fn counted_address(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

/// An attempt that may go on to the password check; it has been counted.
#[derive(Debug)]
#[must_use = "report how the attempt ended: succeeded() gives its count back"]
pub struct Attempt {
    keys: Vec<Key>,
}

/// An attempt refused before any password check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Refused {
    /// Seconds until the window that refused it ends.
    pub wait_seconds: u64,
    /// The first refusal of its window: worth one audit record (later ones are not).
    pub first: bool,
}

#[derive(Default)]
pub struct LoginThrottle {
    windows: Mutex<HashMap<Key, Window>>,
}

impl LoginThrottle {
    /// Counts an attempt for `username` from `ip` before its password is checked.
    /// `known_device`: the browser has logged in to this account before, so the
    /// account-wide limit does not apply to it.
    pub fn begin(
        &self,
        username: &str,
        ip: Option<IpAddr>,
        known_device: bool,
        now_ms: i64,
    ) -> Result<Attempt, Refused> {
        let account = username.to_lowercase();
        let mut keys = Vec::with_capacity(3);
        if let Some(ip) = ip.map(counted_address) {
            keys.push(Key::Pair(account.clone(), ip));
            keys.push(Key::Address(ip));
        }
        if !known_device || ip.is_none() {
            keys.push(Key::Account(account));
        }
        let mut map = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        let mut refused: Option<Refused> = None;
        for key in &keys {
            let Some(window) = map.get_mut(key) else { continue };
            let left = window.start_ms + WINDOW_MS - now_ms;
            if left <= 0 || window.count < key.limit() {
                continue;
            }
            let first = !window.reported;
            window.reported = true;
            let wait_seconds = (left as u64).div_ceil(1000);
            let merged = refused.map_or(Refused { wait_seconds, first }, |r| Refused {
                wait_seconds: r.wait_seconds.max(wait_seconds),
                first: r.first || first,
            });
            refused = Some(merged);
        }
        if let Some(refused) = refused {
            return Err(refused);
        }
        make_room(&mut map, keys.len(), now_ms);
        for key in &keys {
            let window = map.entry(key.clone()).or_insert(Window { count: 0, start_ms: now_ms, reported: false });
            if window.start_ms + WINDOW_MS <= now_ms {
                *window = Window { count: 0, start_ms: now_ms, reported: false };
            }
            window.count += 1;
        }
        Ok(Attempt { keys })
    }

    /// The password (and second factor) were right: the attempt's count is given
    /// back, and the account's failures from this address are forgiven.
    pub fn succeeded(&self, attempt: Attempt) {
        let mut map = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        for key in attempt.keys {
            if matches!(key, Key::Pair(..)) {
                map.remove(&key);
            } else if let Some(window) = map.get_mut(&key) {
                window.count = window.count.saturating_sub(1);
            }
        }
    }

    /// Entries in the table now.
    pub fn len(&self) -> usize {
        self.windows.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Keeps the table under [`MAX_ENTRIES`] with room for `needed` more: expired
/// windows go first, then the oldest ones (a flood of fresh keys can only push
/// out other fresh keys, never grow the table).
fn make_room(map: &mut HashMap<Key, Window>, needed: usize, now_ms: i64) {
    if map.len() + needed <= MAX_ENTRIES {
        return;
    }
    map.retain(|_, w| w.start_ms + WINDOW_MS > now_ms);
    let excess = (map.len() + needed).saturating_sub(MAX_ENTRIES);
    if excess == 0 {
        return;
    }
    // Free a tenth at once, so a flood does not sort the table on every attempt.
    let mut starts: Vec<i64> = map.values().map(|w| w.start_ms).collect();
    let cut = excess.max(MAX_ENTRIES / 10).min(starts.len() - 1);
    let (_, oldest_kept, _) = starts.select_nth_unstable(cut);
    let oldest_kept = *oldest_kept;
    map.retain(|_, w| w.start_ms >= oldest_kept);
    if map.len() + needed > MAX_ENTRIES {
        // Many windows started in the same millisecond: drop any to make room.
        let drop: Vec<Key> = map.keys().take(map.len() + needed - MAX_ENTRIES).cloned().collect();
        for key in drop {
            map.remove(&key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> Option<IpAddr> {
        text.parse().ok()
    }

    fn fail(t: &LoginThrottle, user: &str, from: Option<IpAddr>, known: bool, now: i64) -> Result<(), Refused> {
        t.begin(user, from, known, now).map(drop)
    }

    #[test]
    fn an_account_is_limited_per_address_and_the_owner_keeps_theirs() {
        let t = LoginThrottle::default();
        let attacker = ip("192.0.2.1");
        for _ in 0..MAX_PER_ACCOUNT_AND_ADDRESS {
            fail(&t, "ada", attacker, false, 0).unwrap();
        }
        let refused = t.begin("ADA", attacker, false, 1_000).unwrap_err();
        assert_eq!(refused, Refused { wait_seconds: 899, first: true }, "user names are not case-sensitive here");
        assert!(!t.begin("ada", attacker, false, 1_000).unwrap_err().first, "reported once per window");
        // The owner, from their own address, is not locked out.
        let attempt = t.begin("ada", ip("198.51.100.7"), false, 1_000).unwrap();
        t.succeeded(attempt);
        assert!(t.begin("ada", attacker, false, WINDOW_MS).is_ok(), "the window ends");
    }

    #[test]
    fn an_address_is_limited_across_accounts() {
        let t = LoginThrottle::default();
        let from = ip("192.0.2.1");
        for n in 0..MAX_PER_ADDRESS {
            fail(&t, &format!("user{n}"), from, false, 10).unwrap();
        }
        assert!(t.begin("someone-else", from, false, 20).is_err());
        assert!(t.begin("someone-else", ip("192.0.2.2"), false, 20).is_ok());
    }

    #[test]
    fn many_addresses_hit_the_account_limit_but_not_a_known_browser() {
        let t = LoginThrottle::default();
        for n in 0..MAX_PER_ACCOUNT {
            fail(&t, "ada", ip(&format!("10.0.{}.{}", n / 200, n % 200 + 1)), false, 0).unwrap();
        }
        assert!(t.begin("ada", ip("203.0.113.9"), false, 5).is_err(), "a new address waits");
        let attempt = t.begin("ada", ip("203.0.113.9"), true, 5).expect("a browser that logged in before goes on");
        t.succeeded(attempt);
    }

    #[test]
    fn ipv6_counts_per_64_and_mapped_ipv4_as_ipv4() {
        let t = LoginThrottle::default();
        for n in 0..MAX_PER_ACCOUNT_AND_ADDRESS {
            fail(&t, "ada", ip(&format!("2001:db8:1:2::{:x}", n + 1)), false, 0).unwrap();
        }
        assert!(t.begin("ada", ip("2001:db8:1:2:ffff::1"), false, 1).is_err(), "same /64");
        assert!(t.begin("ada", ip("2001:db8:1:3::1"), false, 1).is_ok(), "another /64");
        assert_eq!(counted_address("::ffff:192.0.2.1".parse().unwrap()), "192.0.2.1".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn a_right_password_gives_its_count_back() {
        let t = LoginThrottle::default();
        let from = ip("192.0.2.1");
        for _ in 0..20 {
            let attempt = t.begin("ada", from, false, 0).unwrap();
            t.succeeded(attempt);
        }
        assert!(t.begin("ada", from, false, 0).is_ok());
    }

    #[test]
    fn the_table_never_grows_past_its_size() {
        let t = LoginThrottle::default();
        for n in 0..(MAX_ENTRIES as u32 / 2 + 10) {
            let from = IpAddr::V4(std::net::Ipv4Addr::from(0x0a00_0000 + n));
            fail(&t, &format!("u{n}"), from.into(), false, i64::from(n)).ok();
        }
        assert!(t.len() <= MAX_ENTRIES, "{}", t.len());
    }
}
