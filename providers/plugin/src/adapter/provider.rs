//! `PluginProvider`: one provider process behind plinth's `Provider` contract.

use std::sync::Arc;

use async_trait::async_trait;
use futures_util::stream::{self, StreamExt};
use plinth_sdk::{
    ConfigureRequest, ConfigureResponse, Context, CreateRequest, DeleteRequest, DeleteResponse,
    Diagnostic, Diagnostics, ImportRequest, ObjectResponse, PlanRequest, PlanResponse, Provider,
    ProviderSchema, ReadDataRequest, ReadDataResponse, ReadManyRequest, ReadManyResponse,
    ReadResult, UpdateRequest, UpgradeRequest, UpgradeResponse, Value,
};

use super::factory::Warm;
use super::values;
use crate::{
    diagnostics_to_plinth, has_errors, ApplyRequest, BlockDef, InterruptGuard, LaunchOptions,
    PluginDiagnostic, PluginError, ProviderClient, ProviderSchemas, RawState, ReadRequest,
};

/// How many `ReadResource` calls a `read_many` keeps in flight (answers keep their order).
const READ_CONCURRENCY: usize = 16;

/// A plugin provider instance: unstarted until configured, then one running process.
pub struct PluginProvider {
    name: String,
    launch: LaunchOptions,
    schemas: Arc<ProviderSchemas>,
    plinth: Arc<ProviderSchema>,
    warm: Warm,
    client: Option<ProviderClient>,
    _interrupt: Option<InterruptGuard>,
}

impl PluginProvider {
    pub(super) fn new(
        name: String,
        launch: LaunchOptions,
        schemas: Arc<ProviderSchemas>,
        plinth: Arc<ProviderSchema>,
        warm: Warm,
    ) -> PluginProvider {
        PluginProvider {
            name,
            launch,
            schemas,
            plinth,
            warm,
            client: None,
            _interrupt: None,
        }
    }

    /// The running process, or why there is none.
    fn client(&self) -> Result<&ProviderClient, Diagnostics> {
        self.client.as_ref().ok_or_else(|| {
            Diagnostic::error(format!("Provider {} is not configured", self.name)).into()
        })
    }

    /// The schema of a resource type.
    fn resource(&self, type_name: &str) -> Result<&BlockDef, Diagnostics> {
        self.schemas
            .resources
            .get(type_name)
            .map(|s| &s.block)
            .ok_or_else(|| {
                Diagnostic::error(format!(
                    "Provider {} has no resource type {type_name}",
                    self.launch.name
                ))
                .into()
            })
    }

    /// The warm process from the factory, or a fresh one.
    async fn start(&self) -> Result<ProviderClient, PluginError> {
        let warm = self.warm.lock().unwrap_or_else(|p| p.into_inner()).take();
        match warm {
            Some(client) => Ok(client),
            None => ProviderClient::start(self.launch.clone()).await,
        }
    }
}

/// A failure to talk to the provider as a diagnostic (its text names the provider, the call
/// and the stderr tail).
fn failure(e: PluginError) -> Diagnostics {
    let summary = match &e {
        PluginError::Crashed { .. } => "The provider process exited unexpectedly",
        PluginError::Timeout { .. } => "The provider did not answer in time",
        PluginError::Value { .. } => "The provider sent a value plinth cannot read",
        _ => "Failed to call the provider",
    };
    Diagnostic::error(summary).with_detail(e.to_string()).into()
}

/// A plan that failed with `diagnostics`.
fn plan_failed(diagnostics: Diagnostics) -> PlanResponse {
    PlanResponse {
        diagnostics,
        ..PlanResponse::default()
    }
}

/// The provider's diagnostics, and whether any is an error.
fn diags(d: &[PluginDiagnostic]) -> (Diagnostics, bool) {
    (diagnostics_to_plinth(d, None), has_errors(d))
}

#[async_trait]
impl Provider for PluginProvider {
    fn name(&self) -> &str {
        &self.name
    }

    fn schema(&self) -> ProviderSchema {
        (*self.plinth).clone()
    }

    async fn configure(&mut self, _ctx: &Context, request: ConfigureRequest) -> ConfigureResponse {
        let client = match self.start().await {
            Ok(client) => client,
            Err(e) => {
                return ConfigureResponse {
                    diagnostics: failure(e),
                }
            }
        };
        let config = values::config_of(&self.schemas.provider.block, &request.config, None);
        let mut diagnostics = Diagnostics::new();
        let config = match client.validate_provider_config(&config).await {
            Ok(r) => {
                let (d, errors) = diags(&r.diagnostics);
                diagnostics.extend(d);
                if errors {
                    return ConfigureResponse { diagnostics };
                }
                r.prepared_config.unwrap_or(config)
            }
            Err(e) => {
                return ConfigureResponse {
                    diagnostics: failure(e),
                }
            }
        };
        match client.configure_provider(&config).await {
            Ok(d) => diagnostics.extend(diags(&d).0),
            Err(e) => diagnostics.extend(failure(e)),
        }
        self._interrupt = Some(client.stop_on_interrupt());
        self.client = Some(client);
        ConfigureResponse { diagnostics }
    }

