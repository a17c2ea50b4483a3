//! Server-side request forgery guard.
//!
//! A feed URL comes from the planet's administrator and is trusted, but the
//! servers it points at are not: a redirect could steer the fetcher towards
//! the machine's own services (`127.0.0.1:6379`), the local network or a cloud
//! metadata endpoint (`169.254.169.254`). Redirect hops to another host are
//! therefore fetched through a resolver that drops every address outside the
//! public Internet. The check runs on the addresses that are actually
//! connected to, so a host name that resolves differently on a second lookup
//! (DNS rebinding) gains nothing.

use std::error::Error;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use ipnet::{Ipv4Net, Ipv6Net};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// IPv4 ranges that do not lead to a public Internet host.
const BLOCKED_V4: &[(Ipv4Addr, u8)] = &[
    (Ipv4Addr::new(0, 0, 0, 0), 8),       // "this network"
    (Ipv4Addr::new(10, 0, 0, 0), 8),      // private
    (Ipv4Addr::new(100, 64, 0, 0), 10),   // carrier-grade NAT
    (Ipv4Addr::new(127, 0, 0, 0), 8),     // loopback
    (Ipv4Addr::new(169, 254, 0, 0), 16),  // link-local, cloud metadata
    (Ipv4Addr::new(172, 16, 0, 0), 12),   // private
    (Ipv4Addr::new(192, 0, 0, 0), 24),    // IETF protocol assignments
    (Ipv4Addr::new(192, 0, 2, 0), 24),    // documentation
    (Ipv4Addr::new(192, 88, 99, 0), 24),  // 6to4 relay anycast
    (Ipv4Addr::new(192, 168, 0, 0), 16),  // private
    (Ipv4Addr::new(198, 18, 0, 0), 15),   // benchmarking
    (Ipv4Addr::new(198, 51, 100, 0), 24), // documentation
    (Ipv4Addr::new(203, 0, 113, 0), 24),  // documentation
    (Ipv4Addr::new(224, 0, 0, 0), 4),     // multicast
    (Ipv4Addr::new(240, 0, 0, 0), 4),     // reserved, broadcast
];

/// IPv6 ranges that do not lead to a public Internet host. Ranges that embed
/// an IPv4 address are handled separately in [`is_public`].
const BLOCKED_V6: &[(Ipv6Addr, u8)] = &[
    (Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 0), 96), // unspecified, loopback, v4-compatible
    (Ipv6Addr::new(0x64, 0xff9b, 1, 0, 0, 0, 0, 0), 48), // local-use NAT64
    (Ipv6Addr::new(0x100, 0, 0, 0, 0, 0, 0, 0), 64), // discard
    (Ipv6Addr::new(0x2001, 0, 0, 0, 0, 0, 0, 0), 23), // IETF protocol assignments, Teredo
    (Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0), 32), // documentation
    (Ipv6Addr::new(0x3fff, 0, 0, 0, 0, 0, 0, 0), 20), // documentation
    (Ipv6Addr::new(0xfc00, 0, 0, 0, 0, 0, 0, 0), 7), // unique local (fc00::/7 ⊃ fd00::/8)
    (Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 0), 10), // link-local
    (Ipv6Addr::new(0xfec0, 0, 0, 0, 0, 0, 0, 0), 10), // site-local (deprecated)
    (Ipv6Addr::new(0xff00, 0, 0, 0, 0, 0, 0, 0), 8), // multicast
];

/// Whether `ip` belongs to the public Internet, as opposed to the loopback,
/// private, link-local, unique-local, shared, documentation or multicast
/// ranges. IPv6 forms that embed an IPv4 address (mapped, NAT64, 6to4) are
/// judged by the embedded address, since that is where the packets go.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = embedded_v4(v6) {
                return is_public_v4(v4);
            }
            !BLOCKED_V6
                .iter()
                .any(|&(net, len)| Ipv6Net::new(net, len).is_ok_and(|n| n.contains(&v6)))
        }
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    !BLOCKED_V4
        .iter()
        .any(|&(net, len)| Ipv4Net::new(net, len).is_ok_and(|n| n.contains(&ip)))
}

