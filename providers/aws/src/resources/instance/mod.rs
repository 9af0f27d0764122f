//! `aws_instance`: an EC2 instance. RunInstances carries the intent token twice: as
//! `ClientToken` (AWS's own idempotency: a retried call makes no second instance) and as a tag
//! in the tag specifications of the instance and its volumes, so an interrupted create is
//! adopted. Creates wait until the instance runs, deletes until it is terminated, with progress.
//! A new `instance_type` or `user_data` stops the instance, modifies it and starts it again, in
//! place (unless `user_data_replace_on_change`); security groups and tags change without a stop.
//! `user_data` is stored hashed, as Terraform stores it. Refresh reads every instance in one
//! DescribeInstances call per 200 (paginated), and the configured root volumes in one
//! DescribeVolumes call. A terminated instance is gone. Imported by id.

mod render;

use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_ec2::primitives::Blob;
use aws_sdk_ec2::types::{
    AttributeValue, BlockDeviceMapping, EbsBlockDevice, Instance,
    InstanceNetworkInterfaceSpecification, InstanceStateName, InstanceType, ResourceType,
    SecureBlobAttributeValue, Volume, VolumeType,
};
use plinth_sdk::wait::{self, Poll};
use plinth_sdk::{
    AdoptRequest, AdoptResponse, AttrPath, Attribute, Context, CrashSafety, CreateRequest,
    DeleteRequest, DeleteResponse, NestedBlock, ObjectResponse, PlanRequest, PlanResponse,
    ReadManyResponse, ReadResult, Resource, Schema, Type, UpdateRequest, Value,
};

use crate::attrs::{self, State};
use crate::batch::{self, filter};
use crate::client::Client;
use crate::error::AwsError;
use crate::resources::vpc::adopt_failed;
use crate::resources::{id, timeouts, wait_error};
use crate::tags;
use render::{render, root_volume_id, user_data_base64, user_data_hash};

/// The resource type.
pub struct InstanceResource;

const TYPE: &str = "aws_instance";

async fn describe(
    client: &Client,
    name: &str,
    values: Vec<String>,
) -> Result<Vec<Instance>, AwsError> {
    let reservations = client
        .ec2
        .describe_instances()
        .filters(filter(name, values))
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await?;
    Ok(reservations
        .iter()
        .flat_map(|r| r.instances().iter().cloned())
        .filter(|i| state_of(i) != "terminated")
        .collect())
}

fn state_of(instance: &Instance) -> &str {
    instance
        .state()
        .and_then(|s| s.name())
        .map_or("unknown", InstanceStateName::as_str)
}

/// The root volumes of `instances` whose prior object manages `root_block_device`, read
/// [`batch::CHUNK`] ids a call (AWS's limit on the values of one filter).
async fn volumes(client: &Client, ids: Vec<String>) -> Result<HashMap<String, Volume>, AwsError> {
    let mut found = HashMap::new();
    for chunk in ids.chunks(batch::CHUNK) {
        let volumes = client
            .ec2
            .describe_volumes()
            .filters(filter("volume-id", chunk.iter().cloned()))
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await?;
        found.extend(
            volumes
                .into_iter()
                .filter_map(|v| Some((v.volume_id()?.to_string(), v))),
        );
    }
    Ok(found)
}

async fn current(client: &Client, id: &str, prior: &Value) -> Result<Option<Value>, AwsError> {
    let Some(instance) = describe(client, "instance-id", vec![id.to_string()])
        .await?
        .pop()
    else {
        return Ok(None);
    };
    let wanted = if attrs::blocks(prior, "root_block_device").is_empty() {
        vec![]
    } else {
        root_volume_id(&instance)
            .map(str::to_string)
            .into_iter()
            .collect()
    };
    let volumes = volumes(client, wanted).await?;
    Ok(Some(render(client, &instance, &volumes, prior)))
}

/// The instance's user data (base64, as AWS answers it), if it has any; an instance that is
/// gone has none.
async fn user_data_of(client: &Client, id: &str) -> Result<Option<String>, AwsError> {
    let answer = client
        .ec2
        .describe_instance_attribute()
        .instance_id(id)
        .attribute(aws_sdk_ec2::types::InstanceAttributeName::UserData)
        .send()
        .await
        .map_err(AwsError::from);
    match answer {
        Ok(out) => Ok(out
            .user_data()
            .and_then(|u| u.value())
            .filter(|v| !v.is_empty())
            .map(str::to_string)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e),
    }
}

