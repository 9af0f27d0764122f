//! The scenario's domains, records and tags.

use serde_json::json;

use crate::support::client::Api;

pub async fn domains(api: &Api) {
    api.expect(
        201,
        "POST",
        "/v2/domains",
        Some(json!({"name": "example.com", "ip_address": "192.0.2.10"})),
    )
    .await;
    api.expect(
        422,
        "POST",
        "/v2/domains",
        Some(json!({"name": "example.com"})),
    )
    .await;
    api.expect(200, "GET", "/v2/domains", None).await;
    let domain = api
        .expect(200, "GET", "/v2/domains/example.com", None)
        .await;
    assert!(domain["domain"]["zone_file"]
        .as_str()
        .unwrap()
        .contains("192.0.2.10"));
    let records = "/v2/domains/example.com/records";
    let mut created = Vec::new();
    for body in [
        json!({"type": "A", "name": "www", "data": "192.0.2.20", "ttl": 300}),
        json!({"type": "AAAA", "name": "www", "data": "2001:db8::20"}),
        json!({"type": "CNAME", "name": "blog", "data": "www.example.com."}),
        json!({"type": "TXT", "name": "@", "data": "v=spf1 -all", "flags": null, "tag": null}),
        json!({"type": "MX", "name": "@", "data": "mail.example.com.", "priority": 10}),
        json!({"type": "SRV", "name": "_sip._tcp", "data": "sip.example.com.", "priority": 10, "port": 5060, "weight": 5, "flags": null, "tag": null}),
        json!({"type": "CAA", "name": "@", "data": "letsencrypt.org", "flags": 0, "tag": "issue"}),
    ] {
        let record = api.expect(201, "POST", records, Some(body)).await;
        created.push(record["domain_record"]["id"].as_u64().unwrap());
    }
    let no_flags = api
        .call(
            "POST",
            records,
            Some(json!({"type": "TXT", "name": "x", "data": "y"})),
        )
        .await;
    assert_eq!(
        no_flags.status, 422,
        "the description requires flags and tag on TXT records"
    );
    let bad = api
        .call(
            "POST",
            records,
            Some(json!({"type": "CNAME", "name": "x", "data": "nodot"})),
        )
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(bad.body["message"], "Data needs to end with a dot (.)");
    let a_records = api
        .expect(200, "GET", &format!("{records}?type=A"), None)
        .await;
    assert_eq!(a_records["meta"]["total"], 2, "the apex A record and www");
    let www = api
        .expect(
            200,
            "GET",
            &format!("{records}?name=www.example.com&type=A"),
            None,
        )
        .await;
    assert_eq!(www["domain_records"][0]["data"], "192.0.2.20");
    let all = api
        .expect(200, "GET", &format!("{records}?per_page=200"), None)
        .await;
    assert_eq!(
        all["meta"]["total"],
        4 + 1 + 7,
        "NS x3, SOA, the apex A, and seven created"
    );
    let a = created[0];
    api.expect(200, "GET", &format!("{records}/{a}"), None)
        .await;
    let put = api
        .expect(
            200,
            "PUT",
            &format!("{records}/{a}"),
            Some(json!({"type": "A", "name": "www", "data": "192.0.2.30"})),
        )
        .await;
    assert_eq!(put["domain_record"]["data"], "192.0.2.30");
    let patched = api
        .expect(
            200,
            "PATCH",
            &format!("{records}/{a}"),
            Some(json!({"type": "A", "ttl": 600})),
        )
        .await;
    assert_eq!(patched["domain_record"]["ttl"], 600);
    api.expect(204, "DELETE", &format!("{records}/{a}"), None)
        .await;
    api.expect(404, "GET", &format!("{records}/{a}"), None)
        .await;
    api.expect(204, "DELETE", "/v2/domains/example.com", None)
        .await;
    api.expect(404, "GET", "/v2/domains/example.com/records", None)
        .await;
}

pub async fn tags(api: &Api, ids: &[u64]) {
    api.expect(201, "POST", "/v2/tags", Some(json!({"name": "frontend"})))
        .await;
    api.expect(422, "POST", "/v2/tags", Some(json!({"name": "not valid!"})))
        .await;
    let volume = api
        .expect(
            201,
            "POST",
            "/v2/volumes",
            Some(json!({"name": "tagged", "size_gigabytes": 1, "region": "nyc3"})),
        )
        .await;
    let volume_id = volume["volume"]["id"].as_str().unwrap().to_string();
    let resources = json!({"resources": [
        {"resource_id": ids[0].to_string(), "resource_type": "droplet"},
        {"resource_id": volume_id, "resource_type": "volume"},
    ]});
    api.expect(
        204,
        "POST",
        "/v2/tags/frontend/resources",
        Some(resources.clone()),
    )
    .await;
    let tag = api.expect(200, "GET", "/v2/tags/frontend", None).await;
    assert_eq!(tag["tag"]["resources"]["count"], 2);
    assert_eq!(tag["tag"]["resources"]["droplets"]["count"], 1);
    let tagged = api
        .expect(200, "GET", "/v2/droplets?tag_name=frontend", None)
        .await;
    assert_eq!(tagged["meta"]["total"], 1);
    api.expect(200, "GET", "/v2/tags", None).await;
    api.expect(
        204,
        "DELETE",
        "/v2/tags/frontend/resources",
        Some(resources),
    )
    .await;
    api.expect(204, "DELETE", "/v2/tags/frontend", None).await;
    api.expect(404, "GET", "/v2/tags/frontend", None).await;
    api.expect(204, "DELETE", &format!("/v2/volumes/{volume_id}"), None)
        .await;
}
