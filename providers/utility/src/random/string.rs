//! `random_string` and `random_password`: `length` characters from the enabled classes (lower,
//! upper, numeric, special or `override_special`), at least `min_*` of each, shuffled.
//! `random_password` keeps its `result` sensitive and adds a sensitive `bcrypt_hash`; its `id`
//! is "none", where `random_string`'s is the result. Both import from the result itself.

use plinth_sdk::{Attribute, CrashSafety, Diagnostics, Schema, Type, Validator, Value};
use rand::seq::{IndexedRandom, SliceRandom};

use crate::common::{self, flag, int, invalid, string};
use crate::generated::{Generated, Object};

const LOWER: &str = "abcdefghijklmnopqrstuvwxyz";
const UPPER: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const NUMERIC: &str = "0123456789";
const SPECIAL: &str = "!@#$%&*()-_=+[]{}<>:?";

/// The cost of the bcrypt hash (Go's `bcrypt.DefaultCost`).
const BCRYPT_COST: u32 = 10;

pub struct RandomString {
    name: &'static str,
    password: bool,
}

impl RandomString {
    pub const STRING: RandomString = RandomString {
        name: "random_string",
        password: false,
    };
    pub const PASSWORD: RandomString = RandomString {
        name: "random_password",
        password: true,
    };

    /// Sets the attributes derived from the result.
    fn finish(&self, object: &mut Object, result: String) -> Result<(), Diagnostics> {
        if self.password {
            let hash = bcrypt::hash(&result, BCRYPT_COST)
                .map_err(|e| invalid("result", format!("bcrypt could not hash it: {e}")))?;
            object.insert("bcrypt_hash".into(), Value::String(hash));
            object.insert("id".into(), Value::from("none"));
        } else {
            object.insert("id".into(), Value::String(result.clone()));
        }
        object.insert("result".into(), Value::String(result));
        Ok(())
    }
}

/// The characters to draw from, and how many must come from each class.
fn classes(object: &Object) -> Vec<(Vec<char>, i64)> {
    let special = string(object, "override_special").unwrap_or_else(|| SPECIAL.to_string());
    let numeric = flag(object, "numeric", true) && flag(object, "number", true);
    [
        ("lower", LOWER.to_string(), flag(object, "lower", true)),
        ("upper", UPPER.to_string(), flag(object, "upper", true)),
        ("numeric", NUMERIC.to_string(), numeric),
        ("special", special, flag(object, "special", true)),
    ]
    .into_iter()
    .filter(|(_, chars, enabled)| *enabled && !chars.is_empty())
    .map(|(class, chars, _)| {
        let min = int(object, &format!("min_{class}")).unwrap_or(0).max(0);
        (chars.chars().collect(), min)
    })
    .collect()
}

/// Generates the string: the minimums of each class first, the rest from every class, shuffled.
fn generate_string(object: &Object) -> Result<String, Diagnostics> {
    let length = int(object, "length").unwrap_or(0);
    let classes = classes(object);
    let minimum: i64 = classes.iter().map(|(_, min)| min).sum();
    if length < 1 {
        return Err(invalid("length", "must be at least 1."));
    }
    if minimum > length {
        return Err(invalid(
            "length",
            format!("must be at least the sum of the min_* arguments ({minimum})."),
        ));
    }
    let all: Vec<char> = classes.iter().flat_map(|(c, _)| c.clone()).collect();
    if all.is_empty() {
        return Err(invalid(
            "length",
            "no character class is enabled: set one of lower, upper, numeric or special.",
        ));
    }
    let mut rng = rand::rng();
    let mut out: Vec<char> = Vec::with_capacity(length as usize);
    for (chars, min) in &classes {
        for _ in 0..*min {
            out.extend(chars.choose(&mut rng));
        }
    }
    while (out.len() as i64) < length {
        out.extend(all.choose(&mut rng));
    }
    out.shuffle(&mut rng);
    Ok(out.into_iter().collect())
}