/// Waits until the instance is in `target` (`running`, `stopped`; `terminated` also when gone).
async fn wait_for(client: &Client, ctx: &Context, id: &str, target: &str) -> Result<(), AwsError> {
    let what = format!("waiting for the instance {id} to be {target}");
    wait::until_growing(
        ctx,
        &what,
        Duration::from_millis(500),
        Duration::from_secs(10),
        || async {
            let answer = client
                .ec2
                .describe_instances()
                .filters(filter("instance-id", [id]))
                .send()
                .await
                .map_err(AwsError::from)?;
            let state = answer
                .reservations()
                .iter()
                .flat_map(|r| r.instances())
                .map(state_of)
                .next()
                .unwrap_or("terminated");
            if state == target {
                Ok(Poll::Ready(()))
            } else if target != "terminated" && matches!(state, "terminated" | "shutting-down") {
                Err(AwsError::other(format!("the instance {id} is {state}")))
            } else {
                Ok(Poll::Pending(state.to_string()))
            }
        },
    )
    .await
    .map_err(wait_error)
}

fn root_block_schema() -> Schema {
    Schema::new()
        .attr(
            "volume_size",
            Attribute::optional_computed(Type::Number).describe("Its size in GiB."),
        )
        .attr(
            "volume_type",
            Attribute::optional_computed(Type::String).describe("`gp3`, `gp2`, `io1`..."),
        )
        .attr(
            "encrypted",
            Attribute::optional_computed(Type::Bool).describe("Whether it is encrypted."),
        )
        .attr(
            "delete_on_termination",
            Attribute::optional(Type::Bool)
                .default(true)
                .describe("Whether it goes with the instance."),
        )
        .attr(
            "volume_id",
            Attribute::computed(Type::String).describe("The volume's id."),
        )
        .attr(
            "device_name",
            Attribute::computed(Type::String).describe("Its device."),
        )
}

fn root_mapping(planned: &Value) -> Option<BlockDeviceMapping> {
    let blocks = attrs::blocks(planned, "root_block_device");
    let block = blocks.first()?;
    let ebs = EbsBlockDevice::builder()
        .set_volume_size(attrs::integer(block, "volume_size").map(|s| s as i32))
        .set_volume_type(attrs::string(block, "volume_type").map(VolumeType::from))
        .set_encrypted(attrs::boolean(block, "encrypted"))
        .delete_on_termination(attrs::boolean(block, "delete_on_termination").unwrap_or(true))
        .build();
    // The root device's name depends on the image; "/dev/xvda" and "/dev/sda1" are the usual.
    Some(
        BlockDeviceMapping::builder()
            .device_name(attrs::string(block, "device_name").unwrap_or("/dev/xvda"))
            .ebs(ebs)
            .build(),
    )
}

async fn run(client: &Client, request: &CreateRequest) -> Result<Instance, AwsError> {
    let planned = &request.planned;
    let user_data = String::from_utf8(request.private.clone()).unwrap_or_default();
    let groups = attrs::strings(planned, "vpc_security_group_ids");
    let groups = (!groups.is_empty()).then_some(groups);
    let subnet = attrs::string(planned, "subnet_id").map(str::to_string);
    let mut call = client
        .ec2
        .run_instances()
        .image_id(attrs::string(planned, "ami").unwrap_or_default())
        .instance_type(InstanceType::from(
            attrs::string(planned, "instance_type").unwrap_or_default(),
        ))
        .min_count(1)
        .max_count(1)
        .client_token(&request.intent.token)
        .set_key_name(attrs::string(planned, "key_name").map(str::to_string))
        .set_user_data((!user_data.is_empty()).then(|| user_data_base64(&user_data)))
        .set_block_device_mappings(root_mapping(planned).map(|m| vec![m]))
        .tag_specifications(tags::specification(
            &client.tags,
            ResourceType::Instance,
            planned,
            &request.intent,
        ))
        .tag_specifications(tags::specification(
            &client.tags,
            ResourceType::Volume,
            planned,
            &request.intent,
        ));
    if let Some(zone) = attrs::string(planned, "availability_zone") {
        call = call.placement(
            aws_sdk_ec2::types::Placement::builder()
                .availability_zone(zone)
                .build(),
        );
    }
    call = match attrs::boolean(planned, "associate_public_ip_address") {
        Some(public) => call.network_interfaces(
            InstanceNetworkInterfaceSpecification::builder()
                .device_index(0)
                .associate_public_ip_address(public)
                .set_subnet_id(subnet)
                .set_groups(groups)
                .set_private_ip_address(attrs::string(planned, "private_ip").map(str::to_string))
                .build(),
        ),
        None => call
            .set_subnet_id(subnet)
            .set_security_group_ids(groups)
            .set_private_ip_address(attrs::string(planned, "private_ip").map(str::to_string)),
    };
    let out = call.send().await?;
    out.instances()
        .first()
        .cloned()
        .ok_or_else(|| AwsError::other("RunInstances answered no instance"))
}

