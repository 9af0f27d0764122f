//! Refresh: reads the real objects behind state in one `read_many` call per provider
//! configuration and resource type, the first time any instance of that type is needed, and
//! caches the answers.
//!
//! An object is read through the provider configuration its resource uses now (`route`), or,
//! for one no longer configured, the one recorded in state. A provider must answer every object
//! it was asked about: a short or long answer is an error, never "the rest are gone".

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use plinth_sdk::{Diagnostic, Diagnostics, ReadManyRequest, ReadResult, Value};
use plinth_state::{Instance, Mode, State};
use tokio::sync::OnceCell;

use crate::engine::providers::Providers;

/// Each object's answer: its current value, None when gone, or why it could not be read.
type Answers = HashMap<String, Result<Option<Value>, Diagnostics>>;

/// One type's answers, read at most once.
type Cell = Arc<OnceCell<Result<Answers, Diagnostics>>>;

/// Cached refresh results by (provider key, type).
pub struct Refresh<'a> {
    state: &'a State,
    providers: &'a Providers,
    /// The provider configuration each instance address is read through.
    route: HashMap<String, String>,
    cells: Mutex<HashMap<(String, String), Cell>>,
}

impl<'a> Refresh<'a> {
    /// A cache over `state`; `provider_of` gives the provider configuration a configured
    /// resource (by configuration address, without keys) uses now.
    pub fn new(
        state: &'a State,
        providers: &'a Providers,
        provider_of: &dyn Fn(&str) -> Option<String>,
    ) -> Refresh<'a> {
        let route = state
            .instances
            .iter()
            .map(|(address, instance)| {
                let resource = plinth_state::addr::without_keys(address);
                let key = provider_of(&resource).unwrap_or_else(|| instance.provider.clone());
                (address.clone(), key)
            })
            .collect();
        Refresh {
            state,
            providers,
            route,
            cells: Mutex::new(HashMap::new()),
        }
    }

    /// The current object behind `address` (`None`: gone), reading the whole type on first use.
    pub async fn get(
        &self,
        provider: &str,
        type_name: &str,
        address: &str,
    ) -> Result<Option<Value>, Diagnostics> {
        let cell = {
            let mut cells = self.cells.lock().unwrap_or_else(|p| p.into_inner());
            cells
                .entry((provider.to_string(), type_name.to_string()))
                .or_default()
                .clone()
        };
        let answers = cell
            .get_or_init(|| self.read_type(provider, type_name))
            .await;
        match answers {
            Ok(map) => map.get(address).cloned().unwrap_or_else(|| {
                Err(
                Diagnostic::error("Object missing from refresh")
                    .with_detail(format!(
                        "{address} was not read through provider[\"{provider}\"], so its current state is unknown."
                    ))
                    .with_address(address)
                    .into())
            }),
            Err(e) => Err(e.clone()),
        }
    }

    async fn read_type(&self, provider: &str, type_name: &str) -> Result<Answers, Diagnostics> {
        let stored: Vec<(&String, &Instance)> = self
            .state
            .instances
            .iter()
            .filter(|(address, i)| {
                i.mode == Mode::Managed
                    && i.type_name == type_name
                    && self.route.get(*address).map(String::as_str) == Some(provider)
            })
            .collect();
        let privates = if stored.iter().any(|(_, i)| i.private.is_some()) {
            stored.iter().map(|(_, i)| i.private_bytes()).collect()
        } else {
            Vec::new()
        };
        let (addresses, priors): (Vec<String>, Vec<Value>) = stored
            .into_iter()
            .map(|(a, i)| (a.clone(), Value::from_json(&i.attributes)))
            .unzip();
        if priors.is_empty() {
            return Ok(HashMap::new());
        }
        let Some(instance) = self.providers.get(provider) else {
            return Err(Diagnostic::error(format!(
                "Provider \"{provider}\" is not configured"
            ))
            .with_detail(format!(
                "The {type_name} objects in state could not be read because their provider configuration was not configured."
            ))
            .into());
        };
        let asked = priors.len();
        let response = instance
            .read_many(
                &self.providers.context(),
                ReadManyRequest {
                    type_name: type_name.to_string(),
                    objects: priors,
                    privates,
                },
            )
            .await;
        if response.diagnostics.has_errors() {
            return Err(response.diagnostics);
        }
        if response.results.len() != asked {
            return Err(Diagnostic::error("Provider answered a refresh incompletely")
                .with_detail(format!(
                    "provider[\"{provider}\"] was asked to read {asked} {type_name} objects and answered {}. Objects missing from an answer are not assumed deleted; this is a bug in the provider.",
                    response.results.len()
                ))
                .into());
        }
        let current = response.results.into_iter().map(|result| match result {
            ReadResult::Found(value) => Ok(Some(value)),
            ReadResult::Gone => Ok(None),
            ReadResult::Failed(diagnostics) => Err(diagnostics),
        });
        let answers: Answers = addresses
            .into_iter()
            .zip(current)
            .map(|(address, result)| {
                let result = result.map_err(|d| d.with_address(&address));
                (address, result)
            })
            .collect();
        Ok(answers)
    }
}
