//! `random_uuid`: a random (version 4) UUID in its usual lowercase form. Imported from the UUID.

use plinth_sdk::{Attribute, CrashSafety, Diagnostics, Schema, Type, Value};

use crate::common::{self, invalid};
use crate::generated::{Generated, Object};

pub struct RandomUuid;

impl Generated for RandomUuid {
    fn type_name(&self) -> &'static str {
        "random_uuid"
    }

    fn schema(&self) -> Schema {
        Schema::new()
            .attr(
                "keepers",
                common::keepers("Arbitrary strings; a change generates a new UUID."),
            )
            .attr(
                "result",
                Attribute::computed(Type::String).describe("The UUID."),
            )
            .attr(
                "id",
                Attribute::computed(Type::String).describe("The UUID."),
            )
            .crash_safety(CrashSafety::NoRemoteObject)
    }

    fn generate(&self, object: &mut Object) -> Result<(), Diagnostics> {
        let uuid = uuid::Uuid::new_v4().to_string();
        object.insert("result".into(), Value::String(uuid.clone()));
        object.insert("id".into(), Value::String(uuid));
        Ok(())
    }

    fn import(&self, id: &str) -> Result<Object, Diagnostics> {
        let uuid = uuid::Uuid::parse_str(id)
            .map_err(|e| invalid("id", format!("the import id must be a UUID: {e}.")))?
            .to_string();
        let mut object = Object::new();
        object.insert("result".into(), Value::String(uuid.clone()));
        object.insert("id".into(), Value::String(uuid));
        object.insert("keepers".into(), Value::Null);
        Ok(object)
    }
}