/// Stops the instance, gives it the planned type and `script` (when they changed), and starts
/// it again.
async fn stop_modify_start(
    client: &Client,
    ctx: &Context,
    id: &str,
    prior: &Value,
    planned: &Value,
    script: &str,
) -> Result<(), AwsError> {
    client.ec2.stop_instances().instance_ids(id).send().await?;
    wait_for(client, ctx, id, "stopped").await?;
    if attrs::changed(prior, planned, "instance_type") {
        client
            .ec2
            .modify_instance_attribute()
            .instance_id(id)
            .instance_type(
                AttributeValue::builder()
                    .value(attrs::string(planned, "instance_type").unwrap_or_default())
                    .build(),
            )
            .send()
            .await?;
    }
    if attrs::changed(prior, planned, "user_data") {
        client
            .ec2
            .modify_instance_attribute()
            .instance_id(id)
            .user_data(
                SecureBlobAttributeValue::builder()
                    .value(Blob::new(script.as_bytes().to_vec()))
                    .build(),
            )
            .send()
            .await?;
    }
    client.ec2.start_instances().instance_ids(id).send().await?;
    wait_for(client, ctx, id, "running").await
}

#[async_trait]
impl Resource<Client> for InstanceResource {
    fn type_name(&self) -> &str {
        TYPE
    }

    async fn list(&self, client: &Client, _ctx: &Context) -> plinth_sdk::ListResponse {
        crate::list::answer(crate::list::instances(client).await, "instances")
    }

    fn schema(&self) -> Schema {
        let computed = |text: &str| Attribute::computed(Type::String).describe(text);
        tags::attributes(Schema::new())
            .attr("id", computed("The instance's id (i-...)."))
            .attr("arn", computed("The instance's ARN."))
            .attr(
                "ami",
                Attribute::required(Type::String)
                    .force_new()
                    .describe("The image."),
            )
            .attr(
                "instance_type",
                Attribute::required(Type::String)
                    .describe("The type; a change stops, modifies and starts the instance."),
            )
            .attr(
                "subnet_id",
                Attribute::optional_computed(Type::String)
                    .force_new()
                    .describe("The subnet."),
            )
            .attr(
                "vpc_security_group_ids",
                Attribute::optional_computed(Type::set(Type::String))
                    .describe("Security group ids."),
            )
            .attr(
                "key_name",
                Attribute::optional_computed(Type::String)
                    .force_new()
                    .describe("The key pair."),
            )
            .attr(
                "availability_zone",
                Attribute::optional_computed(Type::String)
                    .force_new()
                    .describe("The zone."),
            )
            .attr(
                "user_data",
                Attribute::optional(Type::String).describe(
                    "A script run at first boot; stored as its SHA-1, as Terraform does.",
                ),
            )
            .attr(
                "user_data_replace_on_change",
                Attribute::optional(Type::Bool)
                    .default(false)
                    .not_read_back()
                    .describe(
                        "Replace the instance when user_data changes, instead of a stop and start.",
                    ),
            )
            .attr(
                "associate_public_ip_address",
                Attribute::optional_computed(Type::Bool)
                    .force_new()
                    .describe("Whether it gets a public IP (the subnet's setting when unset)."),
            )
            .attr(
                "private_ip",
                Attribute::optional_computed(Type::String)
                    .force_new()
                    .describe("Its private IP; AWS picks one when unset."),
            )
            .attr("public_ip", computed("Its public IP, if any."))
            .attr("public_dns", computed("Its public DNS name, if any."))
            .attr("private_dns", computed("Its private DNS name."))
            .attr(
                "primary_network_interface_id",
                computed("Its first network interface."),
            )
            .attr("instance_state", computed("`running`, `stopped`..."))
            .block(
                "root_block_device",
                NestedBlock::single(root_block_schema()).force_new(),
            )
            .timeouts(timeouts(10, 10, 20))
            .crash_safety(CrashSafety::Tagged)
            .describe("An EC2 instance.")
    }