impl Generated for RandomString {
    fn type_name(&self) -> &'static str {
        self.name
    }

    fn schema(&self) -> Schema {
        let class = |text: &str| {
            Attribute::optional(Type::Bool)
                .force_new()
                .default(true)
                .describe(text)
        };
        let min = |text: &str| {
            Attribute::optional(Type::Number)
                .force_new()
                .default(Value::int(0))
                .describe(text)
        };
        let mut result = Attribute::computed(Type::String).describe("The generated string.");
        if self.password {
            result = result.sensitive();
        }
        let mut schema = Schema::new()
            .attr(
                "length",
                Attribute::required(Type::Number)
                    .force_new()
                    .validate(Validator::Between {
                        min: 1.0,
                        max: f64::from(u32::MAX),
                    })
                    .describe("How many characters."),
            )
            .attr(
                "keepers",
                common::keepers("Arbitrary strings; a change generates a new result."),
            )
            .attr("lower", class("Include lowercase letters."))
            .attr("upper", class("Include uppercase letters."))
            .attr("numeric", class("Include digits."))
            .attr("number", class("Include digits.").deprecate("numeric"))
            .attr(
                "special",
                class("Include special characters (!@#$%&*()-_=+[]{}<>:? unless overridden)."),
            )
            .attr("min_lower", min("At least this many lowercase letters."))
            .attr("min_upper", min("At least this many uppercase letters."))
            .attr("min_numeric", min("At least this many digits."))
            .attr("min_special", min("At least this many special characters."))
            .attr(
                "override_special",
                Attribute::optional(Type::String)
                    .force_new()
                    .describe("The special characters to use instead of the default ones."),
            )
            .attr("result", result)
            .attr("id", Attribute::computed(Type::String))
            .crash_safety(CrashSafety::NoRemoteObject);
        if self.password {
            schema = schema.attr(
                "bcrypt_hash",
                Attribute::computed(Type::String)
                    .sensitive()
                    .describe("A bcrypt hash of the result."),
            );
        }
        schema
    }

    fn generate(&self, object: &mut Object) -> Result<(), Diagnostics> {
        let result = generate_string(object)?;
        self.finish(object, result)
    }

    fn import(&self, id: &str) -> Result<Object, Diagnostics> {
        if id.is_empty() {
            return Err(invalid(
                "id",
                "the import id is the result itself and cannot be empty.",
            ));
        }
        let mut object = Object::new();
        object.insert("length".into(), Value::int(id.chars().count() as i64));
        for class in ["lower", "upper", "numeric", "number", "special"] {
            object.insert(class.into(), Value::Bool(true));
        }
        for min in ["min_lower", "min_upper", "min_numeric", "min_special"] {
            object.insert(min.into(), Value::int(0));
        }
        object.insert("keepers".into(), Value::Null);
        object.insert("override_special".into(), Value::Null);
        self.finish(&mut object, id.to_string())?;
        Ok(object)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(pairs: &[(&str, Value)]) -> Object {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn minimums_of_each_class_are_met() {
        let object = config(&[
            ("length", Value::int(12)),
            ("min_upper", Value::int(4)),
            ("min_numeric", Value::int(4)),
            ("min_special", Value::int(4)),
            ("override_special", Value::from("_")),
        ]);
        for _ in 0..20 {
            let s = generate_string(&object).expect("generated");
            assert_eq!(s.chars().count(), 12);
            assert_eq!(s.chars().filter(char::is_ascii_uppercase).count(), 4, "{s}");
            assert_eq!(s.chars().filter(char::is_ascii_digit).count(), 4, "{s}");
            assert_eq!(s.chars().filter(|c| *c == '_').count(), 4, "{s}");
        }
    }

    #[test]
    fn disabled_classes_never_appear() {
        let object = config(&[
            ("length", Value::int(64)),
            ("special", Value::Bool(false)),
            ("upper", Value::Bool(false)),
            ("numeric", Value::Bool(false)),
        ]);
        let s = generate_string(&object).expect("generated");
        assert!(s.chars().all(|c| c.is_ascii_lowercase()), "{s}");
    }

    #[test]
    fn minimums_beyond_the_length_are_refused() {
        let object = config(&[("length", Value::int(2)), ("min_upper", Value::int(3))]);
        assert!(generate_string(&object).is_err());
    }
}
