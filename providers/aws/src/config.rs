//! The `provider "aws"` block as Terraform's AWS provider (v5) names it: `region`, `profile`,
//! `access_key`/`secret_key`/`token` (sensitive), `endpoints {}` per service, `default_tags`,
//! `ignore_tags`, and `max_retries`. Whatever the block leaves out comes from the AWS SDK's
//! standard chains (`AWS_REGION`, `AWS_PROFILE`, `AWS_ACCESS_KEY_ID`..., `AWS_ENDPOINT_URL`,
//! `AWS_ENDPOINT_URL_EC2`..., shared config files). Configuring sends no request: wrong
//! credentials show at the first call, with the address that made it. No credential is ever put
//! in a diagnostic.

use async_trait::async_trait;
use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region};
use aws_sdk_ec2::config::Credentials;
use plinth_sdk::{
    AttrPath, Attribute, Configure, Context, Diagnostic, Diagnostics, NestedBlock, Schema, Type,
    Value,
};

use crate::attrs;
use crate::client::{CallCounter, Client, TagPolicy};

/// The services whose endpoint an `endpoints {}` block can set.
pub const SERVICES: &[&str] = &["cloudwatch", "ec2", "ecs", "rds", "route53", "sns", "sts"];

/// Makes the client from the provider block; every client counts its calls in `calls`.
#[derive(Default)]
pub struct ProviderConfig {
    /// Shared by every client the configuration makes.
    pub calls: CallCounter,
}

/// The provider block's schema.
pub fn schema() -> Schema {
    let endpoints = SERVICES.iter().fold(Schema::new(), |schema, service| {
        schema.attr(
            service,
            Attribute::optional(Type::String)
                .describe(format!("The {service} endpoint URL, instead of AWS's.")),
        )
    });
    Schema::new()
        .attr(
            "region",
            Attribute::optional(Type::String).describe(
                "The region; AWS_REGION, AWS_DEFAULT_REGION or the profile's when unset.",
            ),
        )
        .attr(
            "profile",
            Attribute::optional(Type::String)
                .describe("The shared configuration profile; AWS_PROFILE when unset."),
        )
        .attr(
            "access_key",
            Attribute::optional(Type::String)
                .sensitive()
                .describe("An access key id; the SDK's credential chain when unset."),
        )
        .attr(
            "secret_key",
            Attribute::optional(Type::String)
                .sensitive()
                .describe("The secret access key going with `access_key`."),
        )
        .attr(
            "token",
            Attribute::optional(Type::String)
                .sensitive()
                .describe("A session token going with `access_key`."),
        )
        .attr(
            "max_retries",
            Attribute::optional(Type::Number)
                .describe("How many times a throttled or failed call is tried (default 25)."),
        )
        .attr(
            "skip_credentials_validation",
            Attribute::optional(Type::Bool).describe(
                "Accepted for compatibility: plinth never validates credentials up front.",
            ),
        )
        .attr(
            "skip_requesting_account_id",
            Attribute::optional(Type::Bool)
                .describe("Accepted for compatibility: the account id is read from AWS's answers."),
        )
        .attr(
            "skip_metadata_api_check",
            Attribute::optional(Type::Bool)
                .describe("Accepted for compatibility: set AWS_EC2_METADATA_DISABLED instead."),
        )
        .block("endpoints", NestedBlock::list(endpoints))
        .block(
            "default_tags",
            NestedBlock::single(
                Schema::new().attr(
                    "tags",
                    Attribute::optional(Type::map(Type::String))
                        .describe("Tags added to every taggable object."),
                ),
            ),
        )
        .block(
            "ignore_tags",
            NestedBlock::single(
                Schema::new()
                    .attr(
                        "keys",
                        Attribute::optional(Type::set(Type::String))
                            .describe("Tag keys never read nor changed."),
                    )
                    .attr(
                        "key_prefixes",
                        Attribute::optional(Type::set(Type::String))
                            .describe("Tag key prefixes never read nor changed."),
                    ),
            ),
        )
        .describe("Amazon Web Services through the AWS SDK for Rust.")
}

#[async_trait]
impl Configure<Client> for ProviderConfig {
    fn schema(&self) -> Schema {
        schema()
    }

    async fn configure(&self, _ctx: &Context, config: Value) -> Result<Client, Diagnostics> {
        configure(&config, self.calls.clone()).await
    }
}

/// The endpoint the `endpoints {}` block sets for `service`.
fn endpoint(config: &Value, service: &str) -> Option<String> {
    attrs::blocks(config, "endpoints")
        .into_iter()
        .find_map(|block| attrs::string(block, service).map(str::to_string))
}