    async fn plan(&self, client: &Client, _ctx: &Context, request: PlanRequest) -> PlanResponse {
        let prior = request.prior.clone();
        let script = request
            .proposed
            .get("user_data")
            .map(|v| v.unmarked().clone())
            .unwrap_or(Value::Null);
        let mut response = tags::plan(&client.tags, request);
        // State holds the script's hash; the script itself goes to create or update privately.
        if let (Value::String(script), Value::Map(planned)) = (&script, &mut response.planned) {
            planned.insert("user_data".into(), Value::from(user_data_hash(script)));
            response.private = script.clone().into_bytes();
        }
        if let Some(prior) = &prior {
            let replace =
                attrs::boolean(&response.planned, "user_data_replace_on_change") == Some(true);
            if replace && attrs::changed(prior, &response.planned, "user_data") {
                response.requires_replace.push(AttrPath::attr("user_data"));
            }
        }
        response
    }

    async fn create(
        &self,
        client: &Client,
        ctx: &Context,
        request: CreateRequest,
    ) -> ObjectResponse {
        let planned = &request.planned;
        let instance = match run(client, &request).await {
            Ok(instance) => instance,
            Err(e) => return ObjectResponse::failed(e.diagnostic("launching the instance")),
        };
        let id = instance.instance_id().unwrap_or_default().to_string();
        let waited = wait_for(client, ctx, &id, "running").await;
        let state = match current(client, &id, planned).await {
            Ok(Some(state)) => state,
            _ => render(client, &instance, &HashMap::new(), planned),
        };
        match waited {
            Ok(()) => ObjectResponse::ok(state),
            Err(e) => {
                ObjectResponse::partial(state, e.diagnostic(&format!("starting the instance {id}")))
            }
        }
    }

    async fn read_many(
        &self,
        client: &Client,
        _ctx: &Context,
        objects: Vec<Value>,
    ) -> ReadManyResponse {
        let mut response = batch::read(
            &objects,
            "reading instances",
            |ids| async move {
                Ok(describe(client, "instance-id", ids)
                    .await?
                    .into_iter()
                    .map(|i| (i.instance_id().unwrap_or_default().to_string(), i))
                    .collect())
            },
            |instance: &Instance, prior| Some(render(client, instance, &HashMap::new(), prior)),
        )
        .await;
        // Root volumes of the instances whose configuration manages them: one more call.
        let managed: Vec<(usize, String)> = objects
            .iter()
            .enumerate()
            .filter(|(_, o)| !attrs::blocks(o, "root_block_device").is_empty())
            .filter_map(|(i, o)| {
                let volume = attrs::blocks(o, "root_block_device")
                    .first()
                    .and_then(|b| attrs::string(b, "volume_id"))?
                    .to_string();
                Some((i, volume))
            })
            .collect();
        if !managed.is_empty() {
            match volumes(client, managed.iter().map(|(_, v)| v.clone()).collect()).await {
                Ok(found) => {
                    for (index, volume) in managed {
                        if let ReadResult::Found(state) = &mut response.results[index] {
                            let mut updated = State::from(state);
                            let blocks = attrs::blocks(state, "root_block_device");
                            if let (Some(block), Some(volume)) =
                                (blocks.first(), found.get(&volume))
                            {
                                let mut block = State::from(block);
                                block
                                    .set(
                                        "volume_size",
                                        volume.size().map_or(Value::Null, |s| Value::int(s.into())),
                                    )
                                    .set(
                                        "volume_type",
                                        attrs::opt(volume.volume_type().map(|t| t.as_str())),
                                    )
                                    .set(
                                        "encrypted",
                                        Value::Bool(volume.encrypted().unwrap_or(false)),
                                    );
                                updated.set("root_block_device", Value::List(vec![block.build()]));
                            }
                            *state = updated.build();
                        }
                    }
                }
                Err(e) => {
                    for (index, _) in managed {
                        response.results[index] =
                            ReadResult::Failed(e.diagnostics("reading root volumes"));
                    }
                }
            }
        }
        response
    }