    async fn plan(&self, _ctx: &Context, request: PlanRequest) -> PlanResponse {
        let (client, block) = match (self.client(), self.resource(&request.type_name)) {
            (Ok(c), Ok(b)) => (c, b),
            (Err(d), _) | (_, Err(d)) => return plan_failed(d),
        };
        let config = values::config_of(block, &request.proposed, request.prior.as_ref());
        let mut diagnostics = Diagnostics::new();
        match client
            .validate_resource_config(&request.type_name, &config)
            .await
        {
            Ok(d) => {
                let (d, errors) = diags(&d);
                diagnostics.extend(d);
                if errors {
                    return plan_failed(diagnostics);
                }
            }
            Err(e) => return plan_failed(failure(e)),
        }
        let answer = client
            .plan_resource_change(&crate::PlanRequest {
                type_name: request.type_name.clone(),
                prior_state: request.prior.clone().unwrap_or(Value::Null),
                proposed_new_state: values::proposed_for_plugin(block, &request.proposed),
                config,
                prior_private: request.prior_private,
                provider_meta: None,
            })
            .await;
        match answer {
            Ok(r) => {
                diagnostics.extend(diags(&r.diagnostics).0);
                PlanResponse {
                    planned: r.planned_state,
                    requires_replace: r
                        .requires_replace
                        .iter()
                        .map(values::to_attr_path)
                        .collect(),
                    private: r.planned_private,
                    diagnostics,
                }
            }
            Err(e) => plan_failed(failure(e)),
        }
    }

    async fn create(&self, _ctx: &Context, request: CreateRequest) -> ObjectResponse {
        self.apply(
            &request.type_name,
            Value::Null,
            &request.planned,
            request.private,
        )
        .await
    }

    async fn read_many(&self, _ctx: &Context, request: ReadManyRequest) -> ReadManyResponse {
        let client = match self.client() {
            Ok(c) => c,
            Err(d) => {
                return ReadManyResponse {
                    results: Vec::new(),
                    diagnostics: d,
                }
            }
        };
        let type_name = &request.type_name;
        let mut privates = request.privates.into_iter();
        let objects = request
            .objects
            .into_iter()
            .map(|object| (object, privates.next().unwrap_or_default()));
        let results = stream::iter(objects)
            .map(|(object, private)| async move {
                let answer = client
                    .read_resource(&ReadRequest {
                        type_name: type_name.clone(),
                        current_state: object,
                        private,
                        provider_meta: None,
                    })
                    .await;
                match answer {
                    Ok(r) => {
                        let (d, errors) = diags(&r.diagnostics);
                        if errors {
                            ReadResult::Failed(d)
                        } else if r.new_state.is_null() {
                            ReadResult::Gone
                        } else {
                            ReadResult::Found(r.new_state)
                        }
                    }
                    Err(e) => ReadResult::Failed(failure(e)),
                }
            })
            .buffered(READ_CONCURRENCY)
            .collect::<Vec<_>>()
            .await;
        ReadManyResponse {
            results,
            diagnostics: Diagnostics::new(),
        }
    }

    async fn update(&self, _ctx: &Context, request: UpdateRequest) -> ObjectResponse {
        self.apply(
            &request.type_name,
            request.prior,
            &request.planned,
            request.private,
        )
        .await
    }

    async fn delete(&self, _ctx: &Context, request: DeleteRequest) -> DeleteResponse {
        let client = match self.client() {
            Ok(c) => c,
            Err(d) => return d.into(),
        };
        let answer = client
            .apply_resource_change(&ApplyRequest {
                type_name: request.type_name,
                prior_state: request.prior,
                planned_state: Value::Null,
                config: Value::Null,
                planned_private: request.private,
                provider_meta: None,
            })
            .await;
        match answer {
            Ok(r) => {
                let (diagnostics, errors) = diags(&r.diagnostics);
                DeleteResponse {
                    remaining: (errors && !r.new_state.is_null()).then_some(r.new_state),
                    diagnostics,
                }
            }
            Err(e) => failure(e).into(),
        }
    }

