//! `Value` as serde data, in its wire form (`Value::to_wire`): unknowns and sensitive marks
//! survive, so plans, diagnostics and plugin messages can carry values.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::Value;

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_wire().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Value, D::Error> {
        serde_json::Value::deserialize(deserializer).map(|wire| Value::from_wire(&wire))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_and_sensitive_values_round_trip() {
        let value = Value::object([
            ("id", Value::Unknown),
            ("password", Value::from("hunter2").mark_sensitive()),
            ("ports", Value::List(vec![Value::from(80i64)])),
        ]);
        let text = serde_json::to_string(&value).expect("serialises");
        let back: Value = serde_json::from_str(&text).expect("deserialises");
        assert_eq!(back, value);
    }
}
