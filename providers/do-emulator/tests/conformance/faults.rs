//! The scenario's injected faults and its final cleanup.

use plinth_do_emulator::{Emulator, FailRule, Throttle};
use serde_json::Value;

use crate::support::client::Api;

pub async fn faults(emulator: &Emulator, api: &Api) {
    emulator
        .update_knobs(|k| {
            k.throttle = Some(Throttle {
                every: 1,
                duration_ms: 60_000,
            })
        })
        .unwrap();
    let refused = api.call("GET", "/v2/account", None).await;
    assert_eq!(refused.status, 429);
    assert_eq!(refused.body["id"], "too_many_requests");
    assert!(refused.headers.contains_key("retry-after"));
    emulator.update_knobs(|k| k.throttle = None).unwrap();
    emulator
        .update_knobs(|k| {
            k.fail = vec![FailRule {
                method: Some("GET".into()),
                path: "/v2/sizes".into(),
                status: 500,
                times: Some(1),
            }]
        })
        .unwrap();
    assert_eq!(api.call("GET", "/v2/sizes", None).await.status, 500);
    assert_eq!(
        api.call("GET", "/v2/sizes", None).await.status,
        200,
        "the rule retires after one use"
    );
}

pub async fn cleanup(api: &Api, ids: &[u64], vpc: &Value) {
    let vpc_path = format!("/v2/vpcs/{}", vpc.as_str().unwrap());
    let members = api
        .expect(200, "GET", &format!("{vpc_path}/members"), None)
        .await;
    assert_eq!(members["meta"]["total"], 1, "web-1 is in the VPC");
    let refused = api.call("DELETE", &vpc_path, None).await;
    assert_eq!(refused.status, 403);
    api.expect(204, "DELETE", &format!("/v2/droplets/{}", ids[0]), None)
        .await;
    api.expect(422, "DELETE", "/v2/droplets", None).await;
    api.expect(204, "DELETE", "/v2/droplets?tag_name=web", None)
        .await;
    let left = api.expect(200, "GET", "/v2/droplets", None).await;
    assert_eq!(left["meta"]["total"], 0);
    api.expect(204, "DELETE", &vpc_path, None).await;
}
