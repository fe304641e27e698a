//! How logins slow down guessing without locking the owner out. Failures slow down the pair
//! (account, client) with growing waits; a browser the account signed in from before (a device
//! cookie) is judged on its own failures only; clients without one also meet a wait when the
//! account is being guessed from many places, and an address is stopped only after a number of
//! failures high enough for a carrier's shared NAT. Only failures count.

use chrono::{Duration, NaiveDateTime};

/// Failures of one client on one account before the first wait.
pub const FREE_FAILURES: u32 = 5;
/// The longest wait between two tries of one client.
pub const MAX_WAIT_S: i64 = 15 * 60;
/// Failures spread over many clients weigh this many times less than one client's.
pub const SPREAD: u32 = 3;
/// Failures from one address, on any account, within `IP_WINDOW_MIN`, before it is stopped.
pub const IP_FAILURES: u32 = 300;
pub const IP_WINDOW_MIN: i64 = 15;
/// How far back failures are remembered.
pub const WINDOW_MIN: i64 = 60;

/// Who a client is, for counting its failures: its IPv4 address, or its IPv6 network (/64: one
/// household or phone gets a whole /64 and could walk through it).
pub fn client_key(ip: std::net::IpAddr) -> String {
    match ip {
        std::net::IpAddr::V4(v4) => v4.to_string(),
        std::net::IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// The wait before the next try after `failures` in a row: none for the first few, then 1 s,
/// 2 s, 4 s… up to a quarter of an hour.
pub fn wait_after(failures: u32) -> Duration {
    match failures.checked_sub(FREE_FAILURES) {
        None => Duration::zero(),
        Some(n) => Duration::seconds(2_i64.saturating_pow(n.min(20)).min(MAX_WAIT_S)),
    }
}

/// Failures since the last success, and when the last one was.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Streak {
    pub failures: u32,
    pub last: Option<NaiveDateTime>,
}

impl Streak {
    fn ready_at(self, weight: u32) -> Option<NaiveDateTime> {
        let last = self.last?;
        Some(last + wait_after(self.failures / weight))
    }
}

/// What is known of recent failures around one login.
#[derive(Debug, Clone, Copy, Default)]
pub struct Pressure {
    /// This client (its device, or else its address) on this account.
    pub pair: Streak,
    /// Does the browser carry a device cookie of this account?
    pub trusted_device: bool,
    /// Every client without a device cookie, on this account.
    pub account: Streak,
    /// This address, on any account, within `IP_WINDOW_MIN`.
    pub ip_failures: u32,
}

/// Whether the password may be checked at `now`; if not, how long to wait.
pub fn may_try(p: &Pressure, now: NaiveDateTime) -> Result<(), Duration> {
    let mut ready = [p.pair.ready_at(1)].to_vec();
    if !p.trusted_device {
        if p.ip_failures >= IP_FAILURES {
            return Err(Duration::minutes(IP_WINDOW_MIN));
        }
        ready.push(p.account.ready_at(SPREAD));
    }
    match ready.into_iter().flatten().max() {
        Some(at) if at > now => Err(at - now),
        _ => Ok(()),
    }
}

/// "4 minutes", "30 secondes": how long to wait, for a French sentence.
pub fn wait_text(wait: Duration) -> String {
    let seconds = wait.num_seconds().max(1);
    match seconds {
        s if s < 60 => format!("{s} seconde{}", if s > 1 { "s" } else { "" }),
        s => {
            let minutes = (s + 59) / 60;
            format!("{minutes} minute{}", if minutes > 1 { "s" } else { "" })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: i64) -> NaiveDateTime {
        chrono::DateTime::from_timestamp(1_800_000_000 + s, 0)
            .unwrap()
            .naive_utc()
    }

    #[test]
    fn waits_grow_after_a_few_failures_and_stop_growing() {
        assert_eq!(wait_after(4), Duration::zero());
        assert_eq!(wait_after(5), Duration::seconds(1));
        assert_eq!(wait_after(8), Duration::seconds(8));
        assert_eq!(wait_after(40), Duration::seconds(MAX_WAIT_S));
    }

    /// One client guessing as fast as it is let, for an hour: each refused try is not checked.
    #[test]
    fn a_thousand_guesses_over_an_hour_are_mostly_never_checked() {
        let mut streak = Streak::default();
        let mut checked = 0;
        for i in 0..1000 {
            let now = at(i * 36 / 10);
            let p = Pressure {
                pair: streak,
                account: streak,
                ..Pressure::default()
            };
            if may_try(&p, now).is_ok() {
                checked += 1;
                streak = Streak {
                    failures: streak.failures + 1,
                    last: Some(now),
                };
            }
        }
        assert!(checked <= 20, "{checked} passwords checked in an hour");
    }

    /// Many clients, each new, guessing one account for an hour: the account's failures slow
    /// them all.
    #[test]
    fn guesses_spread_over_many_clients_are_slowed_down_too() {
        let mut account = Streak::default();
        let mut checked = 0;
        for i in 0..10_000 {
            let now = at(i * 36 / 100);
            let p = Pressure {
                account,
                ..Pressure::default()
            };
            if may_try(&p, now).is_ok() {
                checked += 1;
                account = Streak {
                    failures: account.failures + 1,
                    last: Some(now),
                };
            }
        }
        assert!(checked <= 60, "{checked} passwords checked in an hour");
    }

    #[test]
    fn an_ipv6_client_is_its_network() {
        use std::net::IpAddr;
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        assert_eq!(client_key(a), client_key(b));
        assert_eq!(client_key(a), "2001:db8:1:2::/64");
        assert_eq!(client_key("203.0.113.7".parse().unwrap()), "203.0.113.7");
        assert_eq!(
            client_key("::ffff:203.0.113.7".parse().unwrap()),
            "203.0.113.7"
        );
    }

    #[test]
    fn a_trusted_device_is_judged_on_its_own_failures_only() {
        let guessed = Streak {
            failures: 500,
            last: Some(at(0)),
        };
        let owner = Pressure {
            pair: Streak::default(),
            trusted_device: true,
            account: guessed,
            ip_failures: 1_000,
        };
        assert_eq!(may_try(&owner, at(1)), Ok(()));
        let stranger = Pressure {
            trusted_device: false,
            ..owner
        };
        assert!(may_try(&stranger, at(1)).is_err());
    }

    #[test]
    fn a_shared_address_is_stopped_only_after_many_failures() {
        let busy = Pressure {
            ip_failures: IP_FAILURES - 1,
            ..Pressure::default()
        };
        assert_eq!(may_try(&busy, at(0)), Ok(()));
        let abused = Pressure {
            ip_failures: IP_FAILURES,
            ..busy
        };
        assert!(may_try(&abused, at(0)).is_err());
    }

    #[test]
    fn waits_read_in_french() {
        assert_eq!(wait_text(Duration::seconds(1)), "1 seconde");
        assert_eq!(wait_text(Duration::seconds(30)), "30 secondes");
        assert_eq!(wait_text(Duration::seconds(61)), "2 minutes");
        assert_eq!(wait_text(Duration::seconds(60)), "1 minute");
    }
}
