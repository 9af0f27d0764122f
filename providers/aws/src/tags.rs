//! Tags of EC2 objects: `tags` (the configuration's) and `tags_all` (with the provider's
//! `default_tags`), written in the create call itself through tag specifications together with
//! plinth's bookkeeping tags `plinth:intent` (the engine's intent token) and `plinth:address`,
//! so an object carries its token from its first moment and an interrupted create is adopted.
//! Bookkeeping tags and the keys `ignore_tags` names are never shown nor changed.

use std::collections::BTreeMap;

use aws_sdk_ec2::types::{Filter, ResourceType, Tag, TagSpecification};
use plinth_sdk::{Attribute, Intent, PlanRequest, PlanResponse, Schema, Type, Value};

use crate::attrs;
use crate::client::{Client, TagPolicy};
use crate::error::AwsError;

/// The tag carrying the intent token.
pub const INTENT_KEY: &str = "plinth:intent";
/// The tag carrying the resource address.
pub const ADDRESS_KEY: &str = "plinth:address";

/// Whether a key is plinth's bookkeeping.
pub fn is_bookkeeping(key: &str) -> bool {
    key == INTENT_KEY || key == ADDRESS_KEY
}

/// Adds `tags` and `tags_all` to a schema.
pub fn attributes(schema: Schema) -> Schema {
    schema
        .attr(
            "tags",
            Attribute::optional(Type::map(Type::String)).describe("Tags of the object."),
        )
        .attr(
            "tags_all",
            Attribute::computed(Type::map(Type::String))
                .describe("Its tags together with the provider's default_tags."),
        )
}

/// Every tag the object should carry: default tags overridden by its own.
pub fn all(policy: &TagPolicy, object: &Value) -> BTreeMap<String, String> {
    let mut all = policy.default.clone();
    all.extend(attrs::string_map(object, "tags"));
    all.retain(|key, _| !policy.ignores(key));
    all
}

/// Plans `tags_all` from `tags` and the default tags.
pub fn plan(policy: &TagPolicy, request: PlanRequest) -> PlanResponse {
    let mut planned = request.proposed;
    let tags = planned.get("tags").cloned().unwrap_or(Value::Null);
    let value = if tags.contains_unknown() {
        Value::Unknown
    } else {
        attrs::map_value(&all(policy, &planned))
    };
    if let Value::Map(map) = &mut planned {
        map.insert("tags_all".into(), value);
    }
    PlanResponse::keep(planned)
}

/// Every tag of a create call: the object's, the defaults and plinth's bookkeeping.
pub fn at_creation(policy: &TagPolicy, planned: &Value, intent: &Intent) -> Vec<(String, String)> {
    let mut tags: Vec<(String, String)> = all(policy, planned).into_iter().collect();
    tags.push((INTENT_KEY.into(), intent.token.clone()));
    tags.push((ADDRESS_KEY.into(), intent.address.clone()));
    tags
}

/// The EC2 tag specification of a create call for `resource_type`.
pub fn specification(
    policy: &TagPolicy,
    resource_type: ResourceType,
    planned: &Value,
    intent: &Intent,
) -> TagSpecification {
    let tags: Vec<Tag> = at_creation(policy, planned, intent)
        .iter()
        .map(|(k, v)| tag(k, v))
        .collect();
    TagSpecification::builder()
        .resource_type(resource_type)
        .set_tags(Some(tags))
        .build()
}

/// One tag.
pub fn tag(key: &str, value: &str) -> Tag {
    Tag::builder().key(key).value(value).build()
}

/// The filter finding objects made under an intent.
pub fn intent_filter(intent: &Intent) -> Filter {
    Filter::builder()
        .name(format!("tag:{INTENT_KEY}"))
        .values(&intent.token)
        .build()
}

