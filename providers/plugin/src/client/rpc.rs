//! One method per protocol RPC. Both major versions share message shapes (protocol 5 names a
//! few RPCs differently: `GetSchema`, `PrepareProviderConfig`, `ValidateResourceTypeConfig`,
//! `ValidateDataSourceConfig`, `Configure`, `Stop`), so each method is written once and
//! expanded for each version's generated types by `dispatch!`.
//!
//! plinth sends client capabilities saying it neither handles deferrals nor write-only
//! attributes yet; providers then answer as they do for older Terraform versions.

use plinth_sdk::Value;

use super::{
    ApplyRequest, ApplyResponse, DeferredReason, FunctionError, ImportResponse, ImportedResource,
    Metadata, PlanRequest, PlanResponse, ProviderClient, RawState, ReadDataResponse, ReadRequest,
    ReadResponse, Rpc, SchemaCache, UpgradeResponse, ValidateProviderResponse,
};
use crate::codec::AttributePath;
use crate::diagnostics::read as read_diagnostics;
use crate::{CtyType, PluginDiagnostic, PluginError, ProviderSchemas, ServerCapabilities};

/// Runs one RPC on whichever version the provider speaks. `$v` names the version's module and
/// `$msg` the RPC's message module inside the request and answer expressions.
macro_rules! dispatch {
    (
        $self:ident, $rpc:literal, $timeout:expr,
        v5: $m5:ident / $mod5:ident, v6: $m6:ident / $mod6:ident,
        |$v:ident, $msg:ident| $request:expr,
        |$resp:ident| $answer:expr
    ) => {
        match $self.rpc.clone() {
            Rpc::V5(mut client) => {
                #[allow(unused_imports)]
                use crate::proto::tfplugin5 as $v;
                #[allow(unused_imports)]
                use crate::proto::tfplugin5::$mod5 as $msg;
                let request = $request;
                #[allow(unused_mut)]
                let mut $resp = $self.call($rpc, $timeout, client.$m5(request)).await?;
                $answer
            }
            Rpc::V6(mut client) => {
                #[allow(unused_imports)]
                use crate::proto::tfplugin6 as $v;
                #[allow(unused_imports)]
                use crate::proto::tfplugin6::$mod6 as $msg;
                let request = $request;
                #[allow(unused_mut)]
                let mut $resp = $self.call($rpc, $timeout, client.$m6(request)).await?;
                $answer
            }
        }
    };
}

/// The client capabilities plinth announces.
macro_rules! capabilities {
    ($v:ident) => {
        Some($v::ClientCapabilities {
            deferral_allowed: false,
            write_only_attributes_allowed: false,
        })
    };
}

fn deferred(code: Option<i32>) -> Option<DeferredReason> {
    code.map(DeferredReason::from_code)
}

/// Marks of several inputs, merged: what was sensitive in any stays sensitive in the answer.
fn merged(a: Vec<AttributePath>, b: Vec<AttributePath>) -> Vec<AttributePath> {
    let mut all = a;
    all.extend(b);
    all.sort();
    all.dedup();
    all
}

impl ProviderClient {
    /// `GetMetadata`: type and function names without schemas.
    pub async fn get_metadata(&self) -> Result<Metadata, PluginError> {
        dispatch!(self, "GetMetadata", self.timeouts.metadata,
            v5: get_metadata / get_metadata, v6: get_metadata / get_metadata,
            |v, msg| msg::Request {},
            |r| Ok(Metadata {
                capabilities: r
                    .server_capabilities
                    .map(|c| ServerCapabilities {
                        plan_destroy: c.plan_destroy,
                        get_provider_schema_optional: c.get_provider_schema_optional,
                        move_resource_state: c.move_resource_state,
                    })
                    .unwrap_or_default(),
                resources: r.resources.into_iter().map(|m| m.type_name).collect(),
                data_sources: r.data_sources.into_iter().map(|m| m.type_name).collect(),
                functions: r.functions.into_iter().map(|m| m.name).collect(),
                diagnostics: read_diagnostics(r.diagnostics),
            })
        )
    }

