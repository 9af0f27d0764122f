//! The host-level settings of a container from its planned value: privileges, capabilities,
//! devices, limits, DNS, extra hosts, logging options, `mounts` and `volumes.from_container`.
//!
//! Pure and synchronous like `spec`; bad input gives a diagnostic naming the attribute.

use bollard::models::{
    DeviceMapping, DeviceRequest, HostConfig, HostConfigCgroupnsModeEnum, Mount, MountBindOptions,
    MountBindOptionsPropagationEnum, MountTmpfsOptions, MountTypeEnum, MountVolumeOptions,
    MountVolumeOptionsDriverConfig, ResourcesUlimits,
};
use plinth_sdk::{AttrPath, Diagnostic, Diagnostics, Value};

use super::spec::MB;
use crate::attrs;

/// A set of strings as a list, None when empty or null.
fn list(planned: &Value, name: &str) -> Option<Vec<String>> {
    attrs::strings(planned, name).filter(|l| !l.is_empty())
}

/// A map of strings, None when empty or null.
fn map(planned: &Value, name: &str) -> Option<std::collections::HashMap<String, String>> {
    Some(attrs::string_map(planned, name)).filter(|m| !m.is_empty())
}

fn invalid(attr: AttrPath, summary: String, detail: &str) -> Diagnostics {
    Diagnostic::error(summary)
        .with_detail(detail)
        .with_attribute(attr)
        .into()
}

/// Sets everything of `host` that these attributes describe.
pub fn apply(planned: &Value, host: &mut HostConfig) -> Result<(), Diagnostics> {
    let flag = |name: &str| planned.get(name).and_then(Value::as_bool);
    host.privileged = flag("privileged");
    host.publish_all_ports = flag("publish_all_ports");
    host.init = flag("init");
    host.readonly_rootfs = Some(attrs::boolean(planned, "read_only", false));
    host.auto_remove = Some(attrs::boolean(planned, "rm", false));
    if let Some(caps) = attrs::blocks(planned, "capabilities").first() {
        host.cap_add = list(caps, "add");
        host.cap_drop = list(caps, "drop");
    }
    host.devices = Some(devices(planned)).filter(|d| !d.is_empty());
    host.group_add = list(planned, "group_add");
    host.dns = list(planned, "dns");
    host.dns_options = list(planned, "dns_opts");
    host.dns_search = list(planned, "dns_search");
    host.security_opt = list(planned, "security_opts");
    let extra_hosts: Vec<String> = attrs::blocks(planned, "host")
        .into_iter()
        .filter_map(|h| {
            Some(format!(
                "{}:{}",
                attrs::non_empty(h, "host")?,
                attrs::non_empty(h, "ip")?
            ))
        })
        .collect();
    host.extra_hosts = Some(extra_hosts).filter(|h| !h.is_empty());
    host.tmpfs = map(planned, "tmpfs");
    host.sysctls = map(planned, "sysctls");
    host.storage_opt = map(planned, "storage_opts");
    host.ulimits = Some(ulimits(planned)).filter(|u| !u.is_empty());
    if let Some(config) = host.log_config.as_mut() {
        config.config = map(planned, "log_opts");
    } else if let Some(options) = map(planned, "log_opts") {
        host.log_config = Some(bollard::models::HostConfigLogConfig {
            typ: None,
            config: Some(options),
        });
    }
    let string = |name: &str| attrs::non_empty(planned, name).map(str::to_string);
    host.ipc_mode = string("ipc_mode");
    host.pid_mode = string("pid_mode");
    host.userns_mode = string("userns_mode");
    host.runtime = string("runtime");
    host.cgroup_parent = string("cgroup_parent");
    host.cpuset_cpus = string("cpu_set");
    host.cgroupns_mode = match attrs::non_empty(planned, "cgroupns_mode") {
        None => None,
        Some("private") => Some(HostConfigCgroupnsModeEnum::PRIVATE),
        Some("host") => Some(HostConfigCgroupnsModeEnum::HOST),
        Some(other) => {
            return Err(invalid(
                AttrPath::attr("cgroupns_mode"),
                format!("invalid cgroupns_mode \"{other}\""),
                "expected private or host",
            ))
        }
    };
    host.shm_size = attrs::integer(planned, "shm_size")
        .filter(|s| *s > 0)
        .map(|s| s * MB);
    host.memory_reservation = attrs::integer(planned, "memory_reservation")
        .filter(|m| *m > 0)
        .map(|m| m * MB);
    host.memory_swap = memory_swap(planned);
    host.cpu_period = attrs::integer(planned, "cpu_period").filter(|c| *c > 0);
    host.cpu_quota = attrs::integer(planned, "cpu_quota").filter(|c| *c > 0);
    host.nano_cpus = nano_cpus(planned)?;
    host.device_requests = attrs::non_empty(planned, "gpus").map(|_| {
        vec![DeviceRequest {
            count: Some(-1),
            capabilities: Some(vec![vec!["gpu".to_string()]]),
            ..DeviceRequest::default()
        }]
    });
    host.volumes_from = Some(
        attrs::blocks(planned, "volumes")
            .into_iter()
            .filter_map(|v| attrs::non_empty(v, "from_container").map(str::to_string))
            .collect::<Vec<_>>(),
    )
    .filter(|v| !v.is_empty());
    let mounts = mounts(planned)?;
    host.mounts = Some(mounts).filter(|m| !m.is_empty());
    Ok(())
}

