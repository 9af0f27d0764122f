//! Resource types whose objects exist only in state (random values, timestamps, triggers): a
//! [`Generated`] type computes its attributes on create and, for the few attributes that update
//! in place, on update; [`StateOnly`] turns it into a [`Resource`] whose reads find every
//! object as stored (unless it expired) and whose deletes have nothing to remove.

use std::collections::BTreeMap;

use async_trait::async_trait;
use plinth_sdk::{
    AttrPath, Context, CreateRequest, DeleteRequest, DeleteResponse, Diagnostic, Diagnostics,
    ObjectResponse, PlanRequest, PlanResponse, ReadManyResponse, ReadResult, Resource, Schema,
    UpdateRequest, Value,
};

use crate::common::entries;

/// An object's attributes by name.
pub type Object = BTreeMap<String, Value>;

/// A resource type computed entirely by the provider.
pub trait Generated: Send + Sync {
    /// The type's name (`random_id`).
    fn type_name(&self) -> &'static str;

    /// Its schema (crash safety `NoRemoteObject`).
    fn schema(&self) -> Schema;

    /// Fills in the computed attributes of a new object from its configuration.
    fn generate(&self, object: &mut Object) -> Result<(), Diagnostics>;

    /// Refines the plan of a create (`prior` None) or update. The default keeps the proposal.
    fn plan(&self, prior: Option<&Object>, proposed: &mut Object) {
        let _ = (prior, proposed);
    }

    /// Attributes whose planned change replaces the object besides the schema's `force_new`
    /// ones (a certificate due for renewal); may mark what the replacement recomputes unknown.
    /// The default: none.
    fn requires_replace(&self, prior: &Object, proposed: &mut Object) -> Vec<AttrPath> {
        let _ = (prior, proposed);
        Vec::new()
    }

    /// Recomputes what an in-place update changes. The default keeps the plan.
    fn update(&self, prior: &Object, planned: &mut Object) -> Result<(), Diagnostics> {
        let _ = (prior, planned);
        Ok(())
    }

    /// Whether a stored object has expired, so reads find it gone and the next plan replaces
    /// it. The default: never.
    fn expired(&self, object: &Value) -> bool {
        let _ = object;
        false
    }

    /// The object for an import id, when the type supports import.
    fn import(&self, id: &str) -> Result<Object, Diagnostics> {
        let _ = id;
        Err(Diagnostic::error(format!("{} does not support import", self.type_name())).into())
    }
}

/// A [`Generated`] type as a resource.
pub struct StateOnly<G>(pub G);

#[async_trait]
impl<G: Generated> Resource<()> for StateOnly<G> {
    fn type_name(&self) -> &str {
        self.0.type_name()
    }

    fn schema(&self) -> Schema {
        self.0.schema()
    }

    async fn plan(&self, _: &(), _: &Context, request: PlanRequest) -> PlanResponse {
        let prior = request.prior.map(entries);
        let mut proposed = entries(request.proposed);
        self.0.plan(prior.as_ref(), &mut proposed);
        let requires_replace = prior
            .as_ref()
            .map(|prior| self.0.requires_replace(prior, &mut proposed))
            .unwrap_or_default();
        PlanResponse {
            requires_replace,
            ..PlanResponse::keep(Value::Map(proposed))
        }
    }

    async fn create(&self, _: &(), _: &Context, request: CreateRequest) -> ObjectResponse {
        let mut object = entries(request.planned);
        match self.0.generate(&mut object) {
            Ok(()) => ObjectResponse::ok(Value::Map(object)),
            Err(diagnostics) => ObjectResponse::failed(diagnostics),
        }
    }

    async fn read_many(&self, _: &(), _: &Context, objects: Vec<Value>) -> ReadManyResponse {
        let results = objects
            .into_iter()
            .map(|object| {
                if self.0.expired(&object) {
                    ReadResult::Gone
                } else {
                    ReadResult::Found(object)
                }
            })
            .collect();
        ReadManyResponse {
            results,
            diagnostics: Diagnostics::new(),
        }
    }

    async fn update(&self, _: &(), _: &Context, request: UpdateRequest) -> ObjectResponse {
        let prior = entries(request.prior);
        let mut planned = entries(request.planned);
        match self.0.update(&prior, &mut planned) {
            Ok(()) => ObjectResponse::ok(Value::Map(planned)),
            Err(diagnostics) => ObjectResponse::failed(diagnostics),
        }
    }

    async fn delete(&self, _: &(), _: &Context, _: DeleteRequest) -> DeleteResponse {
        DeleteResponse::default()
    }

    async fn import(&self, _: &(), _: &Context, id: &str) -> ObjectResponse {
        match self.0.import(id) {
            Ok(object) => ObjectResponse::ok(Value::Map(object)),
            Err(diagnostics) => ObjectResponse::failed(diagnostics),
        }
    }
}
