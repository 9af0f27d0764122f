//! Route 53: `aws_route53_zone` ([`zone`]) and `aws_route53_record` ([`record`]), and what both
//! use: listing zones and a zone's records, and submitting a change batch and waiting until
//! Route 53 says INSYNC, with progress. Refresh lists the zones once, and each zone's records
//! once (300 a page) for every record of the run in it.

mod record;
mod zone;

pub use record::Record;
pub use zone::Zone;

use std::time::Duration;

use aws_sdk_route53::types::{
    Change, ChangeBatch, ChangeStatus, HostedZone, ResourceRecordSet, RrType,
};
use plinth_sdk::wait::{self, Poll};
use plinth_sdk::Context;

use crate::client::Client;
use crate::error::AwsError;
use crate::resources::wait_error;

/// A name without its trailing dot, lowercased, as Terraform stores it.
pub(super) fn clean(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

pub(super) fn zone_id(id: &str) -> &str {
    id.trim_start_matches("/hostedzone/")
}

pub(super) async fn zones(client: &Client) -> Result<Vec<HostedZone>, AwsError> {
    Ok(client
        .route53
        .list_hosted_zones()
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await?)
}

pub(super) async fn wait_in_sync(
    client: &Client,
    ctx: &Context,
    change: &str,
    what: &str,
) -> Result<(), AwsError> {
    wait::until_growing(
        ctx,
        what,
        Duration::from_millis(500),
        Duration::from_secs(15),
        || async {
            let out = client
                .route53
                .get_change()
                .id(change)
                .send()
                .await
                .map_err(AwsError::from)?;
            match out.change_info().map(|c| c.status()) {
                Some(ChangeStatus::Insync) | None => Ok(Poll::Ready(())),
                Some(status) => Ok(Poll::Pending(status.as_str().to_string())),
            }
        },
    )
    .await
    .map_err(wait_error)
}

pub(super) async fn records(
    client: &Client,
    zone: &str,
) -> Result<Vec<ResourceRecordSet>, AwsError> {
    let mut all = Vec::new();
    let mut next: Option<(String, RrType, Option<String>)> = None;
    loop {
        let mut call = client
            .route53
            .list_resource_record_sets()
            .hosted_zone_id(zone)
            .max_items(300);
        if let Some((name, kind, set)) = next.take() {
            call = call
                .start_record_name(name)
                .start_record_type(kind)
                .set_start_record_identifier(set);
        }
        let out = call.send().await?;
        all.extend(out.resource_record_sets().iter().cloned());
        if !out.is_truncated() {
            return Ok(all);
        }
        match (out.next_record_name(), out.next_record_type()) {
            (Some(name), Some(kind)) => {
                next = Some((
                    name.to_string(),
                    kind.clone(),
                    out.next_record_identifier().map(str::to_string),
                ))
            }
            _ => return Ok(all),
        }
    }
}

pub(super) async fn change(
    client: &Client,
    ctx: &Context,
    zone: &str,
    changes: Vec<Change>,
    what: &str,
) -> Result<(), AwsError> {
    let batch = ChangeBatch::builder()
        .set_changes(Some(changes))
        .build()
        .map_err(|e| AwsError::other(e.to_string()))?;
    let out = client
        .route53
        .change_resource_record_sets()
        .hosted_zone_id(zone)
        .change_batch(batch)
        .send()
        .await?;
    match out.change_info() {
        Some(info) => {
            wait_in_sync(
                client,
                ctx,
                info.id(),
                &format!("{what}: waiting for Route 53 to be in sync"),
            )
            .await
        }
        None => Ok(()),
    }
}
