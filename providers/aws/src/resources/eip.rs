//! `aws_eip` (an Elastic IP, tagged at creation with the intent token, optionally associated
//! with an instance or network interface) and `aws_eip_association` (an address associated
//! with an instance, found after a crash by the address and instance). An address is
//! disassociated before it is released. Refresh reads every address in one DescribeAddresses
//! call per 200; one DescribeAddresses call lists either. Import ids: the allocation id; the
//! association id.

use async_trait::async_trait;
use aws_sdk_ec2::types::{Address, DomainType, ResourceType};
use plinth_sdk::{
    AdoptRequest, AdoptResponse, Attribute, Context, CrashSafety, CreateRequest, DeleteRequest,
    DeleteResponse, ObjectResponse, PlanRequest, PlanResponse, ReadManyResponse, Resource, Schema,
    Type, UpdateRequest, Value,
};

use crate::attrs::{self, State};
use crate::batch::{self, filter};
use crate::client::Client;
use crate::error::AwsError;
use crate::resources::vpc::adopt_failed;
use crate::resources::{id, timeouts};
use crate::tags;

/// `aws_eip`.
pub struct Eip;
/// `aws_eip_association`.
pub struct EipAssociation;

fn render(client: &Client, address: &Address, prior: &Value) -> Value {
    let mut state = State::from(prior);
    let id = address.allocation_id().unwrap_or_default();
    let public = address.public_ip().unwrap_or_default();
    state
        .set("id", id)
        .set("allocation_id", id)
        .set("arn", client.arn("ec2", "", &format!("elastic-ip/{id}")))
        .set("public_ip", public)
        .set("private_ip", attrs::opt(address.private_ip_address()))
        .set("association_id", attrs::opt(address.association_id()))
        .set("instance", attrs::opt(address.instance_id()))
        .set(
            "network_interface",
            attrs::opt(address.network_interface_id()),
        )
        .set("domain", address.domain().map_or("vpc", |d| d.as_str()))
        .set("public_dns", public_dns(&client.region, public));
    tags::render(&client.tags, address.tags(), prior, &mut state);
    state.build()
}

/// The public DNS name AWS gives an address.
fn public_dns(region: &str, ip: &str) -> String {
    let host = format!("ec2-{}", ip.replace('.', "-"));
    if region == "us-east-1" {
        format!("{host}.compute-1.amazonaws.com")
    } else {
        format!("{host}.{region}.compute.amazonaws.com")
    }
}

async fn describe(
    client: &Client,
    name: &str,
    values: Vec<String>,
) -> Result<Vec<Address>, AwsError> {
    let out = client
        .ec2
        .describe_addresses()
        .filters(filter(name, values))
        .send()
        .await?;
    Ok(out.addresses().to_vec())
}

async fn current(client: &Client, id: &str, prior: &Value) -> Result<Option<Value>, AwsError> {
    Ok(describe(client, "allocation-id", vec![id.to_string()])
        .await?
        .first()
        .map(|a| render(client, a, prior)))
}

async fn associate(
    client: &Client,
    allocation: &str,
    object: &Value,
    instance: &str,
    interface: &str,
) -> Result<Option<String>, AwsError> {
    let instance = attrs::string(object, instance).map(str::to_string);
    let interface = attrs::string(object, interface).map(str::to_string);
    if instance.is_none() && interface.is_none() {
        return Ok(None);
    }
    let out = client
        .ec2
        .associate_address()
        .allocation_id(allocation)
        .set_instance_id(instance)
        .set_network_interface_id(interface)
        .send()
        .await?;
    Ok(out.association_id().map(str::to_string))
}

async fn disassociate(client: &Client, association: &str) -> Result<(), AwsError> {
    match client
        .ec2
        .disassociate_address()
        .association_id(association)
        .send()
        .await
        .map_err(AwsError::from)
    {
        Err(e) if !e.is_not_found() => Err(e),
        _ => Ok(()),
    }
}

