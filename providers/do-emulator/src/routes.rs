//! The routing table: DigitalOcean's paths and methods mapped to the resource handlers, the
//! admin API under `/_emulator`, and DigitalOcean-shaped 404s and 405s for everything else. The
//! traffic layer wraps it all.

use axum::routing::{get, post, put};
use axum::Router;

use crate::admin;
use crate::errors::ApiError;
use crate::resources::*;
use crate::state::App;
use crate::traffic;

/// The emulator's whole HTTP surface.
pub(crate) fn router(app: App) -> Router {
    let api = Router::new()
        .route("/v2/account", get(account::get))
        .route("/v2/regions", get(account::regions))
        .route("/v2/sizes", get(account::sizes))
        .route("/v2/images", get(account::list_images))
        .route("/v2/images/{image_id}", get(account::get_image))
        .route(
            "/v2/account/keys",
            get(ssh_keys::list).post(ssh_keys::create),
        )
        .route(
            "/v2/account/keys/{key}",
            get(ssh_keys::get)
                .put(ssh_keys::update)
                .delete(ssh_keys::delete),
        )
        .route("/v2/vpcs", get(vpcs::list).post(vpcs::create))
        .route(
            "/v2/vpcs/{vpc_id}",
            get(vpcs::get)
                .put(vpcs::update)
                .patch(vpcs::patch)
                .delete(vpcs::delete),
        )
        .route("/v2/vpcs/{vpc_id}/members", get(vpcs::list_members))
        .route(
            "/v2/droplets",
            get(droplets::list)
                .post(droplets::create)
                .delete(droplets::delete_by_tag),
        )
        .route("/v2/droplets/actions", post(droplet_actions::post_by_tag))
        .route(
            "/v2/droplets/{droplet_id}",
            get(droplets::get).delete(droplets::delete),
        )
        .route(
            "/v2/droplets/{droplet_id}/actions",
            get(droplet_actions::list).post(droplet_actions::post),
        )
        .route(
            "/v2/droplets/{droplet_id}/actions/{action_id}",
            get(droplet_actions::get),
        )
        .route("/v2/actions", get(actions::list))
        .route("/v2/actions/{action_id}", get(actions::get))
        .route(
            "/v2/firewalls",
            get(firewalls::list).post(firewalls::create),
        )
        .route(
            "/v2/firewalls/{firewall_id}",
            get(firewalls::get)
                .put(firewalls::update)
                .delete(firewalls::delete),
        )
        .route(
            "/v2/firewalls/{firewall_id}/droplets",
            post(firewalls::add_droplets).delete(firewalls::remove_droplets),
        )
        .route(
            "/v2/firewalls/{firewall_id}/tags",
            post(firewalls::add_tags_handler).delete(firewalls::remove_tags),
        )
        .route(
            "/v2/firewalls/{firewall_id}/rules",
            post(firewalls::add_rules).delete(firewalls::remove_rules),
        )
        .route(
            "/v2/volumes",
            get(volumes::list)
                .post(volumes::create)
                .delete(volumes::delete_by_name),
        )
        .route("/v2/volumes/actions", post(volumes::post_action_by_name))
        .route(
            "/v2/volumes/{volume_id}",
            get(volumes::get).delete(volumes::delete),
        )
        .route(
            "/v2/volumes/{volume_id}/actions",
            get(volumes::list_actions).post(volumes::post_action),
        )
        .route(
            "/v2/volumes/{volume_id}/actions/{action_id}",
            get(volumes::get_action),
        )
        .route(
            "/v2/databases",
            get(databases::list).post(databases::create),
        )
        .route(
            "/v2/databases/{uuid}",
            get(databases::get).delete(databases::delete),
        )
        .route("/v2/databases/{uuid}/resize", put(databases::resize))
        .route(
            "/v2/databases/{uuid}/firewall",
            get(databases::get_firewall).put(databases::put_firewall),
        )
        .route("/v2/domains", get(domains::list).post(domains::create))
        .route(
            "/v2/domains/{domain_name}",
            get(domains::get).delete(domains::delete),
        )
        .route(
            "/v2/domains/{domain_name}/records",
            get(domains::list_records).post(domains::create_record),
        )
        .route(
            "/v2/domains/{domain_name}/records/{record_id}",
            get(domains::get_record)
                .put(domains::update_record)
                .patch(domains::patch_record)
                .delete(domains::delete_record),
        )
        .route(
            "/v2/reserved_ips",
            get(reserved_ips::list).post(reserved_ips::create),
        )
        .route(
            "/v2/reserved_ips/{ip}",
            get(reserved_ips::get).delete(reserved_ips::delete),
        )
        .route(
            "/v2/reserved_ips/{ip}/actions",
            get(reserved_ips::list_actions).post(reserved_ips::post_action),
        )
        .route(
            "/v2/reserved_ips/{ip}/actions/{action_id}",
            get(reserved_ips::get_action),
        )
        .route("/v2/tags", get(tags::list).post(tags::create))
        .route("/v2/tags/{tag_id}", get(tags::get).delete(tags::delete))
        .route(
            "/v2/tags/{tag_id}/resources",
            post(tags::tag_resources).delete(tags::untag_resources),
        )
        .route(
            "/v2/load_balancers",
            get(load_balancers::list).post(load_balancers::create),
        )
        .route(
            "/v2/load_balancers/{lb_id}",
            get(load_balancers::get)
                .put(load_balancers::update)
                .delete(load_balancers::delete),
        )
        .route(
            "/v2/load_balancers/{lb_id}/droplets",
            post(load_balancers::add_droplets).delete(load_balancers::remove_droplets),
        )
        .route(
            "/v2/load_balancers/{lb_id}/forwarding_rules",
            post(load_balancers::add_rules).delete(load_balancers::remove_rules),
        );
    api.merge(admin::router())
        .fallback(|| async { ApiError::not_found() })
        .method_not_allowed_fallback(|| async { ApiError::method_not_allowed() })
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            traffic::layer,
        ))
        .with_state(app)
}
