//! Who the client is: the TCP peer, or, when that peer is one of the operator's
//! own proxies (`--trusted-proxies`), the address the proxies forwarded.
//!
//! Only trusted peers are believed, and of the forwarded chain only the part they
//! appended: the chain is read from the right, and the first address that is not a
//! trusted proxy is the client. Anything to the left of it came from the client
//! itself and may be forged. Without trusted proxies the headers are ignored.

use std::net::IpAddr;
use std::str::FromStr;

use ipnet::IpNet;

use crate::error::{Error, Result};

/// The proxies whose forwarding headers are believed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl FromStr for TrustedProxies {
    type Err = Error;

    /// A comma-separated list of CIDR ranges or single addresses, e.g.
    /// `10.0.0.0/8,192.0.2.7,2001:db8::/32`.
    fn from_str(text: &str) -> Result<Self> {
        text.split(',')
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(|part| {
                IpNet::from_str(part).or_else(|_| IpAddr::from_str(part).map(IpNet::from)).map_err(|_| {
                    Error::BadRequest(format!("{part:?} is not an IP address or CIDR range (e.g. 10.0.0.0/8)"))
                })
            })
            .collect::<Result<Vec<_>>>()
            .map(TrustedProxies)
    }
}

impl TrustedProxies {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client's address: `peer` itself unless it is a trusted proxy; then the
    /// rightmost address of the forwarded chain that is not a trusted proxy.
    /// `forwarded_for`: the `X-Forwarded-For` header values in order; `forwarded`:
    /// the `Forwarded` (RFC 7239) values, read when there is no `X-Forwarded-For`.
    pub fn client<'a>(
        &self,
        peer: IpAddr,
        forwarded_for: impl IntoIterator<Item = &'a str>,
        forwarded: impl IntoIterator<Item = &'a str>,
    ) -> IpAddr {
        let peer = canonical(peer);
        if !self.trusts(peer) {
            return peer;
        }
        let mut chain: Vec<&str> = forwarded_for.into_iter().flat_map(|v| v.split(',')).map(str::trim).collect();
        if chain.is_empty() {
            chain = forwarded
                .into_iter()
                .flat_map(|v| v.split(','))
                .filter_map(|element| {
                    element.split(';').map(str::trim).find_map(|pair| {
                        let (name, value) = pair.split_once('=')?;
                        name.trim().eq_ignore_ascii_case("for").then_some(value.trim())
                    })
                })
                .collect();
        }
        let mut client = peer;
        for hop in chain.into_iter().rev() {
            if !self.trusts(client) {
                break;
            }
            // Unreadable ("unknown", an obfuscated name): the last trusted hop stands.
            let Some(ip) = parse_hop(hop) else { break };
            client = ip;
        }
        client
    }
}

/// IPv4-mapped IPv6 (`::ffff:192.0.2.1`, how a dual-stack listener sees IPv4
/// clients) as the IPv4 address it is.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        IpAddr::V4(_) => ip,
    }
}

/// One hop of a chain: `192.0.2.1`, `192.0.2.1:4711`, `2001:db8::1`,
/// `[2001:db8::1]:4711`, and the same in `Forwarded`'s quotes.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim().trim_matches('"');
    if let Ok(ip) = IpAddr::from_str(hop) {
        return Some(canonical(ip));
    }
    if let Some(rest) = hop.strip_prefix('[') {
        return IpAddr::from_str(rest.split(']').next()?).ok().map(canonical);
    }
    let (host, port) = hop.rsplit_once(':')?;
    port.parse::<u16>().ok()?;
    IpAddr::from_str(host).ok().map(canonical)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn without_trusted_proxies_the_headers_change_nothing() {
        let none = TrustedProxies::default();
        assert_eq!(none.client(ip("203.0.113.5"), ["198.51.100.1"], ["for=198.51.100.2"]), ip("203.0.113.5"));
    }

    #[test]
    fn the_rightmost_untrusted_hop_is_the_client() {
        let trusted: TrustedProxies = "10.0.0.0/8, 192.0.2.7".parse().unwrap();
        // A client forged the first entry; the proxies appended the rest.
        let chain = ["6.6.6.6, 198.51.100.9", "10.1.2.3"];
        assert_eq!(trusted.client(ip("192.0.2.7"), chain, []), ip("198.51.100.9"));
        // From a peer that is not a proxy, nothing forwarded is believed.
        assert_eq!(trusted.client(ip("198.51.100.20"), chain, []), ip("198.51.100.20"));
        // Only proxies in the chain: the leftmost proxy is all there is.
        assert_eq!(trusted.client(ip("10.0.0.1"), ["10.0.0.2"], []), ip("10.0.0.2"));
        // Garbage stops the walk at the last trusted hop.
        assert_eq!(trusted.client(ip("10.0.0.1"), ["unknown"], []), ip("10.0.0.1"));
        assert_eq!(trusted.client(ip("::ffff:10.0.0.1"), ["198.51.100.9:4711"], []), ip("198.51.100.9"));
    }

    #[test]
    fn forwarded_is_read_when_x_forwarded_for_is_absent() {
        let trusted: TrustedProxies = "127.0.0.1".parse().unwrap();
        let forwarded = [r#"for=192.0.2.60;proto=https, for="[2001:db8:cafe::17]:4711""#];
        assert_eq!(trusted.client(ip("127.0.0.1"), [], forwarded), ip("2001:db8:cafe::17"));
        assert_eq!(trusted.client(ip("127.0.0.1"), ["192.0.2.1"], forwarded), ip("192.0.2.1"));
    }

    #[test]
    fn a_bad_range_is_named() {
        let err = "10.0.0.0/8,not-an-address".parse::<TrustedProxies>().unwrap_err();
        assert!(err.to_string().contains("not-an-address"), "{err}");
        assert!("".parse::<TrustedProxies>().unwrap().is_empty());
    }
}
