//! `random_id`: `byte_length` random bytes shown as unpadded URL-safe base64 (`id`,
//! `b64_url`), standard base64, hexadecimal and decimal, each after the optional `prefix`.
//! Imported from `B64URL` or `PREFIX,B64URL`.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use num_bigint::BigUint;
use plinth_sdk::{Attribute, CrashSafety, Diagnostics, Schema, Type, Validator, Value};

use crate::common::{self, int, invalid, string};
use crate::generated::{Generated, Object};

pub struct RandomId;

/// Sets every computed attribute from the bytes.
fn fill(object: &mut Object, bytes: &[u8]) {
    let prefix = string(object, "prefix").unwrap_or_default();
    let id = URL_SAFE_NO_PAD.encode(bytes);
    object.insert("id".into(), Value::String(id.clone()));
    object.insert("b64_url".into(), Value::String(format!("{prefix}{id}")));
    object.insert(
        "b64_std".into(),
        Value::String(format!("{prefix}{}", STANDARD.encode(bytes))),
    );
    object.insert(
        "hex".into(),
        Value::String(format!("{prefix}{}", hex::encode(bytes))),
    );
    object.insert(
        "dec".into(),
        Value::String(format!("{prefix}{}", BigUint::from_bytes_be(bytes))),
    );
}

impl Generated for RandomId {
    fn type_name(&self) -> &'static str {
        "random_id"
    }

    fn schema(&self) -> Schema {
        let computed = |text: &str| Attribute::computed(Type::String).describe(text);
        Schema::new()
            .attr(
                "byte_length",
                Attribute::required(Type::Number)
                    .force_new()
                    .validate(Validator::Between {
                        min: 1.0,
                        max: 1_048_576.0,
                    })
                    .describe("How many random bytes."),
            )
            .attr(
                "prefix",
                Attribute::optional(Type::String)
                    .force_new()
                    .describe("Put before b64_url, b64_std, hex and dec."),
            )
            .attr(
                "keepers",
                common::keepers("Arbitrary strings; a change generates a new id."),
            )
            .attr("id", computed("The bytes as unpadded URL-safe base64."))
            .attr(
                "b64_url",
                computed("prefix + URL-safe base64 (no padding)."),
            )
            .attr("b64_std", computed("prefix + standard base64."))
            .attr("hex", computed("prefix + lowercase hexadecimal."))
            .attr(
                "dec",
                computed("prefix + the bytes as a big-endian decimal number."),
            )
            .crash_safety(CrashSafety::NoRemoteObject)
    }

    fn generate(&self, object: &mut Object) -> Result<(), Diagnostics> {
        let length = int(object, "byte_length").unwrap_or(0);
        if !(1..=1_048_576).contains(&length) {
            return Err(invalid("byte_length", "must be at least 1."));
        }
        let mut bytes = vec![0u8; length as usize];
        rand::fill(&mut bytes[..]);
        fill(object, &bytes);
        Ok(())
    }

    fn import(&self, id: &str) -> Result<Object, Diagnostics> {
        let (prefix, encoded) = match id.split_once(',') {
            Some((prefix, encoded)) => (Some(prefix), encoded),
            None => (None, id),
        };
        let bytes = URL_SAFE_NO_PAD.decode(encoded).map_err(|e| {
            invalid(
                "id",
                format!("the import id must be unpadded URL-safe base64, optionally after \"PREFIX,\": {e}"),
            )
        })?;
        let mut object = Object::new();
        object.insert("byte_length".into(), Value::int(bytes.len() as i64));
        object.insert("prefix".into(), prefix.map_or(Value::Null, Value::from));
        object.insert("keepers".into(), Value::Null);
        fill(&mut object, &bytes);
        Ok(object)
    }
}