/// `memory_swap` in bytes (-1 stays unlimited); with only `memory` set, swap is unlimited.
pub fn memory_swap(planned: &Value) -> Option<i64> {
    match attrs::integer(planned, "memory_swap") {
        Some(swap) if swap > 0 => Some(swap * MB),
        Some(-1) => Some(-1),
        _ => attrs::integer(planned, "memory")
            .filter(|m| *m > 0)
            .map(|_| -1),
    }
}

/// `cpus` ("1.5") in billionths of a CPU.
fn nano_cpus(planned: &Value) -> Result<Option<i64>, Diagnostics> {
    let Some(text) = attrs::non_empty(planned, "cpus") else {
        return Ok(None);
    };
    match text.trim().parse::<f64>() {
        Ok(cpus) if cpus > 0.0 => Ok(Some((cpus * 1e9).round() as i64)),
        _ => Err(invalid(
            AttrPath::attr("cpus"),
            format!("invalid cpus \"{text}\""),
            "expected a positive number of CPUs such as 0.5 or 2",
        )),
    }
}

fn devices(planned: &Value) -> Vec<DeviceMapping> {
    attrs::blocks(planned, "devices")
        .into_iter()
        .filter_map(|d| {
            let host_path = attrs::non_empty(d, "host_path")?;
            Some(DeviceMapping {
                path_on_host: Some(host_path.to_string()),
                path_in_container: Some(
                    attrs::non_empty(d, "container_path")
                        .unwrap_or(host_path)
                        .to_string(),
                ),
                cgroup_permissions: Some(
                    attrs::non_empty(d, "permissions")
                        .unwrap_or("rwm")
                        .to_string(),
                ),
            })
        })
        .collect()
}

fn ulimits(planned: &Value) -> Vec<ResourcesUlimits> {
    attrs::blocks(planned, "ulimit")
        .into_iter()
        .filter_map(|u| {
            Some(ResourcesUlimits {
                name: Some(attrs::non_empty(u, "name")?.to_string()),
                soft: attrs::integer(u, "soft"),
                hard: attrs::integer(u, "hard"),
            })
        })
        .collect()
}