#[async_trait]
impl Resource<Client> for Eip {
    fn type_name(&self) -> &str {
        "aws_eip"
    }

    async fn list(&self, client: &Client, _ctx: &Context) -> plinth_sdk::ListResponse {
        crate::list::answer(crate::list::addresses(client).await, "Elastic IPs")
    }

    fn schema(&self) -> Schema {
        let computed = |text: &str| Attribute::computed(Type::String).describe(text);
        tags::attributes(Schema::new())
            .attr("id", computed("The allocation id (eipalloc-...)."))
            .attr("allocation_id", computed("The allocation id."))
            .attr("arn", computed("The address's ARN."))
            .attr(
                "domain",
                Attribute::optional_computed(Type::String)
                    .force_new()
                    .describe("`vpc` (the default)."),
            )
            .attr(
                "instance",
                Attribute::optional_computed(Type::String)
                    .describe("The instance it is associated with."),
            )
            .attr(
                "network_interface",
                Attribute::optional_computed(Type::String)
                    .describe("The network interface it is associated with."),
            )
            .attr("public_ip", computed("The address."))
            .attr("public_dns", computed("Its public DNS name."))
            .attr("private_ip", computed("The private address it maps to."))
            .attr("association_id", computed("The association, if any."))
            .timeouts(timeouts(5, 5, 5))
            .crash_safety(CrashSafety::Tagged)
            .describe("An Elastic IP address.")
    }

    async fn plan(&self, client: &Client, _ctx: &Context, request: PlanRequest) -> PlanResponse {
        tags::plan(&client.tags, request)
    }

    async fn create(
        &self,
        client: &Client,
        _ctx: &Context,
        request: CreateRequest,
    ) -> ObjectResponse {
        let planned = &request.planned;
        let made = client
            .ec2
            .allocate_address()
            .domain(DomainType::Vpc)
            .tag_specifications(tags::specification(
                &client.tags,
                ResourceType::ElasticIp,
                planned,
                &request.intent,
            ))
            .send()
            .await;
        let id = match made {
            Ok(out) => out.allocation_id().unwrap_or_default().to_string(),
            Err(e) => {
                return ObjectResponse::failed(
                    AwsError::from(e).diagnostic("allocating the address"),
                )
            }
        };
        let associated = associate(client, &id, planned, "instance", "network_interface").await;
        let state = current(client, &id, planned)
            .await
            .ok()
            .flatten()
            .unwrap_or_else(|| {
                let mut state = State::from(planned);
                state.set("id", id.as_str());
                state.build()
            });
        match associated {
            Ok(_) => ObjectResponse::ok(state),
            Err(e) => ObjectResponse::partial(
                state,
                e.diagnostic(&format!("associating the address {id}")),
            ),
        }
    }

    async fn read_many(
        &self,
        client: &Client,
        _ctx: &Context,
        objects: Vec<Value>,
    ) -> ReadManyResponse {
        batch::read(
            &objects,
            "reading Elastic IPs",
            |ids| async move {
                Ok(describe(client, "allocation-id", ids)
                    .await?
                    .into_iter()
                    .map(|a| (a.allocation_id().unwrap_or_default().to_string(), a))
                    .collect())
            },
            |address, prior| Some(render(client, address, prior)),
        )
        .await
    }

    async fn update(
        &self,
        client: &Client,
        _ctx: &Context,
        request: UpdateRequest,
    ) -> ObjectResponse {
        let id = match id(&request.prior, "aws_eip") {
            Ok(id) => id,
            Err(d) => return ObjectResponse::failed(d),
        };
        let (prior, planned) = (&request.prior, &request.planned);
        let doing = format!("updating the address {id}");
        let mut result = Ok(());
        if attrs::changed(prior, planned, "instance")
            || attrs::changed(prior, planned, "network_interface")
        {
            if let Some(association) = attrs::string(prior, "association_id") {
                result = disassociate(client, association).await;
            }
            if result.is_ok() {
                result = associate(client, &id, planned, "instance", "network_interface")
                    .await
                    .map(|_| ());
            }
        }
        if result.is_ok() {
            result = tags::update(client, &id, prior, planned).await;
        }
        match (result, current(client, &id, planned).await) {
            (Ok(()), Ok(Some(state))) => ObjectResponse::ok(state),
            (Err(e), Ok(Some(state))) => ObjectResponse::partial(state, e.diagnostic(&doing)),
            (Err(e), _) | (_, Err(e)) => ObjectResponse::failed(e.diagnostic(&doing)),
            (Ok(()), Ok(None)) => {
                ObjectResponse::failed(AwsError::other("it no longer exists").diagnostic(&doing))
            }
        }
    }