    /// `GetProviderSchema` (protocol 5: `GetSchema`), fetched once and kept; the diagnostics
    /// are those of that one call.
    pub async fn get_provider_schema(
        &self,
    ) -> Result<(std::sync::Arc<ProviderSchemas>, Vec<PluginDiagnostic>), PluginError> {
        let cache = self.schema_cache().await?;
        Ok((cache.schemas.clone(), cache.diagnostics.clone()))
    }

    pub(super) async fn schema_cache(&self) -> Result<&SchemaCache, PluginError> {
        self.schema
            .get_or_try_init(|| async {
                let (schemas, diagnostics) = dispatch!(self, "GetProviderSchema", self.timeouts.metadata,
                    v5: get_schema / get_provider_schema, v6: get_provider_schema / get_provider_schema,
                    |v, msg| msg::Request {},
                    |r| {
                        let diagnostics = read_diagnostics(std::mem::take(&mut r.diagnostics));
                        let schemas = ProviderSchemas::try_from(r).map_err(|source| {
                            PluginError::Schema { provider: self.name().to_string(), source }
                        })?;
                        (schemas, diagnostics)
                    }
                );
                Ok(SchemaCache {
                    schemas: std::sync::Arc::new(schemas),
                    diagnostics,
                })
            })
            .await
    }

    /// `ValidateProviderConfig` (protocol 5: `PrepareProviderConfig`, whose answer may carry
    /// the configuration with defaults).
    pub async fn validate_provider_config(
        &self,
        config: &Value,
    ) -> Result<ValidateProviderResponse, PluginError> {
        const RPC: &str = "ValidateProviderConfig";
        let ty = self.value_type("provider", "").await?;
        let (bytes, marks) = self.encode(RPC, config, &ty)?;
        match self.rpc.clone() {
            Rpc::V5(mut client) => {
                use crate::proto::tfplugin5 as v5;
                let request = v5::prepare_provider_config::Request {
                    config: Some((bytes, Vec::new()).into()),
                };
                let r = self
                    .call(
                        RPC,
                        self.timeouts.metadata,
                        client.prepare_provider_config(request),
                    )
                    .await?;
                let prepared_config = match r.prepared_config {
                    Some(dv) => Some(self.decode(RPC, Some(dv.into()), &ty, &marks)?),
                    None => None,
                };
                Ok(ValidateProviderResponse {
                    prepared_config,
                    diagnostics: read_diagnostics(r.diagnostics),
                })
            }
            Rpc::V6(mut client) => {
                use crate::proto::tfplugin6 as v6;
                let request = v6::validate_provider_config::Request {
                    config: Some((bytes, Vec::new()).into()),
                };
                let r = self
                    .call(
                        RPC,
                        self.timeouts.metadata,
                        client.validate_provider_config(request),
                    )
                    .await?;
                Ok(ValidateProviderResponse {
                    prepared_config: None,
                    diagnostics: read_diagnostics(r.diagnostics),
                })
            }
        }
    }

    /// `ValidateResourceConfig` (protocol 5: `ValidateResourceTypeConfig`).
    pub async fn validate_resource_config(
        &self,
        type_name: &str,
        config: &Value,
    ) -> Result<Vec<PluginDiagnostic>, PluginError> {
        let ty = self.value_type("resource type", type_name).await?;
        let (bytes, _) = self.encode("ValidateResourceConfig", config, &ty)?;
        dispatch!(self, "ValidateResourceConfig", self.timeouts.metadata,
            v5: validate_resource_type_config / validate_resource_type_config,
            v6: validate_resource_config / validate_resource_config,
            |v, msg| msg::Request {
                type_name: type_name.to_string(),
                config: Some((bytes, Vec::new()).into()),
                client_capabilities: capabilities!(v),
            },
            |r| Ok(read_diagnostics(r.diagnostics))
        )
    }

