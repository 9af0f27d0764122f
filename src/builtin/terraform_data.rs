//! The built-in `terraform` provider and its `terraform_data` resource: stores `input`, mirrors
//! it into `output`, and is replaced when `triggers_replace` changes. It needs no cloud.

use async_trait::async_trait;
use plinth_sdk::{
    Attribute, CreateError, Diagnostics, Origin, PlanResponse, Provider, ProviderSchema, Schema,
    Type, Value,
};

/// The built-in provider.
#[derive(Debug, Default)]
pub struct TerraformProvider;

/// Makes the built-in provider.
pub fn factory() -> Box<dyn Provider> {
    Box::new(TerraformProvider)
}

fn data_schema() -> Schema {
    Schema::new()
        .attr(
            "id",
            Attribute::computed(Type::String).describe("A unique id, set on create."),
        )
        .attr(
            "input",
            Attribute::optional(Type::Any).describe("Any value, stored in state."),
        )
        .attr(
            "output",
            Attribute::computed(Type::Any).describe("The value of input after apply."),
        )
        .attr(
            "triggers_replace",
            Attribute::optional(Type::Any)
                .force_new()
                .describe("Changing it replaces the resource."),
        )
}

#[async_trait]
impl Provider for TerraformProvider {
    fn name(&self) -> &'static str {
        "terraform"
    }

    fn schema(&self) -> ProviderSchema {
        let mut schema = ProviderSchema::default();
        schema
            .resources
            .insert("terraform_data".into(), data_schema());
        schema
    }

    async fn configure(&mut self, _config: Value) -> Result<(), Diagnostics> {
        Ok(())
    }

    async fn plan(
        &self,
        _type_name: &str,
        prior: Option<&Value>,
        proposed: Value,
    ) -> Result<PlanResponse, Diagnostics> {
        let Value::Map(mut planned) = proposed else {
            return Ok(PlanResponse {
                planned: proposed,
                requires_replace: Vec::new(),
            });
        };
        let input = planned.get("input").cloned().unwrap_or(Value::Null);
        let output = match prior {
            Some(p)
                if p.get("input").map(|i| i.clone().unmark_deep().0)
                    == Some(input.clone().unmark_deep().0) =>
            {
                p.get("output").cloned().unwrap_or(Value::Null)
            }
            _ if input.contains_sensitive() => Value::Unknown.mark_sensitive(),
            _ => Value::Unknown,
        };
        planned.insert("output".into(), output);
        if prior.is_none() {
            planned.insert("id".into(), Value::Unknown);
        }
        Ok(PlanResponse {
            planned: Value::Map(planned),
            requires_replace: Vec::new(),
        })
    }

    async fn create(
        &self,
        _type_name: &str,
        planned: Value,
        _origin: &Origin,
    ) -> Result<Value, CreateError> {
        let Value::Map(mut value) = planned else {
            return Ok(planned);
        };
        let input = value.get("input").cloned().unwrap_or(Value::Null);
        value.insert("output".into(), input);
        value.insert("id".into(), Value::String(uuid::Uuid::new_v4().to_string()));
        Ok(Value::Map(value))
    }

    async fn read_many(
        &self,
        _type_name: &str,
        priors: Vec<Value>,
    ) -> Result<Vec<Option<Value>>, Diagnostics> {
        Ok(priors.into_iter().map(Some).collect())
    }

    async fn update(
        &self,
        _type_name: &str,
        prior: Value,
        planned: Value,
    ) -> Result<Value, Diagnostics> {
        let Value::Map(mut value) = planned else {
            return Ok(planned);
        };
        let input = value.get("input").cloned().unwrap_or(Value::Null);
        value.insert("output".into(), input);
        if let Some(id) = prior.get("id") {
            value.insert("id".into(), id.clone());
        }
        Ok(Value::Map(value))
    }

    async fn delete(&self, _type_name: &str, _prior: Value) -> Result<(), Diagnostics> {
        Ok(())
    }

    async fn import(&self, _type_name: &str, id: &str) -> Result<Value, Diagnostics> {
        Ok(Value::object([
            ("id", Value::from(id)),
            ("input", Value::Null),
            ("output", Value::Null),
            ("triggers_replace", Value::Null),
        ]))
    }

    async fn read_data(&self, type_name: &str, _config: Value) -> Result<Value, Diagnostics> {
        Err(plinth_sdk::Diagnostic::error(format!(
            "The terraform provider has no data source \"{type_name}\""
        ))
        .into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn output_mirrors_input_and_is_unknown_until_apply_when_input_changes() {
        let p = TerraformProvider;
        let proposed = Value::object([
            ("input", Value::from("a")),
            ("id", Value::Unknown),
            ("output", Value::Unknown),
            ("triggers_replace", Value::Null),
        ]);
        let planned = p
            .plan("terraform_data", None, proposed.clone())
            .await
            .unwrap()
            .planned;
        assert_eq!(planned.get("output"), Some(&Value::Unknown));
        let created = p
            .create("terraform_data", planned, &plinth_sdk::Origin::default())
            .await
            .unwrap();
        assert_eq!(created.get("output"), Some(&Value::from("a")));
        assert!(created
            .get("id")
            .and_then(Value::as_str)
            .is_some_and(|id| id.len() == 36));
        let same = p
            .plan("terraform_data", Some(&created), created.clone())
            .await
            .unwrap()
            .planned;
        assert_eq!(same.get("output"), Some(&Value::from("a")));
    }
}
