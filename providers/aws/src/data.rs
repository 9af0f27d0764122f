//! Data sources: `aws_region` (the configured region), `aws_caller_identity` (who the
//! credentials are, through STS), `aws_availability_zones` (the region's zones) and `aws_ami`
//! (an image found by owners, filters and name pattern, the newest when `most_recent`).

use async_trait::async_trait;
use aws_sdk_ec2::types::Image;
use plinth_sdk::{
    Attribute, Context, DataSource, Diagnostic, Diagnostics, NestedBlock, ReadDataResponse, Schema,
    Type, Value,
};

use crate::attrs::{self, State};
use crate::batch::filter;
use crate::client::Client;
use crate::error::AwsError;

/// `aws_region`.
pub struct Region;
/// `aws_caller_identity`.
pub struct CallerIdentity;
/// `aws_availability_zones`.
pub struct AvailabilityZones;
/// `aws_ami`.
pub struct Ami;

pub(crate) fn found(state: State) -> ReadDataResponse {
    ReadDataResponse {
        state: Some(state.build()),
        ..ReadDataResponse::default()
    }
}

pub(crate) fn failed(diagnostic: Diagnostic) -> ReadDataResponse {
    Diagnostics::from(diagnostic).into()
}

pub(crate) fn filter_block() -> NestedBlock {
    NestedBlock::set(
        Schema::new()
            .attr(
                "name",
                Attribute::required(Type::String).describe("The filter's name."),
            )
            .attr(
                "values",
                Attribute::required(Type::set(Type::String)).describe("Values it accepts."),
            ),
    )
}

pub(crate) fn filters(config: &Value) -> Vec<aws_sdk_ec2::types::Filter> {
    attrs::blocks(config, "filter")
        .into_iter()
        .map(|block| {
            filter(
                attrs::string(block, "name").unwrap_or_default(),
                attrs::strings(block, "values"),
            )
        })
        .collect()
}

#[async_trait]
impl DataSource<Client> for Region {
    fn type_name(&self) -> &str {
        "aws_region"
    }

    fn schema(&self) -> Schema {
        Schema::new()
            .attr(
                "id",
                Attribute::computed(Type::String).describe("The region's name."),
            )
            .attr(
                "name",
                Attribute::optional_computed(Type::String)
                    .describe("The region; the provider's when unset."),
            )
            .attr(
                "endpoint",
                Attribute::computed(Type::String).describe("Its EC2 endpoint."),
            )
            .attr(
                "description",
                Attribute::computed(Type::String).describe("A description."),
            )
    }

    async fn read(&self, client: &Client, _ctx: &Context, config: Value) -> ReadDataResponse {
        let name = attrs::string(&config, "name")
            .unwrap_or(&client.region)
            .to_string();
        let mut state = State::from(&config);
        state
            .set("id", name.as_str())
            .set("endpoint", format!("ec2.{name}.amazonaws.com"))
            .set("description", name.as_str())
            .set("name", name);
        found(state)
    }
}

#[async_trait]
impl DataSource<Client> for CallerIdentity {
    fn type_name(&self) -> &str {
        "aws_caller_identity"
    }

    fn schema(&self) -> Schema {
        let computed = |text: &str| Attribute::computed(Type::String).describe(text);
        Schema::new()
            .attr("id", computed("The account id."))
            .attr("account_id", computed("The account id."))
            .attr("arn", computed("The caller's ARN."))
            .attr("user_id", computed("The caller's unique id."))
    }

    async fn read(&self, client: &Client, _ctx: &Context, config: Value) -> ReadDataResponse {
        match client.sts.get_caller_identity().send().await {
            Ok(out) => {
                let mut state = State::from(&config);
                state
                    .set("id", attrs::opt(out.account()))
                    .set("account_id", attrs::opt(out.account()))
                    .set("arn", attrs::opt(out.arn()))
                    .set("user_id", attrs::opt(out.user_id()));
                found(state)
            }
            Err(e) => AwsError::from(e)
                .diagnostics("reading the caller's identity")
                .into(),
        }
    }
}

#[async_trait]
impl DataSource<Client> for AvailabilityZones {
    fn type_name(&self) -> &str {
        "aws_availability_zones"
    }

    fn schema(&self) -> Schema {
        let list = |text: &str| Attribute::computed(Type::list(Type::String)).describe(text);
        Schema::new()
            .attr(
                "id",
                Attribute::computed(Type::String).describe("The region."),
            )
            .attr(
                "state",
                Attribute::optional(Type::String)
                    .describe("Only zones in this state (`available`)."),
            )
            .attr("names", list("The zones' names, sorted."))
            .attr("zone_ids", list("The zones' ids, in the same order."))
            .attr("group_names", list("The zones' groups."))
            .block("filter", filter_block())
    }

