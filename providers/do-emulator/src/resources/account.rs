//! The account and the catalogue endpoints: `GET /v2/account`, `/v2/regions`, `/v2/sizes`,
//! `/v2/images` (filtered by `type`, `private`, `tag_name`) and `/v2/images/{id or slug}`.

use axum::extract::{Path, State};
use serde_json::json;

use crate::catalog::{self, IMAGES, REGIONS, SIZES};
use crate::errors::{ApiError, ApiResult};
use crate::pagination::paginate;
use crate::reply::{ok, RequestUrl};
use crate::state::App;

/// The most Droplets the emulated account may hold.
pub(crate) const DROPLET_LIMIT: usize = 10_000;

/// `GET /v2/account`.
pub(crate) async fn get(State(_app): State<App>) -> ApiResult {
    Ok(ok(json!({
        "account": {
            "droplet_limit": DROPLET_LIMIT,
            "floating_ip_limit": 100,
            "email": "emulator@plinth.invalid",
            "name": "plinth emulator",
            "uuid": "00000000-d0e0-4e11-8a70-000000000000",
            "email_verified": true,
            "status": "active",
            "status_message": "",
            "team": { "uuid": "00000000-d0e0-4e11-8a70-0000000000ff", "name": "My Team" },
        }
    })))
}

/// `GET /v2/regions`.
pub(crate) async fn regions(url: RequestUrl) -> ApiResult {
    Ok(ok(paginate("regions", REGIONS, &url, |r| {
        catalog::region_json(r.slug)
    })?))
}

/// `GET /v2/sizes`.
pub(crate) async fn sizes(url: RequestUrl) -> ApiResult {
    Ok(ok(paginate("sizes", SIZES, &url, catalog::size_json)?))
}

/// `GET /v2/images`: `type=distribution|application`, `private=true` (the account has no
/// private images), `tag_name`.
pub(crate) async fn list_images(url: RequestUrl) -> ApiResult {
    let kind = url.query.get("type");
    let private = url.query.get("private") == Some("true");
    let tagged = url.query.get("tag_name").is_some();
    let images: Vec<&catalog::Image> = IMAGES
        .iter()
        .filter(|_| !private && !tagged)
        .filter(|i| match kind {
            Some("distribution") => !i.application,
            Some("application") => i.application,
            _ => true,
        })
        .collect();
    Ok(ok(paginate("images", &images, &url, |i| {
        catalog::image_json(i)
    })?))
}

/// `GET /v2/images/{image_id}`: by numeric id or slug.
pub(crate) async fn get_image(Path(id): Path<String>) -> ApiResult {
    let image = catalog::image(&id).ok_or_else(ApiError::not_found)?;
    Ok(ok(json!({ "image": catalog::image_json(image) })))
}