    async fn import(&self, _ctx: &Context, request: ImportRequest) -> ObjectResponse {
        let client = match self.client() {
            Ok(c) => c,
            Err(d) => return d.into(),
        };
        let imported = match client
            .import_resource_state(&request.type_name, &request.id)
            .await
        {
            Ok(r) => r,
            Err(e) => return failure(e).into(),
        };
        let (mut diagnostics, errors) = diags(&imported.diagnostics);
        if errors {
            return diagnostics.into();
        }
        let Some(found) = imported
            .imported
            .into_iter()
            .find(|i| i.type_name == request.type_name)
        else {
            diagnostics.push(Diagnostic::error(format!(
                "Cannot import non-existent remote object {} {:?}",
                request.type_name, request.id
            )));
            return diagnostics.into();
        };
        // As Terraform does, the imported object is read before it is stored.
        let read = client
            .read_resource(&ReadRequest {
                type_name: request.type_name.clone(),
                current_state: found.state,
                private: found.private,
                provider_meta: None,
            })
            .await;
        match read {
            Ok(r) => {
                let (d, errors) = diags(&r.diagnostics);
                diagnostics.extend(d);
                if errors {
                    return diagnostics.into();
                }
                if r.new_state.is_null() {
                    diagnostics.push(Diagnostic::error(format!(
                        "Cannot import non-existent remote object {} {:?}",
                        request.type_name, request.id
                    )));
                    return diagnostics.into();
                }
                ObjectResponse {
                    new_state: Some(r.new_state),
                    private: r.private,
                    diagnostics,
                }
            }
            Err(e) => failure(e).into(),
        }
    }

    async fn read_data(&self, _ctx: &Context, request: ReadDataRequest) -> ReadDataResponse {
        let client = match self.client() {
            Ok(c) => c,
            Err(d) => return d.into(),
        };
        let Some(def) = self.schemas.data_sources.get(&request.type_name) else {
            return Diagnostics::from(Diagnostic::error(format!(
                "Provider {} has no data source {}",
                self.launch.name, request.type_name
            )))
            .into();
        };
        let config = values::config_of(&def.block, &request.config, None);
        let mut diagnostics = Diagnostics::new();
        match client
            .validate_data_resource_config(&request.type_name, &config)
            .await
        {
            Ok(d) => {
                let (d, errors) = diags(&d);
                diagnostics.extend(d);
                if errors {
                    return diagnostics.into();
                }
            }
            Err(e) => return failure(e).into(),
        }
        match client
            .read_data_source(&request.type_name, &config, &None)
            .await
        {
            Ok(r) => {
                let (d, errors) = diags(&r.diagnostics);
                diagnostics.extend(d);
                ReadDataResponse {
                    state: (!errors).then_some(r.state),
                    diagnostics,
                }
            }
            Err(e) => failure(e).into(),
        }
    }

    async fn upgrade(&self, _ctx: &Context, request: UpgradeRequest) -> UpgradeResponse {
        let client = match self.client() {
            Ok(c) => c,
            Err(d) => {
                return UpgradeResponse {
                    upgraded: None,
                    diagnostics: d,
                }
            }
        };
        let (plain, _) = request.stored.unmark_deep();
        let json = plain.to_json().to_string().into_bytes();
        let version = i64::try_from(request.version).unwrap_or(i64::MAX);
        match client
            .upgrade_resource_state(&request.type_name, version, &RawState::Json(json))
            .await
        {
            Ok(r) => {
                let (diagnostics, errors) = diags(&r.diagnostics);
                UpgradeResponse {
                    upgraded: (!errors).then_some(r.upgraded_state),
                    diagnostics,
                }
            }
            Err(e) => UpgradeResponse {
                upgraded: None,
                diagnostics: failure(e),
            },
        }
    }

    async fn stop(&self) {
        if let Some(client) = &self.client {
            if let Err(e) = client.stop().await {
                tracing::warn!("{e}");
            }
        }
    }
}

impl PluginProvider {
    /// `ApplyResourceChange` for a create (`prior` null) or an update.
    async fn apply(
        &self,
        type_name: &str,
        prior: Value,
        planned: &Value,
        private: Vec<u8>,
    ) -> ObjectResponse {
        let (client, block) = match (self.client(), self.resource(type_name)) {
            (Ok(c), Ok(b)) => (c, b),
            (Err(d), _) | (_, Err(d)) => return d.into(),
        };
        let answer = client
            .apply_resource_change(&ApplyRequest {
                type_name: type_name.to_string(),
                config: values::config_of(block, planned, (!prior.is_null()).then_some(&prior)),
                planned_state: values::planned_for_plugin(block, planned),
                prior_state: prior,
                planned_private: private,
                provider_meta: None,
            })
            .await;
        match answer {
            Ok(r) => {
                let (diagnostics, _) = diags(&r.diagnostics);
                ObjectResponse {
                    new_state: (!r.new_state.is_null()).then_some(r.new_state),
                    private: r.private,
                    diagnostics,
                }
            }
            Err(e) => failure(e).into(),
        }
    }
}