    async fn delete(
        &self,
        client: &Client,
        _ctx: &Context,
        request: DeleteRequest,
    ) -> DeleteResponse {
        let id = match id(&request.prior, "aws_eip") {
            Ok(id) => id,
            Err(d) => return d.into(),
        };
        let doing = format!("releasing the address {id}");
        // Disassociate first: AWS refuses to release an associated address.
        let association = match describe(client, "allocation-id", vec![id.clone()]).await {
            Ok(found) => found
                .first()
                .and_then(|a| a.association_id())
                .map(str::to_string),
            Err(e) => return e.diagnostics(&doing).into(),
        };
        if let Some(association) = association {
            if let Err(e) = disassociate(client, &association).await {
                return e.diagnostics(&doing).into();
            }
        }
        match client
            .ec2
            .release_address()
            .allocation_id(&id)
            .send()
            .await
            .map_err(AwsError::from)
        {
            Err(e) if !e.is_not_found() => e.diagnostics(&doing).into(),
            _ => DeleteResponse::default(),
        }
    }

    async fn import(&self, client: &Client, _ctx: &Context, id: &str) -> ObjectResponse {
        let doing = format!("importing the address {id:?}");
        match current(client, id, &Value::object::<&str>([])).await {
            Ok(Some(state)) => ObjectResponse::ok(state),
            Ok(None) => {
                ObjectResponse::failed(AwsError::other("no such address").diagnostic(&doing))
            }
            Err(e) => ObjectResponse::failed(e.diagnostic(&doing)),
        }
    }

    async fn adopt(&self, client: &Client, _ctx: &Context, request: AdoptRequest) -> AdoptResponse {
        match describe(
            client,
            &format!("tag:{}", tags::INTENT_KEY),
            vec![request.intent.token.clone()],
        )
        .await
        {
            Ok(found) => AdoptResponse {
                found: found.first().map(|a| render(client, a, &request.planned)),
                ..AdoptResponse::default()
            },
            Err(e) => adopt_failed(e, "Elastic IP"),
        }
    }
}

fn render_association(address: &Address, prior: &Value) -> Value {
    let mut state = State::from(prior);
    state
        .set("id", attrs::opt(address.association_id()))
        .set("allocation_id", attrs::opt(address.allocation_id()))
        .set("instance_id", attrs::opt(address.instance_id()))
        .set(
            "network_interface_id",
            attrs::opt(address.network_interface_id()),
        )
        .set(
            "private_ip_address",
            attrs::opt(address.private_ip_address()),
        )
        .set("public_ip", attrs::opt(address.public_ip()));
    state.build()
}

#[async_trait]
impl Resource<Client> for EipAssociation {
    fn type_name(&self) -> &str {
        "aws_eip_association"
    }

    async fn list(&self, client: &Client, _ctx: &Context) -> plinth_sdk::ListResponse {
        crate::list::answer(
            crate::list::address_associations(client).await,
            "Elastic IP associations",
        )
    }

    fn schema(&self) -> Schema {
        let forcing = |text: &str| {
            Attribute::optional_computed(Type::String)
                .force_new()
                .describe(text)
        };
        Schema::new()
            .attr(
                "id",
                Attribute::computed(Type::String).describe("The association id (eipassoc-...)."),
            )
            .attr("allocation_id", forcing("The address's allocation id."))
            .attr("instance_id", forcing("The instance."))
            .attr("network_interface_id", forcing("Or the network interface."))
            .attr(
                "private_ip_address",
                forcing("The private address to map to."),
            )
            .attr("public_ip", forcing("The address."))
            .crash_safety(CrashSafety::FoundByIdentity)
            .describe("An Elastic IP associated with an instance, found after a crash by both.")
    }

