//! `aws_db_instance`: an RDS database instance, tagged at creation with the intent token and
//! named by its unique identifier, so an interrupted create is found again. Creates wait until
//! it is available, deletes until it is gone (with a final snapshot unless
//! `skip_final_snapshot`), with progress. Changes are made in place by ModifyDBInstance
//! (`apply_immediately` as configured); the engine, identifier, name, user and encryption
//! replace it. `password` is sensitive and never read back; `password_wo` is write-only (never
//! stored), sent on create and when `password_wo_version` changes. Refresh reads every instance in
//! one DescribeDBInstances call per 100. Imported by identifier.

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_rds::types::{DbInstance, Filter};
use plinth_sdk::wait::{self, Poll};
use plinth_sdk::{
    AdoptRequest, AdoptResponse, AttrPath, Attribute, Context, CrashSafety, CreateRequest,
    DeleteRequest, DeleteResponse, Diagnostic, ObjectResponse, PlanRequest, PlanResponse,
    ReadManyResponse, Resource, Schema, Type, UpdateRequest, Validator, Value,
};

use crate::attrs::{self, State};
use crate::batch;
use crate::client::Client;
use crate::error::AwsError;
use crate::resources::db_groups::retag;
use crate::resources::vpc::adopt_failed;
use crate::resources::{rds_tags, timeouts, wait_error};
use crate::tags;

/// The resource type.
pub struct DbInstanceResource;

const TYPE: &str = "aws_db_instance";

fn render(client: &Client, db: &DbInstance, prior: &Value) -> Value {
    let mut state = State::from(prior);
    let identifier = db.db_instance_identifier().unwrap_or_default();
    let endpoint = db.endpoint();
    let address = endpoint.and_then(|e| e.address());
    let port = endpoint
        .and_then(|e| e.port())
        .or(db.db_instance_port().filter(|p| *p > 0));
    let int = |n: Option<i32>| n.map_or(Value::Null, |n| Value::int(n.into()));
    state
        .set(
            "id",
            attrs::opt(db.dbi_resource_id()).or_identifier(identifier),
        )
        .set("identifier", identifier)
        .set("resource_id", attrs::opt(db.dbi_resource_id()))
        .set("arn", attrs::opt(db.db_instance_arn()))
        .set("engine", attrs::opt(db.engine()))
        .set("engine_version", attrs::opt(db.engine_version()))
        .set("instance_class", attrs::opt(db.db_instance_class()))
        .set("allocated_storage", int(db.allocated_storage()))
        .set("storage_type", attrs::opt(db.storage_type()))
        .set("storage_encrypted", db.storage_encrypted().unwrap_or(false))
        .set("db_name", attrs::opt(db.db_name()))
        .set("username", attrs::opt(db.master_username()))
        .set(
            "vpc_security_group_ids",
            attrs::string_set(
                db.vpc_security_groups()
                    .iter()
                    .filter_map(|g| g.vpc_security_group_id()),
            ),
        )
        .set(
            "db_subnet_group_name",
            attrs::opt(db.db_subnet_group().and_then(|g| g.db_subnet_group_name())),
        )
        .set(
            "parameter_group_name",
            attrs::opt(
                db.db_parameter_groups()
                    .first()
                    .and_then(|g| g.db_parameter_group_name()),
            ),
        )
        .set("backup_retention_period", int(db.backup_retention_period()))
        .set("backup_window", attrs::opt(db.preferred_backup_window()))
        .set(
            "maintenance_window",
            attrs::opt(db.preferred_maintenance_window()),
        )
        .set("multi_az", db.multi_az().unwrap_or(false))
        .set(
            "publicly_accessible",
            db.publicly_accessible().unwrap_or(false),
        )
        .set(
            "deletion_protection",
            db.deletion_protection().unwrap_or(false),
        )
        .set("port", int(port))
        .set("address", attrs::opt(address))
        .set(
            "endpoint",
            match (address, port) {
                (Some(a), Some(p)) => Value::from(format!("{a}:{p}")),
                _ => Value::Null,
            },
        )
        .set(
            "hosted_zone_id",
            attrs::opt(endpoint.and_then(|e| e.hosted_zone_id())),
        )
        .set("status", attrs::opt(db.db_instance_status()));
    tags::render_pairs(
        &client.tags,
        db.tag_list().iter().filter_map(|t| {
            Some((
                t.key()?.to_string(),
                t.value().unwrap_or_default().to_string(),
            ))
        }),
        prior,
        &mut state,
    );
    state.build()
}

