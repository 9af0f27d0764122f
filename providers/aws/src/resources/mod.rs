//! The managed resource types, one module each, named and shaped as the Terraform AWS provider
//! (hashicorp/aws v5) has them, and the helpers they share: reading the id out of state,
//! default timeouts, and waiting out AWS's `DependencyViolation` while dependents disappear.

pub mod db_groups;
pub mod db_instance;
pub mod ecs_cluster;
pub mod eip;
pub mod instance;
pub mod internet_gateway;
pub mod key_pair;
pub mod metric_alarm;
pub mod route53;
pub mod route_table;
pub mod route_table_association;
pub mod security_group;
pub mod security_group_rule;
pub mod sns;
pub mod subnet;
pub mod vpc;

use std::future::Future;
use std::time::Duration;

use plinth_sdk::wait::{self, Poll, WaitError};
use plinth_sdk::{Context, DeleteResponse, Diagnostic, Diagnostics, Timeouts, Value};

use crate::attrs;
use crate::error::AwsError;

/// The id of an object as state holds it, or an error saying it has none.
pub fn id(object: &Value, type_name: &str) -> Result<String, Diagnostics> {
    attrs::string(object, "id")
        .map(str::to_string)
        .ok_or_else(|| Diagnostic::error(format!("{type_name}: the object has no id")).into())
}

/// Timeouts of `minutes` for create, update and delete.
pub fn timeouts(create: u64, update: u64, delete: u64) -> Timeouts {
    let minutes = |m: u64| Some(Duration::from_secs(m * 60));
    Timeouts {
        create: minutes(create),
        update: minutes(update),
        delete: minutes(delete),
        read: None,
    }
}

/// Tags for an RDS create or tag call.
pub fn rds_tags(pairs: Vec<(String, String)>) -> Vec<aws_sdk_rds::types::Tag> {
    pairs
        .into_iter()
        .map(|(k, v)| aws_sdk_rds::types::Tag::builder().key(k).value(v).build())
        .collect()
}

/// A wait's failure as an AWS error.
pub fn wait_error(error: WaitError<AwsError>) -> AwsError {
    match error {
        WaitError::Failed(e) => e,
        other => AwsError::other(other.to_string()),
    }
}

/// Runs a delete, retrying while AWS answers `DependencyViolation` (dependents deleted just
/// before still leaving) until the deadline; an object already gone is deleted.
pub async fn delete_retrying<F, Fut>(ctx: &Context, doing: &str, delete: F) -> DeleteResponse
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<(), AwsError>>,
{
    let result = wait::until_growing(
        ctx,
        doing,
        Duration::from_millis(250),
        Duration::from_secs(5),
        || async {
            match delete().await {
                Ok(()) => Ok(Poll::Ready(())),
                Err(e) if e.is_not_found() => Ok(Poll::Ready(())),
                Err(e) if e.is("DependencyViolation") => Ok(Poll::Pending(e.to_string())),
                Err(e) => Err(e),
            }
        },
    )
    .await;
    match result {
        Ok(()) => DeleteResponse::default(),
        Err(e) => wait_error(e).diagnostics(doing).into(),
    }
}
