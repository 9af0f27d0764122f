//! An instance's state from DescribeInstances (and DescribeVolumes for a configured
//! `root_block_device`), and `user_data` stored as Terraform stores it: the SHA-1 of the
//! (base64-decoded) script, in hexadecimal.

use std::collections::HashMap;

use aws_sdk_ec2::types::{Instance, Volume};
use base64::Engine;
use plinth_sdk::Value;
use sha1::{Digest, Sha1};

use crate::attrs::{self, State};
use crate::client::Client;
use crate::tags;

/// What Terraform stores for `user_data`: the SHA-1 of the script (decoded when it is base64).
pub fn user_data_hash(user_data: &str) -> String {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(user_data)
        .unwrap_or_else(|_| user_data.as_bytes().to_vec());
    Sha1::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The script as RunInstances wants it: base64, encoding it unless it already is.
pub fn user_data_base64(user_data: &str) -> String {
    let engine = base64::engine::general_purpose::STANDARD;
    if engine.decode(user_data).is_ok() {
        user_data.to_string()
    } else {
        engine.encode(user_data)
    }
}

/// The instance's root volume id, if AWS says which it is.
pub fn root_volume_id(instance: &Instance) -> Option<&str> {
    let root = instance.root_device_name()?;
    instance
        .block_device_mappings()
        .iter()
        .find(|m| m.device_name() == Some(root))?
        .ebs()?
        .volume_id()
}

/// The state of an instance; `prior` is the plan or the object as state has it. A
/// `root_block_device` block is shown only when the prior object has one (the configuration
/// manages it), read from `volumes`.
pub fn render(
    client: &Client,
    instance: &Instance,
    volumes: &HashMap<String, Volume>,
    prior: &Value,
) -> Value {
    let mut state = State::from(prior);
    let id = instance.instance_id().unwrap_or_default();
    let owner = instance
        .network_interfaces()
        .first()
        .and_then(|n| n.owner_id())
        .unwrap_or_default();
    let mut groups: Vec<&str> = instance
        .security_groups()
        .iter()
        .filter_map(|g| g.group_id())
        .collect();
    if groups.is_empty() {
        // An instance launched with a network interface specification (a public address
        // requested) may list its groups only on that interface.
        groups = primary_interface(instance)
            .map(|n| n.groups().iter().filter_map(|g| g.group_id()).collect())
            .unwrap_or_default();
    }
    state
        .set("id", id)
        .set("arn", client.arn("ec2", owner, &format!("instance/{id}")))
        .set("ami", attrs::opt(instance.image_id()))
        .set(
            "instance_type",
            attrs::opt(instance.instance_type().map(|t| t.as_str())),
        )
        .set("subnet_id", attrs::opt(instance.subnet_id()))
        .set("vpc_security_group_ids", attrs::string_set(groups))
        .set("key_name", attrs::opt(instance.key_name()))
        .set(
            "availability_zone",
            attrs::opt(instance.placement().and_then(|p| p.availability_zone())),
        )
        .set("public_ip", attrs::opt(instance.public_ip_address()))
        .set("private_ip", attrs::opt(instance.private_ip_address()))
        .set("public_dns", attrs::opt(instance.public_dns_name()))
        .set("private_dns", attrs::opt(instance.private_dns_name()))
        .set(
            "primary_network_interface_id",
            attrs::opt(
                instance
                    .network_interfaces()
                    .first()
                    .and_then(|n| n.network_interface_id()),
            ),
        )
        .set(
            "instance_state",
            attrs::opt(instance.state().and_then(|s| s.name()).map(|n| n.as_str())),
        );
    if attrs::boolean(prior, "associate_public_ip_address").is_none() {
        state.set(
            "associate_public_ip_address",
            instance.public_ip_address().is_some(),
        );
    }
    let managed = !attrs::blocks(prior, "root_block_device").is_empty();
    if let (true, Some(volume)) = (
        managed,
        root_volume_id(instance).and_then(|v| volumes.get(v)),
    ) {
        let configured = attrs::blocks(prior, "root_block_device");
        let configured = configured.first();
        let delete_on_termination = configured
            .and_then(|b| attrs::boolean(b, "delete_on_termination"))
            .unwrap_or(true);
        state.set(
            "root_block_device",
            Value::List(vec![Value::object([
                ("volume_id", attrs::opt(volume.volume_id())),
                ("device_name", attrs::opt(instance.root_device_name())),
                (
                    "volume_size",
                    volume.size().map_or(Value::Null, |s| Value::int(s.into())),
                ),
                (
                    "volume_type",
                    attrs::opt(volume.volume_type().map(|t| t.as_str())),
                ),
                (
                    "encrypted",
                    Value::Bool(volume.encrypted().unwrap_or(false)),
                ),
                ("delete_on_termination", Value::Bool(delete_on_termination)),
            ])]),
        );
    }
    tags::render(&client.tags, instance.tags(), prior, &mut state);
    state.build()
}

/// The interface at device index 0, the one an instance is launched with.
fn primary_interface(instance: &Instance) -> Option<&aws_sdk_ec2::types::InstanceNetworkInterface> {
    instance.network_interfaces().iter().find(|n| {
        n.attachment()
            .and_then(|a| a.device_index())
            .is_none_or(|index| index == 0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_data_is_hashed_like_terraform_whether_or_not_it_is_base64() {
        let script = "#!/bin/sh\necho hi\n";
        let hash = user_data_hash(script);
        assert_eq!(hash, "b2b62c101a156f5f12dd7197cf7ae9424164b115");
        let encoded = user_data_base64(script);
        assert_ne!(encoded, script);
        assert_eq!(user_data_hash(&encoded), hash, "the same script either way");
        assert_eq!(user_data_base64(&encoded), encoded, "never encoded twice");
    }
}
