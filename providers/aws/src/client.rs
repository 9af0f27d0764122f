//! The configured provider: one SDK client per AWS service sharing one configuration (region,
//! credentials, endpoints, retries), the tag policy of the provider block, and a counter of
//! every API call attempt (an SDK interceptor), so tests and benchmarks can hold refresh to the
//! number of calls it claims.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

/// Counts API call attempts (retries included) of every client it is given to.
#[derive(Clone, Debug, Default)]
pub struct CallCounter(Arc<AtomicU64>);

impl CallCounter {
    /// Calls counted so far.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

impl Intercept for CallCounter {
    fn name(&self) -> &'static str {
        "plinth API call counter"
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

/// Tags the provider block applies to, or hides from, every taggable object.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TagPolicy {
    /// `default_tags { tags = {...} }`: added to every object's tags.
    pub default: BTreeMap<String, String>,
    /// `ignore_tags { keys = [...] }`: never read nor changed.
    pub ignore_keys: Vec<String>,
    /// `ignore_tags { key_prefixes = [...] }`: keys starting with these are ignored.
    pub ignore_prefixes: Vec<String>,
}

impl TagPolicy {
    /// Whether a tag key is ignored by the provider block's `ignore_tags`.
    pub fn ignores(&self, key: &str) -> bool {
        self.ignore_keys.iter().any(|k| k == key)
            || self.ignore_prefixes.iter().any(|p| key.starts_with(p))
    }
}

/// What every resource of one provider block uses.
#[derive(Clone, Debug)]
pub struct Client {
    /// EC2 (VPC networking, instances, key pairs, addresses).
    pub ec2: aws_sdk_ec2::Client,
    /// STS (the caller's identity).
    pub sts: aws_sdk_sts::Client,
    /// RDS (database instances, subnet and parameter groups).
    pub rds: aws_sdk_rds::Client,
    /// ECS (clusters).
    pub ecs: aws_sdk_ecs::Client,
    /// Route 53 (hosted zones, records).
    pub route53: aws_sdk_route53::Client,
    /// SNS (topics, subscriptions).
    pub sns: aws_sdk_sns::Client,
    /// CloudWatch (metric alarms).
    pub cloudwatch: aws_sdk_cloudwatch::Client,
    /// The region objects are made in.
    pub region: String,
    /// The provider block's tag policy.
    pub tags: TagPolicy,
    /// Every API call attempt counted.
    pub calls: CallCounter,
}

impl Client {
    /// An ARN in the configured region (`arn:aws:ec2:us-east-1:123:vpc/vpc-1`).
    pub fn arn(&self, service: &str, account: &str, resource: &str) -> String {
        format!("arn:aws:{service}:{}:{account}:{resource}", self.region)
    }
}