    /// `ValidateDataResourceConfig` (protocol 5: `ValidateDataSourceConfig`).
    pub async fn validate_data_resource_config(
        &self,
        type_name: &str,
        config: &Value,
    ) -> Result<Vec<PluginDiagnostic>, PluginError> {
        let ty = self.value_type("data source", type_name).await?;
        let (bytes, _) = self.encode("ValidateDataResourceConfig", config, &ty)?;
        dispatch!(self, "ValidateDataResourceConfig", self.timeouts.metadata,
            v5: validate_data_source_config / validate_data_source_config,
            v6: validate_data_resource_config / validate_data_resource_config,
            |v, msg| msg::Request {
                type_name: type_name.to_string(),
                config: Some((bytes, Vec::new()).into()),
            },
            |r| Ok(read_diagnostics(r.diagnostics))
        )
    }

    /// `ConfigureProvider` (protocol 5: `Configure`).
    pub async fn configure_provider(
        &self,
        config: &Value,
    ) -> Result<Vec<PluginDiagnostic>, PluginError> {
        let ty = self.value_type("provider", "").await?;
        let (bytes, _) = self.encode("ConfigureProvider", config, &ty)?;
        dispatch!(self, "ConfigureProvider", self.timeouts.metadata,
            v5: configure / configure, v6: configure_provider / configure_provider,
            |v, msg| msg::Request {
                terraform_version: self.terraform_version.clone(),
                config: Some((bytes, Vec::new()).into()),
                client_capabilities: capabilities!(v),
            },
            |r| Ok(read_diagnostics(r.diagnostics))
        )
    }

    /// `ReadResource`: the object as it is now (null when gone).
    pub async fn read_resource(&self, request: &ReadRequest) -> Result<ReadResponse, PluginError> {
        const RPC: &str = "ReadResource";
        let ty = self.value_type("resource type", &request.type_name).await?;
        let (state, marks) = self.encode(RPC, &request.current_state, &ty)?;
        dispatch!(self, "ReadResource", self.timeouts.read_plan,
            v5: read_resource / read_resource, v6: read_resource / read_resource,
            |v, msg| msg::Request {
                type_name: request.type_name.clone(),
                current_state: Some((state, Vec::new()).into()),
                private: request.private.clone(),
                provider_meta: self.encode_meta(RPC, &request.provider_meta).await?,
                client_capabilities: capabilities!(v),
                current_identity: None,
            },
            |r| Ok(ReadResponse {
                new_state: self.decode(RPC, r.new_state.map(Into::into), &ty, &marks)?,
                private: r.private,
                diagnostics: read_diagnostics(r.diagnostics),
                deferred: deferred(r.deferred.map(|d| d.reason)),
            })
        )
    }

    /// `PlanResourceChange`: the planned state, what forces replacement, and private data to
    /// keep until apply.
    pub async fn plan_resource_change(
        &self,
        request: &PlanRequest,
    ) -> Result<PlanResponse, PluginError> {
        const RPC: &str = "PlanResourceChange";
        let ty = self.value_type("resource type", &request.type_name).await?;
        let (prior, _) = self.encode(RPC, &request.prior_state, &ty)?;
        let (proposed, proposed_marks) = self.encode(RPC, &request.proposed_new_state, &ty)?;
        let (config, config_marks) = self.encode(RPC, &request.config, &ty)?;
        let marks = merged(proposed_marks, config_marks);
        dispatch!(self, "PlanResourceChange", self.timeouts.read_plan,
            v5: plan_resource_change / plan_resource_change,
            v6: plan_resource_change / plan_resource_change,
            |v, msg| msg::Request {
                type_name: request.type_name.clone(),
                prior_state: Some((prior, Vec::new()).into()),
                proposed_new_state: Some((proposed, Vec::new()).into()),
                config: Some((config, Vec::new()).into()),
                prior_private: request.prior_private.clone(),
                provider_meta: self.encode_meta(RPC, &request.provider_meta).await?,
                client_capabilities: capabilities!(v),
                prior_identity: None,
            },
            |r| Ok(PlanResponse {
                planned_state: self.decode(RPC, r.planned_state.map(Into::into), &ty, &marks)?,
                requires_replace: r.requires_replace.into_iter().map(Into::into).collect(),
                planned_private: r.planned_private,
                diagnostics: read_diagnostics(r.diagnostics),
                legacy_type_system: r.legacy_type_system,
                deferred: deferred(r.deferred.map(|d| d.reason)),
            })
        )
    }

