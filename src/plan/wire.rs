//! Serde helpers that store `Value`s in plan files with their unknowns and sensitive marks.

use std::collections::BTreeMap;

use plinth_sdk::Value;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Serializes a value in wire form.
pub fn serialize<S: Serializer>(v: &Value, s: S) -> Result<S::Ok, S::Error> {
    v.to_wire().serialize(s)
}

/// Deserializes a value from wire form.
pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
    Ok(Value::from_wire(&serde_json::Value::deserialize(d)?))
}

/// For `Option<Value>` fields.
pub mod option {
    use super::*;

    /// Serializes an optional value in wire form.
    pub fn serialize<S: Serializer>(v: &Option<Value>, s: S) -> Result<S::Ok, S::Error> {
        v.as_ref().map(Value::to_wire).serialize(s)
    }

    /// Deserializes an optional value from wire form.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
        Ok(Option::<serde_json::Value>::deserialize(d)?.map(|j| Value::from_wire(&j)))
    }
}

/// For `BTreeMap<String, Value>` fields.
pub mod map {
    use super::*;

    /// Serializes a map of values in wire form.
    pub fn serialize<S: Serializer>(v: &BTreeMap<String, Value>, s: S) -> Result<S::Ok, S::Error> {
        v.iter()
            .map(|(k, v)| (k.clone(), v.to_wire()))
            .collect::<BTreeMap<_, _>>()
            .serialize(s)
    }

    /// Deserializes a map of values from wire form.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<BTreeMap<String, Value>, D::Error> {
        Ok(BTreeMap::<String, serde_json::Value>::deserialize(d)?
            .into_iter()
            .map(|(k, v)| (k, Value::from_wire(&v)))
            .collect())
    }
}