/// The IPv4 address carried by an IPv4-mapped (`::ffff:a.b.c.d`), NAT64
/// (`64:ff9b::a.b.c.d`) or 6to4 (`2002:aabb:ccdd::`) address.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return Some(v4);
    }
    let s = ip.segments();
    let from = |hi: u16, lo: u16| {
        let [a, b] = hi.to_be_bytes();
        let [c, d] = lo.to_be_bytes();
        Ipv4Addr::new(a, b, c, d)
    };
    match s {
        [0x64, 0xff9b, 0, 0, 0, 0, hi, lo] => Some(from(hi, lo)),
        [0x2002, hi, lo, ..] => Some(from(hi, lo)),
        _ => None,
    }
}

/// Why a host name could not be turned into addresses to connect to.
#[derive(Debug)]
pub(crate) enum ResolveError {
    /// The lookup itself failed (no such name, no DNS server, ...).
    Lookup {
        host: String,
        source: std::io::Error,
    },
    /// Every address of the host is outside the public Internet.
    Private { host: String, address: IpAddr },
}

impl fmt::Display for ResolveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Lookup { host, source } => write!(f, "DNS lookup for {host} failed: {source}"),
            Self::Private { host, address } => {
                write!(f, "{host} resolves only to internal addresses ({address})")
            }
        }
    }
}

impl Error for ResolveError {}

/// System resolver (getaddrinfo through tokio) that optionally keeps only
/// public addresses. Used for every request so that lookup failures surface
/// as a typed error the fetcher can explain.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Resolver {
    pub(crate) public_only: bool,
}

impl Resolve for Resolver {
    fn resolve(&self, name: Name) -> Resolving {
        let public_only = self.public_only;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let lookup = tokio::net::lookup_host((host.as_str(), 0))
                .await
                .map(|addrs| addrs.collect::<Vec<SocketAddr>>());
            let found = match lookup {
                Ok(addrs) => addrs,
                Err(source) => return Err(ResolveError::Lookup { host, source }.into()),
            };
            let first = found.first().map(SocketAddr::ip);
            let allowed: Vec<SocketAddr> = found
                .into_iter()
                .filter(|a| !public_only || is_public(a.ip()))
                .collect();
            if let (true, true, Some(address)) = (allowed.is_empty(), public_only, first) {
                return Err(ResolveError::Private { host, address }.into());
            }
            let addrs: Addrs = Box::new(allowed.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public(s: &str) -> bool {
        is_public(s.parse().unwrap())
    }

    #[test]
    fn refuses_non_public_ranges() {
        for addr in [
            "0.0.0.0",
            "127.0.0.1",
            "127.0.0.2",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "192.0.2.10",
            "198.18.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "fd00::1",
            "fc00::1",
            "fe80::1",
            "fec0::1",
            "ff02::1",
            "2001:db8::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "64:ff9b::a9fe:a9fe",
            "64:ff9b:1::1",
            "2002:c0a8:0101::1",
            "2001::1",
        ] {
            assert!(!public(addr), "{addr} should be refused");
        }
    }

    #[test]
    fn accepts_public_addresses() {
        for addr in [
            "93.184.215.14",
            "1.1.1.1",
            "8.8.8.8",
            "172.32.0.1",
            "100.128.0.1",
            "2606:4700:4700::1111",
            "2a00:1450:4001:81c::200e",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "2002:0808:0808::1",
        ] {
            assert!(public(addr), "{addr} should be allowed");
        }
    }

    #[tokio::test]
    async fn public_only_resolver_refuses_loopback_names() {
        let name: Name = "localhost".parse().unwrap();
        let err = Resolver { public_only: true }
            .resolve(name)
            .await
            .err()
            .expect("localhost must be refused");
        let err = err.downcast::<ResolveError>().unwrap();
        assert!(matches!(*err, ResolveError::Private { .. }), "{err}");
    }

    #[tokio::test]
    async fn unfiltered_resolver_returns_loopback() {
        let name: Name = "localhost".parse().unwrap();
        let addrs: Vec<_> = Resolver { public_only: false }
            .resolve(name)
            .await
            .unwrap()
            .collect();
        assert!(addrs.iter().any(|a| a.ip().is_loopback()), "{addrs:?}");
    }
}
