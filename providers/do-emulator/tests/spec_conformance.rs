//! Drives a scenario through every endpoint the emulator serves, with the recording knob on,
//! then checks every recorded exchange against DigitalOcean's official OpenAPI description: the
//! operation exists for the method and path, every accepted request is valid, the status is
//! documented and the body and documented headers match. It also checks that every operation the
//! emulator serves was exercised.

mod conformance;
mod support;

use std::collections::BTreeSet;

use conformance::*;
use plinth_do_emulator::{Config, Emulator, Knobs};
use support::client::Api;
use support::openapi::{self, check_exchange};

const TOKEN: &str = "conformance-token";
pub(crate) const KEY: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGJ0Y2VudHJhbC1wbGludGgtdGVzdC1rZXktMDAwMDAx plinth@test";
pub(crate) const OTHER_KEY: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHBsaW50aC10ZXN0LWtleS1udW1iZXItdHdvLTAwMDAwMg== other@test";

/// Every operation the emulator implements, by operationId.
const SERVED: &[&str] = &[
    "account_get",
    "regions_list",
    "sizes_list",
    "images_list",
    "images_get",
    "sshKeys_list",
    "sshKeys_create",
    "sshKeys_get",
    "sshKeys_update",
    "sshKeys_delete",
    "vpcs_list",
    "vpcs_create",
    "vpcs_get",
    "vpcs_update",
    "vpcs_patch",
    "vpcs_delete",
    "vpcs_list_members",
    "droplets_list",
    "droplets_create",
    "droplets_destroy_byTag",
    "droplets_get",
    "droplets_destroy",
    "dropletActions_list",
    "dropletActions_post",
    "dropletActions_post_byTag",
    "dropletActions_get",
    "actions_list",
    "actions_get",
    "firewalls_list",
    "firewalls_create",
    "firewalls_get",
    "firewalls_update",
    "firewalls_delete",
    "firewalls_assign_droplets",
    "firewalls_delete_droplets",
    "firewalls_add_tags",
    "firewalls_delete_tags",
    "firewalls_add_rules",
    "firewalls_delete_rules",
    "volumes_list",
    "volumes_create",
    "volumes_delete_byName",
    "volumeActions_post",
    "volumes_get",
    "volumes_delete",
    "volumeActions_list",
    "volumeActions_post_byId",
    "volumeActions_get",
    "databases_list_clusters",
    "databases_create_cluster",
    "databases_get_cluster",
    "databases_destroy_cluster",
    "databases_update_clusterSize",
    "databases_list_firewall_rules",
    "databases_update_firewall_rules",
    "domains_list",
    "domains_create",
    "domains_get",
    "domains_delete",
    "domains_list_records",
    "domains_create_record",
    "domains_get_record",
    "domains_patch_record",
    "domains_update_record",
    "domains_delete_record",
    "reservedIPs_list",
    "reservedIPs_create",
    "reservedIPs_get",
    "reservedIPs_delete",
    "reservedIPsActions_list",
    "reservedIPsActions_post",
    "reservedIPsActions_get",
    "tags_list",
    "tags_create",
    "tags_get",
    "tags_delete",
    "tags_assign_resources",
    "tags_unassign_resources",
    "loadBalancers_create",
    "loadBalancers_list",
    "loadBalancers_get",
    "loadBalancers_update",
    "loadBalancers_delete",
    "loadBalancers_add_droplets",
    "loadBalancers_remove_droplets",
    "loadBalancers_add_forwardingRules",
    "loadBalancers_remove_forwardingRules",
];

async fn start() -> (Emulator, Api) {
    let emulator = Emulator::start(Config {
        tokens: vec![TOKEN.to_string()],
        knobs: Knobs {
            action_delay_ms: 20,
            record: true,
            ..Knobs::default()
        },
        ..Config::default()
    })
    .await
    .expect("the emulator starts");
    let api = Api::new(&emulator.url(), TOKEN);
    (emulator, api)
}

#[tokio::test]
async fn every_exchange_of_a_full_scenario_matches_the_official_description() {
    let Some(spec) = openapi::load_or_skip() else {
        return;
    };
    let (emulator, api) = start().await;
    catalogue::catalogue(&api).await;
    let (key, fingerprint, vpc) = catalogue::keys_and_vpcs(&api).await;
    let ids = droplets::droplets(&api, &key, &fingerprint, &vpc).await;
    droplets::droplet_actions(&emulator, &api, &ids).await;
    networking::firewalls(&api, &ids).await;
    storage::volumes(&api, &ids).await;
    storage::databases(&api, &ids, &vpc).await;
    dns_and_tags::domains(&api).await;
    networking::reserved_ips(&api, &ids).await;
    dns_and_tags::tags(&api, &ids).await;
    networking::load_balancers(&api, &ids, &vpc).await;
    faults::faults(&emulator, &api).await;
    faults::cleanup(&api, &ids, &vpc).await;
    api.expect(204, "DELETE", &format!("/v2/account/keys/{key}"), None)
        .await;

    let exchanges = emulator.exchanges();
    let mut problems = Vec::new();
    let mut exercised = BTreeSet::new();
    for exchange in &exchanges {
        let (op, found) = check_exchange(&spec, exchange);
        if let Some(op) = op {
            if exchange.status < 300 {
                exercised.insert(op);
            }
        }
        for problem in found {
            problems.push(format!(
                "{} {} -> {}: {problem}",
                exchange.method, exchange.path, exchange.status
            ));
        }
    }
    // The deliberate request to an unknown path has no operation; it is the only one allowed.
    problems.retain(|p| !p.starts_with("GET /v2/no-such-path"));
    assert!(
        problems.is_empty(),
        "{} of {} exchanges break the description:\n{}",
        problems.len(),
        exchanges.len(),
        problems.join("\n")
    );
    let missing: Vec<&&str> = SERVED
        .iter()
        .filter(|op| !exercised.contains(**op))
        .collect();
    assert!(
        missing.is_empty(),
        "operations never exercised: {missing:?}"
    );
    assert!(
        exchanges.len() > 200,
        "the scenario recorded {} exchanges",
        exchanges.len()
    );
}