    async fn read(&self, client: &Client, _ctx: &Context, config: Value) -> ReadDataResponse {
        let mut call = client
            .ec2
            .describe_availability_zones()
            .set_filters(Some(filters(&config)));
        if let Some(state) = attrs::string(&config, "state") {
            call = call.filters(filter("state", [state]));
        }
        match call.send().await {
            Ok(out) => {
                let mut zones: Vec<_> = out.availability_zones().to_vec();
                zones.sort_by(|a, b| a.zone_name().cmp(&b.zone_name()));
                let list = |f: &dyn Fn(&aws_sdk_ec2::types::AvailabilityZone) -> Option<&str>| {
                    Value::List(zones.iter().filter_map(|z| f(z).map(Value::from)).collect())
                };
                let mut groups: Vec<String> = zones
                    .iter()
                    .filter_map(|z| z.group_name().map(str::to_string))
                    .collect();
                groups.sort();
                groups.dedup();
                let mut state = State::from(&config);
                state
                    .set("id", client.region.as_str())
                    .set("names", list(&|z| z.zone_name()))
                    .set("zone_ids", list(&|z| z.zone_id()))
                    .set(
                        "group_names",
                        Value::List(groups.into_iter().map(Value::from).collect()),
                    );
                found(state)
            }
            Err(e) => AwsError::from(e)
                .diagnostics("reading the availability zones")
                .into(),
        }
    }
}

fn image_state(image: &Image, region: &str, config: &Value) -> State {
    let mut state = State::from(config);
    let id = image.image_id().unwrap_or_default();
    state
        .set("id", id)
        .set("image_id", id)
        .set("arn", format!("arn:aws:ec2:{region}::image/{id}"))
        .set("name", attrs::opt(image.name()))
        .set("description", attrs::opt(image.description()))
        .set(
            "architecture",
            attrs::opt(image.architecture().map(|a| a.as_str())),
        )
        .set("creation_date", attrs::opt(image.creation_date()))
        .set("owner_id", attrs::opt(image.owner_id()))
        .set("root_device_name", attrs::opt(image.root_device_name()))
        .set(
            "virtualization_type",
            attrs::opt(image.virtualization_type().map(|v| v.as_str())),
        )
        .set("image_location", attrs::opt(image.image_location()))
        .set("state", attrs::opt(image.state().map(|s| s.as_str())))
        .set("platform_details", attrs::opt(image.platform_details()));
    state
}

#[async_trait]
impl DataSource<Client> for Ami {
    fn type_name(&self) -> &str {
        "aws_ami"
    }

    fn schema(&self) -> Schema {
        let computed = |text: &str| Attribute::computed(Type::String).describe(text);
        Schema::new()
            .attr(
                "most_recent",
                Attribute::optional(Type::Bool)
                    .default(false)
                    .describe("The newest of several matches (else several are an error)."),
            )
            .attr(
                "owners",
                Attribute::optional(Type::list(Type::String))
                    .describe("Owner account ids or aliases (`amazon`, `self`)."),
            )
            .attr(
                "name_regex",
                Attribute::optional(Type::String).describe("A pattern the name must match."),
            )
            .attr("id", computed("The image's id."))
            .attr("image_id", computed("The image's id."))
            .attr("arn", computed("The image's ARN."))
            .attr("name", computed("Its name."))
            .attr("description", computed("Its description."))
            .attr("architecture", computed("`x86_64`, `arm64`..."))
            .attr("creation_date", computed("When it was made."))
            .attr("owner_id", computed("The owning account."))
            .attr("root_device_name", computed("Its root device."))
            .attr("virtualization_type", computed("`hvm` or `paravirtual`."))
            .attr("image_location", computed("Where it is stored."))
            .attr("state", computed("`available`..."))
            .attr("platform_details", computed("The platform."))
            .block("filter", filter_block())
    }

    async fn read(&self, client: &Client, _ctx: &Context, config: Value) -> ReadDataResponse {
        let owners = attrs::strings(&config, "owners");
        let answer = client
            .ec2
            .describe_images()
            .set_owners((!owners.is_empty()).then_some(owners))
            .set_filters(Some(filters(&config)))
            .send()
            .await;
        let mut images = match answer {
            Ok(out) => out.images().to_vec(),
            Err(e) => {
                return AwsError::from(e)
                    .diagnostics("looking for the image")
                    .into()
            }
        };
        if let Some(pattern) = attrs::string(&config, "name_regex") {
            match regex::Regex::new(pattern) {
                Ok(matches) => images.retain(|i| matches.is_match(i.name().unwrap_or_default())),
                Err(e) => {
                    return failed(
                        Diagnostic::error(format!("name_regex is not a regular expression: {e}"))
                            .with_attribute(plinth_sdk::AttrPath::attr("name_regex")),
                    )
                }
            }
        }
        images.sort_by(|a, b| b.creation_date().cmp(&a.creation_date()));
        let most_recent = attrs::boolean(&config, "most_recent").unwrap_or(false);
        match images.as_slice() {
            [] => failed(
                Diagnostic::error("Your query returned no results").with_detail(
                    "No image matches the owners, filters and name_regex; change them and try again.",
                ),
            ),
            [_, _, ..] if !most_recent => failed(
                Diagnostic::error(format!("Your query returned {} results", images.len()))
                    .with_detail("Make the search more specific, or set most_recent = true."),
            ),
            [newest, ..] => found(image_state(newest, &client.region, &config)),
        }
    }
}
