//! Refresh: reads the real objects behind state in one `read_many` call per provider and
//! resource type, the first time any instance of that type is needed, and caches the answers.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use plinth_sdk::{Diagnostics, Value};
use plinth_state::{Mode, State};
use tokio::sync::OnceCell;

use crate::engine::providers::Providers;

type Answers = HashMap<String, Option<Value>>;

/// One type's answers, read at most once.
type Cell = Arc<OnceCell<Result<Answers, Diagnostics>>>;

/// Cached refresh results by (provider key, type).
pub struct Refresh<'a> {
    state: &'a State,
    providers: &'a Providers,
    cells: Mutex<HashMap<(String, String), Cell>>,
}

impl<'a> Refresh<'a> {
    /// A cache over `state`.
    pub fn new(state: &'a State, providers: &'a Providers) -> Refresh<'a> {
        Refresh {
            state,
            providers,
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
            Ok(map) => Ok(map.get(address).cloned().unwrap_or(None)),
            Err(e) => Err(e.clone()),
        }
    }

    async fn read_type(&self, provider: &str, type_name: &str) -> Result<Answers, Diagnostics> {
        let (addresses, priors): (Vec<String>, Vec<Value>) = self
            .state
            .instances
            .iter()
            .filter(|(_, i)| {
                i.mode == Mode::Managed && i.provider == provider && i.type_name == type_name
            })
            .map(|(a, i)| (a.clone(), Value::from_json(&i.attributes)))
            .unzip();
        if priors.is_empty() {
            return Ok(HashMap::new());
        }
        let Some(instance) = self.providers.get(provider) else {
            return Ok(addresses
                .into_iter()
                .zip(priors)
                .map(|(a, p)| (a, Some(p)))
                .collect());
        };
        let current = instance.read_many(type_name, priors).await?;
        Ok(addresses.into_iter().zip(current).collect())
    }
}
