//! The console's cookies: their names and attributes in one place.
//!
//! Over HTTPS the names carry the `__Host-` prefix: browsers then accept them only
//! with `Secure`, `Path=/` and no `Domain`, so a page on a sibling subdomain (or a
//! man in the middle on plain HTTP) cannot plant or overwrite them. Over plain HTTP
//! (a development machine) the prefix would make browsers drop them, so the plain
//! names are used there. Each instance reads only the names it sets.

use crate::state::Config;

/// The session: a random token, stored by the server as its hash.
pub const SESSION: &str = "formseal_session";
/// A signed note that this browser has logged in to an account before (see
/// `accounts::DEVICE_DAYS` and [`crate::throttle`]).
pub const DEVICE: &str = "formseal_device";

fn name(config: &Config, base: &str) -> String {
    if config.secure_cookies() { format!("__Host-{base}") } else { base.to_owned() }
}

/// The `Set-Cookie` value for `base` (one of the constants): `max_age_seconds`
/// 0 removes it.
pub fn set_cookie(config: &Config, base: &str, value: &str, max_age_seconds: i64) -> String {
    let name = name(config, base);
    if config.secure_cookies() {
        format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict; Secure; Max-Age={max_age_seconds}")
    } else {
        format!("{name}={value}; Path=/admin; HttpOnly; SameSite=Strict; Max-Age={max_age_seconds}")
    }
}

/// The value of cookie `base` (one of the constants) among `Cookie` header values.
pub fn read<'a>(config: &Config, base: &str, cookie_headers: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let name = name(config, base);
    cookie_headers
        .into_iter()
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_instances_use_host_prefixed_cookies_and_read_only_those() {
        let https = Config::new("https://forms.example.eu");
        let set = set_cookie(&https, SESSION, "t0k", 60);
        assert!(set.starts_with("__Host-formseal_session=t0k; Path=/;") && set.contains("; Secure"), "{set}");
        assert_eq!(read(&https, SESSION, ["a=1; __Host-formseal_session=t0k"]), Some("t0k".into()));
        assert_eq!(read(&https, SESSION, ["formseal_session=planted"]), None, "a plain name is not believed");

        let http = Config::new("http://127.0.0.1:3000");
        let set = set_cookie(&http, DEVICE, "d", 0);
        assert_eq!(set, "formseal_device=d; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=0");
        assert_eq!(read(&http, DEVICE, ["formseal_device=d"]), Some("d".into()));
    }
}