/// `id` is the resource id (`db-...`), as in Terraform v5; the identifier stands in until AWS
/// has given one.
trait OrIdentifier {
    fn or_identifier(self, identifier: &str) -> Value;
}

impl OrIdentifier for Value {
    fn or_identifier(self, identifier: &str) -> Value {
        if self.is_null() {
            Value::from(identifier)
        } else {
            self
        }
    }
}

async fn describe(client: &Client, identifiers: Vec<String>) -> Result<Vec<DbInstance>, AwsError> {
    let filter = Filter::builder()
        .name("db-instance-id")
        .set_values(Some(identifiers))
        .build();
    Ok(client
        .rds
        .describe_db_instances()
        .filters(filter)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await?)
}

/// The identifier of the DB instance whose resource id (`db-...`) is `resource_id`.
async fn identifier_of(client: &Client, resource_id: &str) -> Result<Option<String>, AwsError> {
    let dbs: Vec<DbInstance> = client
        .rds
        .describe_db_instances()
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await?;
    Ok(dbs
        .iter()
        .find(|db| db.dbi_resource_id() == Some(resource_id))
        .and_then(|db| db.db_instance_identifier())
        .map(str::to_string))
}

async fn current(
    client: &Client,
    identifier: &str,
    prior: &Value,
) -> Result<Option<Value>, AwsError> {
    Ok(describe(client, vec![identifier.to_string()])
        .await?
        .first()
        .map(|db| render(client, db, prior)))
}

/// Waits until the instance's status is `target` (`available`), or until it is gone (`None`).
async fn wait_for(
    client: &Client,
    ctx: &Context,
    identifier: &str,
    target: Option<&str>,
) -> Result<(), AwsError> {
    let what = format!(
        "waiting for the DB instance {identifier} to be {}",
        target.unwrap_or("deleted")
    );
    wait::until_growing(
        ctx,
        &what,
        Duration::from_secs(1),
        Duration::from_secs(30),
        || async {
            let found = describe(client, vec![identifier.to_string()]).await?;
            let status = found
                .first()
                .and_then(|db| db.db_instance_status())
                .map(str::to_string);
            match (status, target) {
                (None, None) => Ok(Poll::Ready(())),
                (None, Some(_)) => Err(AwsError::other(format!(
                    "the DB instance {identifier} vanished"
                ))),
                (Some(status), Some(target)) if status == target => Ok(Poll::Ready(())),
                (Some(status), _) if status == "failed" || status == "incompatible-parameters" => {
                    Err(AwsError::other(format!(
                        "the DB instance {identifier} is {status}"
                    )))
                }
                (Some(status), _) => Ok(Poll::Pending(status)),
            }
        },
    )
    .await
    .map_err(wait_error)
}

/// The configured value of an optional number as the SDK's `i32`.
fn int(object: &Value, name: &str) -> Option<i32> {
    attrs::integer(object, name).map(|n| n as i32)
}