/// Sets `tags` and `tags_all` from EC2's tags.
pub fn render(policy: &TagPolicy, remote: &[Tag], prior: &Value, state: &mut attrs::State) {
    render_pairs(
        policy,
        remote
            .iter()
            .filter_map(|t| Some((t.key()?.to_string(), t.value().unwrap_or("").to_string()))),
        prior,
        state,
    );
}

/// Sets `tags` and `tags_all` from an object's tags: bookkeeping and ignored keys left out, and
/// a default tag counted in `tags` only when the object's own configuration names it.
pub fn render_pairs(
    policy: &TagPolicy,
    remote: impl IntoIterator<Item = (String, String)>,
    prior: &Value,
    state: &mut attrs::State,
) {
    let remote: BTreeMap<String, String> = remote
        .into_iter()
        .filter(|(k, _)| !is_bookkeeping(k) && !policy.ignores(k))
        .collect();
    let own = attrs::string_map(prior, "tags");
    let tags: BTreeMap<String, String> = remote
        .iter()
        .filter(|(k, v)| {
            own.contains_key(*k) || policy.default.get(*k).is_none_or(|default| default != *v)
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let was_null = prior.get("tags").is_none_or(Value::is_null);
    if tags.is_empty() && was_null {
        state.set("tags", Value::Null);
    } else {
        state.set("tags", attrs::map_value(&tags));
    }
    state.set("tags_all", attrs::map_value(&remote));
}

/// The tags to set and the keys to remove to bring an object from `prior` to `planned`.
pub fn changes(
    policy: &TagPolicy,
    prior: &Value,
    planned: &Value,
) -> (Vec<(String, String)>, Vec<String>) {
    let before = all(policy, prior);
    let after = all(policy, planned);
    let removed = before
        .keys()
        .filter(|k| !after.contains_key(*k))
        .cloned()
        .collect();
    let set = after
        .into_iter()
        .filter(|(k, v)| before.get(k) != Some(v))
        .collect();
    (set, removed)
}

/// Brings an EC2 object's tags from the prior object's to the planned one's.
pub async fn update(
    client: &Client,
    id: &str,
    prior: &Value,
    planned: &Value,
) -> Result<(), AwsError> {
    let (set, removed) = changes(&client.tags, prior, planned);
    let removed: Vec<Tag> = removed
        .iter()
        .map(|k| Tag::builder().key(k).build())
        .collect();
    let set: Vec<Tag> = set.iter().map(|(k, v)| tag(k, v)).collect();
    if !removed.is_empty() {
        client
            .ec2
            .delete_tags()
            .resources(id)
            .set_tags(Some(removed))
            .send()
            .await?;
    }
    if !set.is_empty() {
        client
            .ec2
            .create_tags()
            .resources(id)
            .set_tags(Some(set))
            .send()
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_tags_show_in_tags_all_and_bookkeeping_nowhere() {
        let policy = TagPolicy {
            default: BTreeMap::from([("Project".to_string(), "gaceta".to_string())]),
            ignore_keys: vec!["Owner".into()],
            ignore_prefixes: vec![],
        };
        let prior = Value::object([("tags", Value::object([("Name", Value::from("web"))]))]);
        let remote = [
            tag("Name", "web"),
            tag("Project", "gaceta"),
            tag("Owner", "someone"),
            tag(INTENT_KEY, "abc"),
        ];
        let mut state = attrs::State::from(&prior);
        render(&policy, &remote, &prior, &mut state);
        let state = state.build();
        assert_eq!(
            attrs::string_map(&state, "tags"),
            BTreeMap::from([("Name".to_string(), "web".to_string())])
        );
        assert_eq!(attrs::string_map(&state, "tags_all").len(), 2);
        let spec = specification(
            &policy,
            ResourceType::Vpc,
            &prior,
            &Intent::new("aws_vpc.main", "default"),
        );
        let keys: Vec<&str> = spec.tags().iter().filter_map(Tag::key).collect();
        assert_eq!(keys, ["Name", "Project", INTENT_KEY, ADDRESS_KEY]);
    }
}
