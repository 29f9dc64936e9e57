//! Who the client is, for throttling: the TCP peer, or, when the peer is a
//! trusted reverse proxy, the right-most `X-Forwarded-For` address that is
//! not itself a trusted proxy. An untrusted peer's `X-Forwarded-For` is never
//! believed (anyone can send one).

use std::net::{IpAddr, SocketAddr};

use axum::http::HeaderMap;

/// One address or CIDR range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Range {
    net: IpAddr,
    prefix: u8,
}

impl Range {
    fn parse(s: &str) -> Result<Range, String> {
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a.trim(), Some(p.trim())),
            None => (s.trim(), None),
        };
        let net: IpAddr = addr
            .parse()
            .map(canonical)
            .map_err(|_| format!("{s:?} is not an IP address or a CIDR range like 10.0.0.0/8"))?;
        let max = if net.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("{s:?}: the prefix length must be from 0 to {max}"))?,
        };
        Ok(Range { net, prefix })
    }

    fn contains(&self, ip: IpAddr) -> bool {
        let (net, ip, bits) = match (self.net, canonical(ip)) {
            (IpAddr::V4(n), IpAddr::V4(a)) => (u32::from(n) as u128, u32::from(a) as u128, 32),
            (IpAddr::V6(n), IpAddr::V6(a)) => (u128::from(n), u128::from(a), 128),
            _ => return false,
        };
        if self.prefix == 0 {
            return true;
        }
        let shift = bits - u32::from(self.prefix);
        (net >> shift) == (ip >> shift)
    }
}

/// An IPv4 address written as IPv6 (`::ffff:192.0.2.1`) is the IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

/// One entry of X-Forwarded-For: an address, perhaps with a port or in brackets.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| {
            hop.strip_prefix('[')
                .and_then(|h| h.strip_suffix(']'))
                .and_then(|h| h.parse().ok())
        })
        .map(canonical)
}

/// The reverse proxies whose `X-Forwarded-For` is believed (the
/// `trusted_proxies` setting): none by default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<Range>);

impl TrustedProxies {
    /// A comma-separated list of IP addresses and CIDR ranges; empty for none.
    pub fn parse(list: &str) -> Result<TrustedProxies, String> {
        list.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(Range::parse)
            .collect::<Result<Vec<_>, _>>()
            .map(TrustedProxies)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|r| r.contains(ip))
    }

    /// The client's address as text ("unknown" without a TCP peer, as in tests).
    pub fn client(&self, peer: Option<SocketAddr>, headers: &HeaderMap) -> String {
        let Some(peer) = peer.map(|p| canonical(p.ip())) else {
            return "unknown".into();
        };
        if !self.trusts(peer) {
            return peer.to_string();
        }
        let hops: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        // From the right: each trusted proxy names the one before it.
        let mut nearest = peer;
        for hop in hops.iter().rev() {
            match parse_hop(hop) {
                Some(ip) if self.trusts(ip) => nearest = ip,
                Some(ip) => return ip.to_string(),
                // Unreadable: nothing to its left can be believed either.
                None => break,
            }
        }
        nearest.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xff(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", v.parse().unwrap());
        h
    }

    fn peer(s: &str) -> Option<SocketAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn ranges_parse_and_match() {
        let t = TrustedProxies::parse(" 10.0.0.0/8, 192.0.2.10 ,fd00::/8,, ::1").unwrap();
        assert!(t.trusts("10.200.1.1".parse().unwrap()));
        assert!(!t.trusts("11.0.0.1".parse().unwrap()));
        assert!(t.trusts("192.0.2.10".parse().unwrap()));
        assert!(!t.trusts("192.0.2.11".parse().unwrap()));
        assert!(t.trusts("fd12::1".parse().unwrap()));
        assert!(t.trusts("::1".parse().unwrap()));
        assert!(t.trusts("::ffff:10.1.2.3".parse().unwrap()));
        assert!(TrustedProxies::parse("0.0.0.0/0")
            .unwrap()
            .trusts("203.0.113.1".parse().unwrap()));
        assert!(TrustedProxies::parse("").unwrap().is_empty());
        for bad in ["10.0.0.0/33", "proxy.example", "10.0.0.1/x", "::/129"] {
            let e = TrustedProxies::parse(bad).unwrap_err();
            assert!(e.contains(bad.split('/').next().unwrap()), "{e}");
        }
    }

    #[test]
    fn the_client_is_the_right_most_untrusted_hop() {
        let t = TrustedProxies::parse("10.0.0.0/24, 192.0.2.10").unwrap();
        let h = xff("198.51.100.1, 203.0.113.7, 192.0.2.10");
        assert_eq!(t.client(peer("10.0.0.5:1"), &h), "203.0.113.7");
        // Several headers are one list.
        let mut h = xff("203.0.113.7");
        h.append("x-forwarded-for", "192.0.2.10".parse().unwrap());
        assert_eq!(t.client(peer("10.0.0.5:1"), &h), "203.0.113.7");
        // Ports and brackets.
        assert_eq!(
            t.client(peer("10.0.0.5:1"), &xff("203.0.113.7:5555")),
            "203.0.113.7"
        );
        assert_eq!(
            t.client(peer("10.0.0.5:1"), &xff("[2001:db8::1]:443")),
            "2001:db8::1"
        );
        // No header, or nothing readable: the nearest trusted hop.
        assert_eq!(t.client(peer("10.0.0.5:1"), &HeaderMap::new()), "10.0.0.5");
        assert_eq!(
            t.client(peer("10.0.0.5:1"), &xff("unknown, 192.0.2.10")),
            "192.0.2.10"
        );
        // An untrusted peer's header is ignored.
        assert_eq!(
            t.client(peer("198.51.100.7:1"), &xff("203.0.113.9")),
            "198.51.100.7"
        );
        assert_eq!(
            TrustedProxies::default().client(peer("10.0.0.5:1"), &xff("203.0.113.9")),
            "10.0.0.5"
        );
        assert_eq!(t.client(None, &xff("203.0.113.9")), "unknown");
    }
}