fn schema_attributes(schema: Schema) -> Schema {
    let computed = |text: &str| Attribute::computed(Type::String).describe(text);
    let optional_computed = |ty: Type, text: &str| Attribute::optional_computed(ty).describe(text);
    schema
        .attr("id", computed("The resource id (db-...)."))
        .attr(
            "identifier",
            Attribute::optional_computed(Type::String)
                .force_new()
                .describe("The unique identifier; a `terraform-...` one when unset."),
        )
        .attr(
            "engine",
            Attribute::required(Type::String)
                .force_new()
                .describe("`postgres`, `mysql`..."),
        )
        .attr(
            "engine_version",
            optional_computed(Type::String, "The engine version (`15.4`)."),
        )
        .attr(
            "instance_class",
            Attribute::required(Type::String).describe("`db.t3.micro`..."),
        )
        .attr(
            "allocated_storage",
            optional_computed(Type::Number, "Storage in GiB."),
        )
        .attr(
            "storage_type",
            optional_computed(Type::String, "`gp2`, `gp3`, `io1`..."),
        )
        .attr(
            "storage_encrypted",
            Attribute::optional(Type::Bool)
                .default(false)
                .force_new()
                .describe("Encrypt the storage."),
        )
        .attr(
            "db_name",
            Attribute::optional_computed(Type::String)
                .force_new()
                .describe("The database made at creation."),
        )
        .attr(
            "username",
            Attribute::optional_computed(Type::String)
                .force_new()
                .describe("The master user."),
        )
        .attr(
            "password",
            Attribute::optional(Type::String)
                .sensitive()
                .validate(Validator::LengthBetween { min: 8, max: 128 })
                .not_read_back()
                .describe("The master password (8 characters or more); never read back."),
        )
        .attr(
            "password_wo",
            Attribute::optional(Type::String)
                .sensitive()
                .write_only()
                .validate(Validator::LengthBetween { min: 8, max: 128 })
                .describe("The master password, write-only: sent on create and whenever `password_wo_version` changes, never stored; conflicts with `password`."),
        )
        .attr(
            "password_wo_version",
            Attribute::optional(Type::Number)
                .describe("Change it to send `password_wo` again."),
        )
        .attr(
            "vpc_security_group_ids",
            optional_computed(Type::set(Type::String), "Security group ids."),
        )
        .attr(
            "db_subnet_group_name",
            optional_computed(Type::String, "The DB subnet group."),
        )
        .attr(
            "parameter_group_name",
            optional_computed(Type::String, "The DB parameter group."),
        )
        .attr(
            "backup_retention_period",
            optional_computed(Type::Number, "Days of backups kept."),
        )
        .attr(
            "backup_window",
            optional_computed(Type::String, "Daily backup window (UTC, `03:00-04:00`)."),
        )
        .attr(
            "maintenance_window",
            optional_computed(
                Type::String,
                "Weekly maintenance window (`sun:04:00-sun:05:00`).",
            ),
        )
        .attr(
            "multi_az",
            optional_computed(Type::Bool, "A standby in another zone."),
        )
        .attr(
            "publicly_accessible",
            Attribute::optional(Type::Bool)
                .default(false)
                .describe("Reachable from outside the VPC."),
        )
        .attr(
            "deletion_protection",
            Attribute::optional(Type::Bool)
                .default(false)
                .describe("Refuse deletes."),
        )
        .attr(
            "skip_final_snapshot",
            Attribute::optional(Type::Bool)
                .default(false)
                .not_read_back()
                .describe("Delete without a final snapshot."),
        )
        .attr(
            "final_snapshot_identifier",
            Attribute::optional(Type::String)
                .not_read_back()
                .describe("The final snapshot's name."),
        )
        .attr(
            "apply_immediately",
            Attribute::optional(Type::Bool)
                .default(false)
                .not_read_back()
                .describe("Apply changes now instead of in the maintenance window."),
        )
        .attr("port", optional_computed(Type::Number, "The port."))
        .attr("address", computed("The host name."))
        .attr("endpoint", computed("`address:port`."))
        .attr("hosted_zone_id", computed("The endpoint's hosted zone."))
        .attr("resource_id", computed("The resource id."))
        .attr("arn", computed("The instance's ARN."))
        .attr("status", computed("`available`..."))
}

#[async_trait]
impl Resource<Client> for DbInstanceResource {
    fn type_name(&self) -> &str {
        TYPE
    }

    async fn list(&self, client: &Client, _ctx: &Context) -> plinth_sdk::ListResponse {
        crate::list::answer(crate::list::db_instances(client).await, "DB instances")
    }

    fn schema(&self) -> Schema {
        schema_attributes(tags::attributes(Schema::new()))
            .timeouts(timeouts(40, 80, 60))
            .crash_safety(CrashSafety::Tagged)
            .describe("An RDS database instance.")
    }

    async fn plan(&self, client: &Client, _ctx: &Context, request: PlanRequest) -> PlanResponse {
        let both = ["password", "password_wo"]
            .iter()
            .all(|name| request.proposed.get(name).is_some_and(|v| !v.is_null()));
        if both {
            return PlanResponse {
                diagnostics: Diagnostic::error("Conflicting configuration arguments")
                    .with_detail("\"password\": conflicts with password_wo")
                    .with_attribute(AttrPath::attr("password"))
                    .into(),
                ..PlanResponse::default()
            };
        }
        tags::plan(&client.tags, request)
    }