    async fn update(
        &self,
        client: &Client,
        ctx: &Context,
        request: UpdateRequest,
    ) -> ObjectResponse {
        let id = match id(&request.prior, TYPE) {
            Ok(id) => id,
            Err(d) => return ObjectResponse::failed(d),
        };
        let (prior, planned) = (&request.prior, &request.planned);
        let doing = format!("updating the instance {id}");
        let mut result = Ok(());
        if attrs::changed(prior, planned, "vpc_security_group_ids") {
            result = client
                .ec2
                .modify_instance_attribute()
                .instance_id(&id)
                .set_groups(Some(attrs::strings(planned, "vpc_security_group_ids")))
                .send()
                .await
                .map(|_| ())
                .map_err(AwsError::from);
        }
        if result.is_ok()
            && (attrs::changed(prior, planned, "instance_type")
                || attrs::changed(prior, planned, "user_data"))
        {
            let script = String::from_utf8(request.private.clone()).unwrap_or_default();
            result = stop_modify_start(client, ctx, &id, prior, planned, &script).await;
        }
        if result.is_ok() {
            result = tags::update(client, &id, prior, planned).await;
        }
        match (result, current(client, &id, planned).await) {
            (Ok(()), Ok(Some(state))) => ObjectResponse::ok(state),
            (Err(e), Ok(Some(state))) => {
                // What changed is recorded; the next plan shows what is left to do.
                let mut partial = State::from(&state);
                if attrs::changed(prior, planned, "user_data") {
                    partial.set(
                        "user_data",
                        prior.get("user_data").cloned().unwrap_or_default(),
                    );
                }
                ObjectResponse::partial(partial.build(), e.diagnostic(&doing))
            }
            (Err(e), _) | (_, Err(e)) => ObjectResponse::failed(e.diagnostic(&doing)),
            (Ok(()), Ok(None)) => {
                ObjectResponse::failed(AwsError::other("it no longer exists").diagnostic(&doing))
            }
        }
    }

    async fn delete(
        &self,
        client: &Client,
        ctx: &Context,
        request: DeleteRequest,
    ) -> DeleteResponse {
        let id = match id(&request.prior, TYPE) {
            Ok(id) => id,
            Err(d) => return d.into(),
        };
        let doing = format!("terminating the instance {id}");
        match client
            .ec2
            .terminate_instances()
            .instance_ids(&id)
            .send()
            .await
            .map_err(AwsError::from)
        {
            Err(e) if e.is_not_found() => return DeleteResponse::default(),
            Err(e) => return e.diagnostics(&doing).into(),
            Ok(_) => {}
        }
        match wait_for(client, ctx, &id, "terminated").await {
            Ok(()) => DeleteResponse::default(),
            Err(e) => e.diagnostics(&doing).into(),
        }
    }

    async fn import(&self, client: &Client, _ctx: &Context, id: &str) -> ObjectResponse {
        let doing = format!("importing the instance {id:?}");
        // `user_data_replace_on_change` is plinth's setting, not AWS's: AWS cannot say it, so an import
        // takes its default, which the configuration leaving it out plans too (an import block
        // takes the configured one: it is `not_read_back`). The script is read back, hashed.
        let user_data = match user_data_of(client, id).await {
            Ok(script) => script.map_or(Value::Null, |s| Value::from(user_data_hash(&s))),
            Err(e) => return ObjectResponse::failed(e.diagnostic(&doing)),
        };
        let prior = Value::object([
            ("user_data_replace_on_change", Value::Bool(false)),
            ("user_data", user_data),
        ]);
        match current(client, id, &prior).await {
            Ok(Some(state)) => ObjectResponse::ok(state),
            Ok(None) => {
                ObjectResponse::failed(AwsError::other("no such instance").diagnostic(&doing))
            }
            Err(e) => ObjectResponse::failed(e.diagnostic(&doing)),
        }
    }

    async fn adopt(&self, client: &Client, _ctx: &Context, request: AdoptRequest) -> AdoptResponse {
        let found = describe(
            client,
            &format!("tag:{}", tags::INTENT_KEY),
            vec![request.intent.token.clone()],
        )
        .await;
        let id = match found {
            Ok(found) => found
                .first()
                .and_then(|i| i.instance_id())
                .map(str::to_string),
            Err(e) => return adopt_failed(e, "instance"),
        };
        let Some(id) = id else {
            return AdoptResponse::default();
        };
        match current(client, &id, &request.planned).await {
            Ok(found) => AdoptResponse {
                found,
                ..AdoptResponse::default()
            },
            Err(e) => adopt_failed(e, "instance"),
        }
    }
}