/// The tag policy of the provider block.
pub fn tag_policy(config: &Value) -> TagPolicy {
    let default = attrs::blocks(config, "default_tags")
        .first()
        .map(|block| attrs::string_map(block, "tags"))
        .unwrap_or_default();
    let ignore = attrs::blocks(config, "ignore_tags");
    let ignore = ignore.first();
    TagPolicy {
        default,
        ignore_keys: ignore
            .map(|b| attrs::strings(b, "keys"))
            .unwrap_or_default(),
        ignore_prefixes: ignore
            .map(|b| attrs::strings(b, "key_prefixes"))
            .unwrap_or_default(),
    }
}

/// The client for a provider block.
pub async fn configure(config: &Value, calls: CallCounter) -> Result<Client, Diagnostics> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(region) = attrs::string(config, "region") {
        loader = loader.region(Region::new(region.to_string()));
    }
    if let Some(profile) = attrs::string(config, "profile") {
        loader = loader.profile_name(profile);
    }
    match (
        attrs::string(config, "access_key"),
        attrs::string(config, "secret_key"),
    ) {
        (Some(key), Some(secret)) => {
            let token = attrs::string(config, "token").map(str::to_string);
            loader =
                loader.credentials_provider(Credentials::new(key, secret, token, None, "plinth"));
        }
        (None, None) => {}
        _ => {
            return Err(Diagnostic::error(
                "access_key and secret_key must be set together in the provider \"aws\" block",
            )
            .with_attribute(AttrPath::attr("secret_key"))
            .into())
        }
    }
    let attempts = match attrs::integer(config, "max_retries") {
        None => 25,
        Some(n @ 0..=100) => n as u32 + 1,
        Some(n) => {
            return Err(Diagnostic::error(format!(
                "max_retries must be a whole number from 0 to 100, not {n}"
            ))
            .with_attribute(AttrPath::attr("max_retries"))
            .into())
        }
    };
    loader = loader.retry_config(RetryConfig::standard().with_max_attempts(attempts));
    let shared = loader.load().await;
    let Some(region) = shared.region().map(ToString::to_string) else {
        return Err(Diagnostic::error("the AWS provider has no region")
            .with_detail(
                "Set `region` in the provider \"aws\" block, or the AWS_REGION environment variable.",
            )
            .with_attribute(AttrPath::attr("region"))
            .into());
    };
    // One client per service: the shared configuration, the call counter, the endpoint override.
    macro_rules! client {
        ($sdk:ident, $service:literal) => {{
            let mut builder = $sdk::config::Builder::from(&shared).interceptor(calls.clone());
            if let Some(url) = endpoint(config, $service) {
                builder = builder.endpoint_url(url);
            }
            $sdk::Client::from_conf(builder.build())
        }};
    }
    Ok(Client {
        ec2: client!(aws_sdk_ec2, "ec2"),
        sts: client!(aws_sdk_sts, "sts"),
        rds: client!(aws_sdk_rds, "rds"),
        ecs: client!(aws_sdk_ecs, "ecs"),
        route53: client!(aws_sdk_route53, "route53"),
        sns: client!(aws_sdk_sns, "sns"),
        cloudwatch: client!(aws_sdk_cloudwatch, "cloudwatch"),
        region,
        tags: tag_policy(config),
        calls,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_and_ignored_tags_come_from_their_blocks() {
        let config = Value::object([
            (
                "default_tags",
                Value::List(vec![Value::object([(
                    "tags",
                    Value::object([("Project", Value::from("gaceta"))]),
                )])]),
            ),
            (
                "ignore_tags",
                Value::List(vec![Value::object([
                    ("keys", attrs::string_set(["Owner"])),
                    ("key_prefixes", attrs::string_set(["kubernetes.io/"])),
                ])]),
            ),
        ]);
        let policy = tag_policy(&config);
        assert_eq!(policy.default["Project"], "gaceta");
        assert!(policy.ignores("Owner"));
        assert!(policy.ignores("kubernetes.io/cluster"));
        assert!(!policy.ignores("Name"));
    }

    #[tokio::test]
    async fn half_given_static_credentials_are_refused_without_showing_them() {
        let config = Value::object([
            ("region", Value::from("us-east-1")),
            ("access_key", Value::from("AKIASECRETLOOKING")),
        ]);
        let error = configure(&config, CallCounter::default())
            .await
            .unwrap_err();
        assert_eq!(error.0[0].attribute, Some(AttrPath::attr("secret_key")));
        assert!(!error.to_string().contains("AKIASECRETLOOKING"));
    }

    #[tokio::test]
    async fn an_endpoints_block_points_a_service_elsewhere() {
        let config = Value::object([
            ("region", Value::from("eu-west-1")),
            (
                "endpoints",
                Value::List(vec![Value::object([(
                    "ec2",
                    Value::from("http://127.0.0.1:1"),
                )])]),
            ),
        ]);
        let client = configure(&config, CallCounter::default()).await.unwrap();
        assert_eq!(client.region, "eu-west-1");
        assert_eq!(
            endpoint(&config, "ec2").as_deref(),
            Some("http://127.0.0.1:1")
        );
        assert_eq!(endpoint(&config, "sts"), None);
    }
}