    async fn create(
        &self,
        client: &Client,
        ctx: &Context,
        request: CreateRequest,
    ) -> ObjectResponse {
        let planned = &request.planned;
        let identifier = attrs::string(planned, "identifier")
            .map(str::to_string)
            .unwrap_or_else(|| format!("terraform-{}", &request.intent.token[..26]));
        let doing = format!("creating the DB instance {identifier}");
        let groups = attrs::strings(planned, "vpc_security_group_ids");
        let made = client
            .rds
            .create_db_instance()
            .db_instance_identifier(&identifier)
            .engine(attrs::string(planned, "engine").unwrap_or_default())
            .set_engine_version(attrs::string(planned, "engine_version").map(str::to_string))
            .db_instance_class(attrs::string(planned, "instance_class").unwrap_or_default())
            .set_allocated_storage(int(planned, "allocated_storage"))
            .set_storage_type(attrs::string(planned, "storage_type").map(str::to_string))
            .set_storage_encrypted(attrs::boolean(planned, "storage_encrypted"))
            .set_db_name(attrs::string(planned, "db_name").map(str::to_string))
            .set_master_username(attrs::string(planned, "username").map(str::to_string))
            .set_master_user_password(
                attrs::string(planned, "password")
                    .or(attrs::string(planned, "password_wo"))
                    .map(str::to_string),
            )
            .set_vpc_security_group_ids((!groups.is_empty()).then_some(groups))
            .set_db_subnet_group_name(
                attrs::string(planned, "db_subnet_group_name").map(str::to_string),
            )
            .set_db_parameter_group_name(
                attrs::string(planned, "parameter_group_name").map(str::to_string),
            )
            .set_backup_retention_period(int(planned, "backup_retention_period"))
            .set_preferred_backup_window(
                attrs::string(planned, "backup_window").map(str::to_string),
            )
            .set_preferred_maintenance_window(
                attrs::string(planned, "maintenance_window").map(str::to_string),
            )
            .set_multi_az(attrs::boolean(planned, "multi_az"))
            .set_publicly_accessible(attrs::boolean(planned, "publicly_accessible"))
            .set_deletion_protection(attrs::boolean(planned, "deletion_protection"))
            .set_port(int(planned, "port"))
            .set_tags(Some(rds_tags(tags::at_creation(
                &client.tags,
                planned,
                &request.intent,
            ))))
            .send()
            .await;
        let db = match made {
            Ok(out) => out
                .db_instance()
                .cloned()
                .unwrap_or_else(|| DbInstance::builder().build()),
            Err(e) => return ObjectResponse::failed(AwsError::from(e).diagnostic(&doing)),
        };
        let waited = wait_for(client, ctx, &identifier, Some("available")).await;
        let state = match current(client, &identifier, planned).await {
            Ok(Some(state)) => state,
            _ => render(client, &db, planned),
        };
        match waited {
            Ok(()) => ObjectResponse::ok(state),
            Err(e) => ObjectResponse::partial(state, e.diagnostic(&doing)),
        }
    }

    async fn read_many(
        &self,
        client: &Client,
        _ctx: &Context,
        objects: Vec<Value>,
    ) -> ReadManyResponse {
        // Read by identifier (state's `id` is the resource id).
        let keyed: Vec<Value> = objects
            .iter()
            .map(|o| {
                let mut state = State::from(o);
                state.set("id", attrs::opt(attrs::string(o, "identifier")));
                state.build()
            })
            .collect();
        batch::read(
            &keyed,
            "reading DB instances",
            |ids| async move {
                Ok(describe(client, ids)
                    .await?
                    .into_iter()
                    .map(|db| {
                        (
                            db.db_instance_identifier().unwrap_or_default().to_string(),
                            db,
                        )
                    })
                    .collect())
            },
            |db, prior| Some(render(client, db, prior)),
        )
        .await
    }

