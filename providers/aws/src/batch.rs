//! Batched refresh: a type's `read_many` asks AWS about many objects in one Describe call,
//! filtering by id (`vpc-id`, `instance-id`...) 200 ids at a time (AWS's limit on a filter's
//! values), paginated. A filter, unlike a list of ids, never fails the whole call for one
//! vanished object: what the answer leaves out is gone. With batching off (the provider's
//! `PLINTH_AWS_READ_ONE_BY_ONE` setting, for benchmarks) every object is asked about alone.

use std::collections::HashMap;
use std::future::Future;

use aws_sdk_ec2::types::Filter;
use plinth_sdk::{Diagnostic, ReadManyResponse, ReadResult, Value};

use crate::attrs;
use crate::error::AwsError;

/// The most values AWS accepts in one filter.
pub const CHUNK: usize = 200;

/// The environment variable that turns batching off.
pub const ONE_BY_ONE: &str = "PLINTH_AWS_READ_ONE_BY_ONE";

/// How many ids one Describe call asks about.
pub fn chunk_size() -> usize {
    if std::env::var(ONE_BY_ONE).is_ok_and(|v| v == "1" || v == "true") {
        1
    } else {
        CHUNK
    }
}

/// A filter on `name` with `values`.
pub fn filter(name: &str, values: impl IntoIterator<Item = impl Into<String>>) -> Filter {
    Filter::builder()
        .name(name)
        .set_values(Some(values.into_iter().map(Into::into).collect()))
        .build()
}

/// Reads `objects` (as state has them, each with an `id`), one result each, in order:
/// `describe` answers the objects found among some ids, keyed by id; `render` turns one into
/// its state, given the prior object (None: the object is gone although its container is not).
pub async fn read<T, F, Fut>(
    objects: &[Value],
    what: &str,
    describe: F,
    render: impl Fn(&T, &Value) -> Option<Value>,
) -> ReadManyResponse
where
    F: Fn(Vec<String>) -> Fut,
    Fut: Future<Output = Result<Vec<(String, T)>, AwsError>>,
{
    let ids: Vec<Option<String>> = objects
        .iter()
        .map(|o| attrs::string(o, "id").map(str::to_string))
        .collect();
    let mut wanted: Vec<String> = ids.iter().flatten().cloned().collect();
    wanted.sort();
    wanted.dedup();
    let mut found: HashMap<String, T> = HashMap::new();
    let mut failed: HashMap<String, AwsError> = HashMap::new();
    for chunk in wanted.chunks(chunk_size()) {
        match describe(chunk.to_vec()).await {
            Ok(items) => found.extend(items),
            Err(error) => {
                for id in chunk {
                    failed.insert(id.clone(), error.clone());
                }
            }
        }
    }
    let results = objects
        .iter()
        .zip(&ids)
        .map(|(object, id)| match id {
            None => ReadResult::Failed(
                Diagnostic::error(format!("{what}: the object in state has no id")).into(),
            ),
            Some(id) => match (found.get(id), failed.get(id)) {
                (Some(item), _) => match render(item, object) {
                    Some(state) => ReadResult::Found(state),
                    None => ReadResult::Gone,
                },
                (None, Some(error)) => ReadResult::Failed(error.diagnostics(what)),
                (None, None) => ReadResult::Gone,
            },
        })
        .collect();
    ReadManyResponse {
        results,
        ..ReadManyResponse::default()
    }
}