    /// `ApplyResourceChange`: creates, updates or (planned state null) destroys the object.
    pub async fn apply_resource_change(
        &self,
        request: &ApplyRequest,
    ) -> Result<ApplyResponse, PluginError> {
        const RPC: &str = "ApplyResourceChange";
        let ty = self.value_type("resource type", &request.type_name).await?;
        let (prior, _) = self.encode(RPC, &request.prior_state, &ty)?;
        let (planned, planned_marks) = self.encode(RPC, &request.planned_state, &ty)?;
        let (config, config_marks) = self.encode(RPC, &request.config, &ty)?;
        let marks = merged(planned_marks, config_marks);
        dispatch!(self, "ApplyResourceChange", self.timeouts.apply,
            v5: apply_resource_change / apply_resource_change,
            v6: apply_resource_change / apply_resource_change,
            |v, msg| msg::Request {
                type_name: request.type_name.clone(),
                prior_state: Some((prior, Vec::new()).into()),
                planned_state: Some((planned, Vec::new()).into()),
                config: Some((config, Vec::new()).into()),
                planned_private: request.planned_private.clone(),
                provider_meta: self.encode_meta(RPC, &request.provider_meta).await?,
                planned_identity: None,
            },
            |r| Ok(ApplyResponse {
                new_state: self.decode(RPC, r.new_state.map(Into::into), &ty, &marks)?,
                private: r.private,
                diagnostics: read_diagnostics(r.diagnostics),
                legacy_type_system: r.legacy_type_system,
            })
        )
    }

    /// `ImportResourceState`: the objects an import id names.
    pub async fn import_resource_state(
        &self,
        type_name: &str,
        id: &str,
    ) -> Result<ImportResponse, PluginError> {
        const RPC: &str = "ImportResourceState";
        self.value_type("resource type", type_name).await?;
        let found = dispatch!(self, "ImportResourceState", self.timeouts.read_plan,
            v5: import_resource_state / import_resource_state,
            v6: import_resource_state / import_resource_state,
            |v, msg| msg::Request {
                type_name: type_name.to_string(),
                id: id.to_string(),
                client_capabilities: capabilities!(v),
                identity: None,
            },
            |r| (
                r.imported_resources
                    .into_iter()
                    .map(|i| (i.type_name, i.state.map(Into::into), i.private))
                    .collect::<Vec<_>>(),
                read_diagnostics(r.diagnostics),
                deferred(r.deferred.map(|d| d.reason)),
            )
        );
        let (objects, diagnostics, deferred) = found;
        let mut imported = Vec::with_capacity(objects.len());
        for (type_name, state, private) in objects {
            let ty = self.value_type("resource type", &type_name).await?;
            imported.push(ImportedResource {
                state: self.decode(RPC, state, &ty, &[])?,
                type_name,
                private,
            });
        }
        Ok(ImportResponse {
            imported,
            diagnostics,
            deferred,
        })
    }

