//! The emulator's in-memory account: every object by kind, deterministic id sequences, address
//! pools, and the clock-driven transitions of asynchronous work. Nothing here knows HTTP; the
//! resource modules read and change the store under one lock per request, after [`Store::settle`]
//! has completed whatever work fell due.

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};

use crate::resources::actions::{self, Action};
use crate::resources::databases::Database;
use crate::resources::domains::{Domain, Record};
use crate::resources::droplets::Droplet;
use crate::resources::firewalls::Firewall;
use crate::resources::load_balancers::LoadBalancer;
use crate::resources::reserved_ips::ReservedIp;
use crate::resources::ssh_keys::SshKey;
use crate::resources::volumes::Volume;
use crate::resources::vpcs::Vpc;

/// The first integer id handed out (Droplets, keys, actions, records share one sequence).
const FIRST_INT_ID: u64 = 300_000_001;
/// Public IPv4 addresses come from 198.18.0.0/15 (reserved for benchmarking, never routed):
/// Droplets from 198.18.0.0/16, reserved IPs from 198.19.0.0/17, load balancers from
/// 198.19.128.0/17.
const DROPLET_POOL: u32 = u32::from_be_bytes([198, 18, 0, 10]);
const RESERVED_POOL: u32 = u32::from_be_bytes([198, 19, 0, 10]);
const LOAD_BALANCER_POOL: u32 = u32::from_be_bytes([198, 19, 128, 10]);

/// How long asynchronous work takes and which kinds never finish, read from the knobs when the
/// work starts.
#[derive(Debug, Clone)]
pub(crate) struct Timing {
    pub delay: Duration,
    pub stall: Vec<String>,
}

impl Timing {
    /// When work of this kind started now completes; `None` when it is set never to complete.
    pub fn ready_at(&self, kind: &str) -> Option<Instant> {
        if self.stall.iter().any(|k| k == "*" || k == kind) {
            None
        } else {
            Some(Instant::now() + self.delay)
        }
    }
}

/// Everything the emulated account holds.
pub(crate) struct Store {
    next_int: u64,
    next_uuid: u64,
    next_droplet_ip: u32,
    next_reserved_ip: u32,
    next_lb_ip: u32,
    next_ipv6: u64,
    rng: StdRng,
    pub ssh_keys: BTreeMap<u64, SshKey>,
    pub vpcs: BTreeMap<String, Vpc>,
    pub droplets: BTreeMap<u64, Droplet>,
    pub actions: BTreeMap<u64, Action>,
    /// Actions still in progress.
    pub pending: BTreeSet<u64>,
    pub firewalls: BTreeMap<String, Firewall>,
    pub volumes: BTreeMap<String, Volume>,
    pub databases: BTreeMap<String, Database>,
    pub domains: BTreeMap<String, Domain>,
    pub records: BTreeMap<u64, Record>,
    pub reserved_ips: BTreeMap<Ipv4Addr, ReservedIp>,
    pub tags: BTreeSet<String>,
    pub load_balancers: BTreeMap<String, LoadBalancer>,
}

impl Store {
    /// An empty account; `seed` makes generated passwords repeatable.
    pub fn new(seed: u64) -> Store {
        Store {
            next_int: FIRST_INT_ID,
            next_uuid: 1,
            next_droplet_ip: DROPLET_POOL,
            next_reserved_ip: RESERVED_POOL,
            next_lb_ip: LOAD_BALANCER_POOL,
            next_ipv6: 1,
            rng: StdRng::seed_from_u64(seed),
            ssh_keys: BTreeMap::new(),
            vpcs: BTreeMap::new(),
            droplets: BTreeMap::new(),
            actions: BTreeMap::new(),
            pending: BTreeSet::new(),
            firewalls: BTreeMap::new(),
            volumes: BTreeMap::new(),
            databases: BTreeMap::new(),
            domains: BTreeMap::new(),
            records: BTreeMap::new(),
            reserved_ips: BTreeMap::new(),
            tags: BTreeSet::new(),
            load_balancers: BTreeMap::new(),
        }
    }

    /// The next integer id.
    pub fn int_id(&mut self) -> u64 {
        let id = self.next_int;
        self.next_int += 1;
        id
    }

    /// The next UUID; they sort in creation order.
    pub fn uuid(&mut self) -> String {
        let n = self.next_uuid;
        self.next_uuid += 1;
        format!("{n:08x}-d0e0-4e11-8a70-{n:012x}")
    }