/// The `mounts` blocks as the Engine's mount specs.
pub fn mounts(planned: &Value) -> Result<Vec<Mount>, Diagnostics> {
    let mut out = Vec::new();
    for (index, block) in attrs::blocks(planned, "mounts").into_iter().enumerate() {
        let path = |name: &str| AttrPath::attr("mounts").index(index as u64).then(name);
        let target = attrs::non_empty(block, "target")
            .ok_or_else(|| invalid(path("target"), "mounts.target is required".into(), ""))?;
        let kind = attrs::non_empty(block, "type").unwrap_or_default();
        let typ = match kind {
            "bind" => MountTypeEnum::BIND,
            "volume" => MountTypeEnum::VOLUME,
            "tmpfs" => MountTypeEnum::TMPFS,
            other => {
                return Err(invalid(
                    path("type"),
                    format!("invalid mount type \"{other}\""),
                    "expected bind, volume or tmpfs",
                ))
            }
        };
        let bind_options = match attrs::blocks(block, "bind_options").first() {
            Some(options) => {
                let propagation = match attrs::non_empty(options, "propagation") {
                    None => None,
                    Some(text) => Some(text.parse::<MountBindOptionsPropagationEnum>().map_err(
                        |_| {
                            invalid(
                                path("bind_options"),
                                format!("invalid bind propagation \"{text}\""),
                                "expected private, rprivate, shared, rshared, slave or rslave",
                            )
                        },
                    )?),
                };
                Some(MountBindOptions {
                    propagation,
                    ..MountBindOptions::default()
                })
            }
            None => None,
        };
        let volume_options = attrs::blocks(block, "volume_options")
            .first()
            .map(|options| {
                let labels: std::collections::HashMap<String, String> =
                    attrs::blocks(options, "labels")
                        .into_iter()
                        .filter_map(|l| {
                            Some((
                                attrs::string(l, "label")?.to_string(),
                                attrs::string(l, "value")?.to_string(),
                            ))
                        })
                        .collect();
                let driver = attrs::non_empty(options, "driver_name").map(str::to_string);
                let driver_options = map(options, "driver_options");
                MountVolumeOptions {
                    no_copy: options.get("no_copy").and_then(Value::as_bool),
                    labels: Some(labels).filter(|l| !l.is_empty()),
                    driver_config: (driver.is_some() || driver_options.is_some()).then_some(
                        MountVolumeOptionsDriverConfig {
                            name: driver,
                            options: driver_options,
                        },
                    ),
                    subpath: attrs::non_empty(options, "subpath").map(str::to_string),
                }
            });
        let tmpfs_options = attrs::blocks(block, "tmpfs_options")
            .first()
            .map(|options| MountTmpfsOptions {
                size_bytes: attrs::integer(options, "size_bytes").filter(|s| *s > 0),
                mode: attrs::integer(options, "mode").filter(|m| *m > 0),
                options: None,
            });
        out.push(Mount {
            target: Some(target.to_string()),
            source: attrs::non_empty(block, "source").map(str::to_string),
            typ: Some(typ),
            read_only: block.get("read_only").and_then(Value::as_bool),
            bind_options,
            volume_options,
            tmpfs_options,
            ..Mount::default()
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn planned(pairs: Vec<(&'static str, Value)>) -> Value {
        attrs::with(Value::object([("name", Value::from("c"))]), pairs)
    }

    #[test]
    fn privileges_devices_limits_and_dns_reach_the_host_config() {
        let v = planned(vec![
            ("privileged", Value::Bool(true)),
            (
                "capabilities",
                Value::object([("add", Value::set(vec![Value::from("NET_ADMIN")]))]),
            ),
            (
                "devices",
                Value::set(vec![Value::object([(
                    "host_path",
                    Value::from("/dev/null"),
                )])]),
            ),
            ("dns", Value::set(vec![Value::from("127.0.0.1")])),
            ("shm_size", Value::from(128i64)),
            ("cpus", Value::from("1.5")),
            ("memory", Value::from(64i64)),
            (
                "ulimit",
                Value::set(vec![Value::object([
                    ("name", Value::from("nofile")),
                    ("soft", Value::from(1024i64)),
                    ("hard", Value::from(2048i64)),
                ])]),
            ),
        ]);
        let mut host = HostConfig::default();
        apply(&v, &mut host).expect("host config");
        assert_eq!(host.privileged, Some(true));
        assert_eq!(host.cap_add, Some(vec!["NET_ADMIN".to_string()]));
        let device = &host.devices.expect("devices")[0];
        assert_eq!(device.path_in_container.as_deref(), Some("/dev/null"));
        assert_eq!(device.cgroup_permissions.as_deref(), Some("rwm"));
        assert_eq!(host.dns, Some(vec!["127.0.0.1".to_string()]));
        assert_eq!(host.shm_size, Some(128 * MB));
        assert_eq!(host.nano_cpus, Some(1_500_000_000));
        assert_eq!(host.memory_swap, Some(-1));
        assert_eq!(host.ulimits.expect("ulimits")[0].hard, Some(2048));
    }

    #[test]
    fn mounts_of_each_type_and_bad_types_are_diagnosed() {
        let v = planned(vec![(
            "mounts",
            Value::set(vec![
                Value::object([
                    ("target", Value::from("/cache")),
                    ("type", Value::from("tmpfs")),
                    (
                        "tmpfs_options",
                        Value::object([("size_bytes", Value::from(1_000_000i64))]),
                    ),
                ]),
                Value::object([
                    ("target", Value::from("/data")),
                    ("type", Value::from("volume")),
                    ("source", Value::from("data")),
                    (
                        "volume_options",
                        Value::object([("no_copy", Value::Bool(true))]),
                    ),
                ]),
            ]),
        )]);
        let made = mounts(&v).expect("mounts");
        let of = |typ: MountTypeEnum| {
            made.iter()
                .find(|m| m.typ == Some(typ))
                .expect("a mount of the type")
        };
        let tmpfs = of(MountTypeEnum::TMPFS);
        assert_eq!(
            tmpfs.tmpfs_options.as_ref().and_then(|t| t.size_bytes),
            Some(1_000_000)
        );
        let volume = of(MountTypeEnum::VOLUME);
        assert_eq!(
            volume.volume_options.as_ref().and_then(|o| o.no_copy),
            Some(true)
        );
        let bad = planned(vec![(
            "mounts",
            Value::set(vec![Value::object([
                ("target", Value::from("/x")),
                ("type", Value::from("nfs")),
            ])]),
        )]);
        let err = mounts(&bad).expect_err("bad type").to_string();
        assert!(err.contains("invalid mount type \"nfs\""), "{err}");
    }
}