    /// `UpgradeResourceState`: stored state written with schema `version`, in the current
    /// schema.
    pub async fn upgrade_resource_state(
        &self,
        type_name: &str,
        version: i64,
        raw_state: &RawState,
    ) -> Result<UpgradeResponse, PluginError> {
        const RPC: &str = "UpgradeResourceState";
        let ty = self.value_type("resource type", type_name).await?;
        let (json, flatmap) = match raw_state {
            RawState::Json(bytes) => (bytes.clone(), Default::default()),
            RawState::Flatmap(map) => (Vec::new(), map.clone().into_iter().collect()),
        };
        dispatch!(self, "UpgradeResourceState", self.timeouts.read_plan,
            v5: upgrade_resource_state / upgrade_resource_state,
            v6: upgrade_resource_state / upgrade_resource_state,
            |v, msg| msg::Request {
                type_name: type_name.to_string(),
                version,
                raw_state: Some(v::RawState { json, flatmap }),
            },
            |r| Ok(UpgradeResponse {
                upgraded_state: self.decode(RPC, r.upgraded_state.map(Into::into), &ty, &[])?,
                diagnostics: read_diagnostics(r.diagnostics),
            })
        )
    }

    /// `ReadDataSource`.
    pub async fn read_data_source(
        &self,
        type_name: &str,
        config: &Value,
        provider_meta: &Option<Value>,
    ) -> Result<ReadDataResponse, PluginError> {
        const RPC: &str = "ReadDataSource";
        let ty = self.value_type("data source", type_name).await?;
        let (bytes, marks) = self.encode(RPC, config, &ty)?;
        dispatch!(self, "ReadDataSource", self.timeouts.read_plan,
            v5: read_data_source / read_data_source, v6: read_data_source / read_data_source,
            |v, msg| msg::Request {
                type_name: type_name.to_string(),
                config: Some((bytes, Vec::new()).into()),
                provider_meta: self.encode_meta(RPC, provider_meta).await?,
                client_capabilities: capabilities!(v),
            },
            |r| Ok(ReadDataResponse {
                state: self.decode(RPC, r.state.map(Into::into), &ty, &marks)?,
                diagnostics: read_diagnostics(r.diagnostics),
                deferred: deferred(r.deferred.map(|d| d.reason)),
            })
        )
    }

    /// `CallFunction`: calls `provider::NAME::function(arguments...)`. The outer error is a
    /// failure to call; the inner one is the function's own error.
    pub async fn call_function(
        &self,
        function: &str,
        arguments: &[Value],
    ) -> Result<Result<Value, FunctionError>, PluginError> {
        const RPC: &str = "CallFunction";
        let schemas = self.schemas().await?;
        let def = schemas
            .functions
            .get(function)
            .ok_or_else(|| PluginError::UnknownType {
                provider: self.name().to_string(),
                kind: "function",
                name: function.to_string(),
            })?;
        let mut encoded = Vec::with_capacity(arguments.len());
        let mut marked = false;
        for (i, argument) in arguments.iter().enumerate() {
            let ty: &CtyType = match def.parameters.get(i) {
                Some(p) => &p.ty,
                None => match &def.variadic_parameter {
                    Some(p) => &p.ty,
                    None => {
                        return Ok(Err(FunctionError {
                            text: format!(
                                "{function} takes {} arguments, {} given",
                                def.parameters.len(),
                                arguments.len()
                            ),
                            argument: Some(i as i64),
                        }))
                    }
                },
            };
            let (bytes, marks) = self.encode(RPC, argument, ty)?;
            marked |= !marks.is_empty();
            encoded.push(bytes);
        }
        let return_type = def.return_type.clone();
        let answer = dispatch!(self, "CallFunction", self.timeouts.read_plan,
            v5: call_function / call_function, v6: call_function / call_function,
            |v, msg| msg::Request {
                name: function.to_string(),
                arguments: encoded.into_iter().map(|b| (b, Vec::new()).into()).collect(),
            },
            |r| match r.error {
                Some(e) if !e.text.is_empty() || e.function_argument.is_some() => Err(FunctionError {
                    text: e.text,
                    argument: e.function_argument,
                }),
                _ => Ok(r.result.map(Into::into)),
            }
        );
        Ok(match answer {
            Ok(result) => {
                let value = self.decode(RPC, result, &return_type, &[])?;
                // A result computed from a sensitive argument is sensitive.
                Ok(if marked {
                    value.mark_sensitive()
                } else {
                    value
                })
            }
            Err(e) => Err(e),
        })
    }
}