    async fn create(
        &self,
        client: &Client,
        _ctx: &Context,
        request: CreateRequest,
    ) -> ObjectResponse {
        let planned = &request.planned;
        let allocation = attrs::string(planned, "allocation_id").unwrap_or_default();
        let doing = format!("associating the address {allocation}");
        let association = match associate(
            client,
            allocation,
            planned,
            "instance_id",
            "network_interface_id",
        )
        .await
        {
            Ok(Some(association)) => association,
            Ok(None) => {
                return ObjectResponse::failed(
                    AwsError::other("set instance_id or network_interface_id").diagnostic(&doing),
                )
            }
            Err(e) => return ObjectResponse::failed(e.diagnostic(&doing)),
        };
        match describe(client, "association-id", vec![association.clone()]).await {
            Ok(found) if !found.is_empty() => {
                ObjectResponse::ok(render_association(&found[0], planned))
            }
            _ => {
                let mut state = State::from(planned);
                state.set("id", association);
                ObjectResponse::ok(state.build())
            }
        }
    }

    async fn read_many(
        &self,
        client: &Client,
        _ctx: &Context,
        objects: Vec<Value>,
    ) -> ReadManyResponse {
        batch::read(
            &objects,
            "reading Elastic IP associations",
            |ids| async move {
                Ok(describe(client, "association-id", ids)
                    .await?
                    .into_iter()
                    .map(|a| (a.association_id().unwrap_or_default().to_string(), a))
                    .collect())
            },
            |address, prior| Some(render_association(address, prior)),
        )
        .await
    }

    async fn update(
        &self,
        _client: &Client,
        _ctx: &Context,
        request: UpdateRequest,
    ) -> ObjectResponse {
        // Every attribute replaces the association: nothing changes in place.
        ObjectResponse::ok(request.planned)
    }

    async fn delete(
        &self,
        client: &Client,
        _ctx: &Context,
        request: DeleteRequest,
    ) -> DeleteResponse {
        let id = match id(&request.prior, "aws_eip_association") {
            Ok(id) => id,
            Err(d) => return d.into(),
        };
        match disassociate(client, &id).await {
            Ok(()) => DeleteResponse::default(),
            Err(e) => e.diagnostics(&format!("disassociating {id}")).into(),
        }
    }

    async fn import(&self, client: &Client, _ctx: &Context, id: &str) -> ObjectResponse {
        let doing = format!("importing the address association {id:?}");
        match describe(client, "association-id", vec![id.to_string()]).await {
            Ok(found) => match found.first() {
                Some(address) => {
                    ObjectResponse::ok(render_association(address, &Value::object::<&str>([])))
                }
                None => ObjectResponse::failed(
                    AwsError::other("no such association").diagnostic(&doing),
                ),
            },
            Err(e) => ObjectResponse::failed(e.diagnostic(&doing)),
        }
    }

    async fn adopt(&self, client: &Client, _ctx: &Context, request: AdoptRequest) -> AdoptResponse {
        let planned = &request.planned;
        let allocation = attrs::string(planned, "allocation_id").unwrap_or_default();
        let member = attrs::string(planned, "instance_id")
            .or(attrs::string(planned, "network_interface_id"));
        match describe(client, "allocation-id", vec![allocation.to_string()]).await {
            Ok(found) => AdoptResponse {
                found: found
                    .iter()
                    .find(|a| {
                        a.association_id().is_some()
                            && (a.instance_id() == member || a.network_interface_id() == member)
                    })
                    .map(|a| render_association(a, planned)),
                ..AdoptResponse::default()
            },
            Err(e) => adopt_failed(e, "Elastic IP association"),
        }
    }
}
