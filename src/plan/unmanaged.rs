//! Objects of the managed types that exist but no state manages, found through each provider's
//! `list` operation (`plinth drift -unmanaged`).

use std::collections::{BTreeSet, HashSet};

use plinth_sdk::{Diagnostic, Diagnostics, ListRequest, Value};
use plinth_state::{Mode, State};

use crate::engine::providers::Providers;
use crate::plan::drift::Unmanaged;

/// What listing found.
#[derive(Debug, Default)]
pub struct Listed {
    /// Objects no state manages, sorted by type and id.
    pub unmanaged: Vec<Unmanaged>,
    /// The types whose provider cannot list them (`provider type`).
    pub unsupported: Vec<String>,
    /// Errors and warnings of the providers.
    pub diagnostics: Diagnostics,
}

/// Lists every `(provider key, type)` through its configured provider and keeps the objects
/// whose id no instance (current or deposed) of `state` has.
pub async fn find(
    providers: &Providers,
    types: &BTreeSet<(String, String)>,
    state: &State,
) -> Listed {
    let managed: HashSet<(&str, &str)> = state
        .instances
        .values()
        .chain(state.deposed.values().flat_map(|d| d.values()))
        .filter(|i| i.mode == Mode::Managed)
        .filter_map(|i| Some((i.type_name.as_str(), i.attributes.get("id")?.as_str()?)))
        .collect();
    let mut listed = Listed::default();
    for (key, type_name) in types {
        let Some(provider) = providers.get(key) else {
            listed.unsupported.push(format!("{key} {type_name}"));
            continue;
        };
        let response = provider
            .list(
                &providers.context(),
                ListRequest {
                    type_name: type_name.clone(),
                },
            )
            .await;
        for diagnostic in response.diagnostics.0 {
            let summary = format!("{} (listing {type_name})", diagnostic.summary);
            listed.diagnostics.push(Diagnostic {
                summary,
                ..diagnostic
            });
        }
        if !response.supported {
            listed.unsupported.push(format!("{key} {type_name}"));
            continue;
        }
        for object in response.objects {
            let Some(id) = object.get("id").and_then(Value::as_str).map(str::to_string) else {
                continue;
            };
            if managed.contains(&(type_name.as_str(), id.as_str())) {
                continue;
            }
            listed.unmanaged.push(Unmanaged {
                provider: key.clone(),
                type_name: type_name.clone(),
                name: object
                    .get("name")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                id,
                value: object,
            });
        }
    }
    listed
        .unmanaged
        .sort_by(|a, b| (&a.type_name, &a.id).cmp(&(&b.type_name, &b.id)));
    listed
}