    /// The next public IPv4 address for a Droplet.
    pub fn droplet_ip(&mut self) -> Ipv4Addr {
        let ip = Ipv4Addr::from(self.next_droplet_ip);
        self.next_droplet_ip += 1;
        ip
    }

    /// The next reserved IPv4 address.
    pub fn reserved_ip(&mut self) -> Ipv4Addr {
        let ip = Ipv4Addr::from(self.next_reserved_ip);
        self.next_reserved_ip += 1;
        ip
    }

    /// The next load balancer address.
    pub fn load_balancer_ip(&mut self) -> Ipv4Addr {
        let ip = Ipv4Addr::from(self.next_lb_ip);
        self.next_lb_ip += 1;
        ip
    }

    /// The next public IPv6 address (in 2001:db8::/32, the documentation range).
    pub fn ipv6(&mut self) -> String {
        let n = self.next_ipv6;
        self.next_ipv6 += 1;
        format!("2001:db8:10::{n:x}")
    }

    /// A generated password: 24 letters and digits.
    pub fn password(&mut self) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        (0..24)
            .map(|_| ALPHABET[self.rng.random_range(0..ALPHABET.len())] as char)
            .collect()
    }

    /// Completes every piece of asynchronous work that fell due by `now`.
    pub fn settle(&mut self, now: Instant) {
        let due: Vec<u64> = self
            .pending
            .iter()
            .copied()
            .filter(|id| {
                self.actions
                    .get(id)
                    .and_then(|a| a.ready_at)
                    .is_some_and(|at| at <= now)
            })
            .collect();
        for id in due {
            actions::complete(self, id);
        }
        for database in self.databases.values_mut() {
            database.settle(now);
        }
        for balancer in self.load_balancers.values_mut() {
            balancer.settle(now);
        }
        for firewall in self.firewalls.values_mut() {
            firewall.settle(now);
        }
    }

    /// Records tags as existing (DigitalOcean creates a tag the first time it is used).
    pub fn ensure_tags(&mut self, tags: &[String]) {
        for tag in tags {
            self.tags.insert(tag.clone());
        }
    }

    /// Every object, by kind, as the API renders it (for `GET /_emulator/state`).
    pub fn snapshot(&self, base: &str) -> Value {
        use crate::resources::*;
        json!({
            "ssh_keys": self.ssh_keys.values().map(ssh_keys::render).collect::<Vec<_>>(),
            "vpcs": self.vpcs.values().map(vpcs::render).collect::<Vec<_>>(),
            "droplets": self.droplets.values().map(|d| droplets::render(self, d)).collect::<Vec<_>>(),
            "actions": self.actions.values().map(actions::render).collect::<Vec<_>>(),
            "firewalls": self.firewalls.values().map(firewalls::render).collect::<Vec<_>>(),
            "volumes": self.volumes.values().map(volumes::render).collect::<Vec<_>>(),
            "databases": self.databases.values().map(databases::render).collect::<Vec<_>>(),
            "domains": self.domains.values().map(domains::render_domain).collect::<Vec<_>>(),
            "domain_records": self.records.values().map(|r| {
                let mut v = domains::render_record(r);
                v["domain"] = json!(r.domain);
                v
            }).collect::<Vec<_>>(),
            "reserved_ips": self.reserved_ips.values().map(|r| reserved_ips::render(self, r)).collect::<Vec<_>>(),
            "tags": self.tags.iter().map(|t| tags::render(self, t, base)).collect::<Vec<_>>(),
            "load_balancers": self.load_balancers.values().map(|l| load_balancers::render(self, l)).collect::<Vec<_>>(),
        })
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{Store, Timing};

    #[test]
    fn stalled_kinds_never_get_a_completion_time() {
        let timing = Timing {
            delay: Duration::from_millis(5),
            stall: vec!["create".into()],
        };
        assert!(timing.ready_at("create").is_none());
        assert!(timing.ready_at("resize").is_some());
        let everything = Timing {
            delay: Duration::ZERO,
            stall: vec!["*".into()],
        };
        assert!(everything.ready_at("database_create").is_none());
    }

    #[test]
    fn ids_and_passwords_repeat_for_the_same_seed() {
        let (mut a, mut b) = (Store::new(7), Store::new(7));
        assert_eq!(a.uuid(), b.uuid());
        assert_eq!(a.int_id(), b.int_id());
        assert_eq!(a.password(), b.password());
        assert!(a.uuid() < a.uuid(), "UUIDs sort in creation order");
        assert_ne!(Store::new(8).password(), Store::new(7).password());
    }
}