    async fn update(
        &self,
        client: &Client,
        ctx: &Context,
        request: UpdateRequest,
    ) -> ObjectResponse {
        let (prior, planned) = (&request.prior, &request.planned);
        let identifier = attrs::string(prior, "identifier")
            .unwrap_or_default()
            .to_string();
        let doing = format!("modifying the DB instance {identifier}");
        let changed = |name: &str| attrs::changed(prior, planned, name);
        let string = |name: &str| {
            changed(name)
                .then(|| attrs::string(planned, name).map(str::to_string))
                .flatten()
        };
        let number = |name: &str| changed(name).then(|| int(planned, name)).flatten();
        let flag = |name: &str| {
            changed(name)
                .then(|| attrs::boolean(planned, name))
                .flatten()
        };
        let settings = [
            "engine_version",
            "instance_class",
            "allocated_storage",
            "storage_type",
            "password",
            "password_wo_version",
            "vpc_security_group_ids",
            "db_subnet_group_name",
            "parameter_group_name",
            "backup_retention_period",
            "backup_window",
            "maintenance_window",
            "multi_az",
            "publicly_accessible",
            "deletion_protection",
            "port",
        ];
        let mut result = Ok(());
        if settings.iter().any(|name| changed(name)) {
            let groups = attrs::strings(planned, "vpc_security_group_ids");
            result = client
                .rds
                .modify_db_instance()
                .db_instance_identifier(&identifier)
                .apply_immediately(attrs::boolean(planned, "apply_immediately").unwrap_or(false))
                .set_engine_version(string("engine_version"))
                .set_db_instance_class(string("instance_class"))
                .set_allocated_storage(number("allocated_storage"))
                .set_storage_type(string("storage_type"))
                .set_master_user_password(string("password").or_else(|| {
                    changed("password_wo_version")
                        .then(|| attrs::string(planned, "password_wo").map(str::to_string))
                        .flatten()
                }))
                .set_vpc_security_group_ids(changed("vpc_security_group_ids").then_some(groups))
                .set_db_subnet_group_name(string("db_subnet_group_name"))
                .set_db_parameter_group_name(string("parameter_group_name"))
                .set_backup_retention_period(number("backup_retention_period"))
                .set_preferred_backup_window(string("backup_window"))
                .set_preferred_maintenance_window(string("maintenance_window"))
                .set_multi_az(flag("multi_az"))
                .set_publicly_accessible(flag("publicly_accessible"))
                .set_deletion_protection(flag("deletion_protection"))
                .set_db_port_number(number("port"))
                .send()
                .await
                .map(|_| ())
                .map_err(AwsError::from);
            if result.is_ok() {
                result = wait_for(client, ctx, &identifier, Some("available")).await;
            }
        }
        if result.is_ok() {
            let arn = attrs::string(prior, "arn").unwrap_or_default();
            result = retag(client, arn, prior, planned).await;
        }
        match (result, current(client, &identifier, planned).await) {
            (Ok(()), Ok(Some(state))) => ObjectResponse::ok(state),
            (Err(e), Ok(Some(state))) => {
                let mut kept = State::from(&state);
                kept.set(
                    "password",
                    prior.get("password").cloned().unwrap_or_default(),
                );
                ObjectResponse::partial(kept.build(), e.diagnostic(&doing))
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
        let prior = &request.prior;
        let identifier = attrs::string(prior, "identifier")
            .unwrap_or_default()
            .to_string();
        let doing = format!("deleting the DB instance {identifier}");
        let skip = attrs::boolean(prior, "skip_final_snapshot").unwrap_or(false);
        let snapshot = attrs::string(prior, "final_snapshot_identifier").map(str::to_string);
        if !skip && snapshot.is_none() {
            return AwsError::other(
                "final_snapshot_identifier is required when skip_final_snapshot is false",
            )
            .diagnostics(&doing)
            .into();
        }
        let deleted = client
            .rds
            .delete_db_instance()
            .db_instance_identifier(&identifier)
            .skip_final_snapshot(skip)
            .set_final_db_snapshot_identifier(if skip { None } else { snapshot })
            .send()
            .await
            .map_err(AwsError::from);
        match deleted {
            Err(e) if e.is_not_found() => return DeleteResponse::default(),
            Err(e) if e.is("InvalidDBInstanceState") => {}
            Err(e) => return e.diagnostics(&doing).into(),
            Ok(_) => {}
        }
        match wait_for(client, ctx, &identifier, None).await {
            Ok(()) => DeleteResponse::default(),
            Err(e) => e.diagnostics(&doing).into(),
        }
    }

    async fn import(&self, client: &Client, _ctx: &Context, id: &str) -> ObjectResponse {
        let doing = format!("importing the DB instance {id:?}");
        // `apply_immediately` and `skip_final_snapshot` are plinth's settings, which AWS cannot
        // say: an import takes their defaults (import blocks take them from the configuration:
        // they are `not_read_back`).
        let prior = Value::object([
            ("apply_immediately", Value::Bool(false)),
            ("skip_final_snapshot", Value::Bool(false)),
        ]);
        let mut found = current(client, id, &prior).await;
        if matches!(found, Ok(None)) {
            // Not an identifier: the resource id (`db-...`) state holds and
            // `plinth drift -unmanaged` reports.
            found = match identifier_of(client, id).await {
                Ok(Some(identifier)) => current(client, &identifier, &prior).await,
                Ok(None) => Ok(None),
                Err(e) => Err(e),
            };
        }
        match found {
            Ok(Some(state)) => ObjectResponse::ok(state),
            Ok(None) => {
                ObjectResponse::failed(AwsError::other("no such DB instance").diagnostic(&doing))
            }
            Err(e) => ObjectResponse::failed(e.diagnostic(&doing)),
        }
    }

    async fn adopt(&self, client: &Client, _ctx: &Context, request: AdoptRequest) -> AdoptResponse {
        let identifier = attrs::string(&request.planned, "identifier")
            .map(str::to_string)
            .unwrap_or_else(|| format!("terraform-{}", &request.intent.token[..26]));
        match current(client, &identifier, &request.planned).await {
            Ok(found) => AdoptResponse {
                found,
                ..AdoptResponse::default()
            },
            Err(e) => adopt_failed(e, "DB instance"),
        }
    }
}
