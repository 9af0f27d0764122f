//! SSH keys: `/v2/account/keys` (list, create) and `/v2/account/keys/{id or fingerprint}` (get,
//! rename, delete). The fingerprint is the MD5 of the key's decoded blob, as DigitalOcean shows it;
//! a key already on the account is refused with 422.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use base64::Engine as _;
use md5::{Digest, Md5};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::errors::{ApiError, ApiResult};
use crate::pagination::paginate;
use crate::reply::{json, no_content, ok, Body, RequestUrl};
use crate::state::App;
use crate::store::Store;

/// A stored SSH public key.
pub(crate) struct SshKey {
    pub id: u64,
    pub name: String,
    pub public_key: String,
    pub fingerprint: String,
}

/// An SSH key as DigitalOcean renders it.
pub(crate) fn render(key: &SshKey) -> Value {
    json!({
        "id": key.id,
        "fingerprint": key.fingerprint,
        "public_key": key.public_key,
        "name": key.name,
    })
}

/// The MD5 fingerprint (`aa:bb:...`) of an OpenSSH public key line.
fn fingerprint(public_key: &str) -> Result<String, ApiError> {
    let invalid =
        || ApiError::unprocessable("Key invalid, key should be of the format `type key [comment]`");
    let mut fields = public_key.split_whitespace();
    let kind = fields.next().ok_or_else(invalid)?;
    let blob = fields.next().ok_or_else(invalid)?;
    let known = ["ssh-rsa", "ssh-ed25519", "ssh-dss"].contains(&kind)
        || kind.starts_with("ecdsa-sha2-")
        || kind.starts_with("sk-");
    if !known {
        return Err(invalid());
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(blob)
        .map_err(|_| invalid())?;
    let digest = Md5::digest(&bytes);
    Ok(digest
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":"))
}

/// Finds a key by numeric id or fingerprint.
pub(crate) fn find<'a>(store: &'a Store, id_or_fingerprint: &str) -> Option<&'a SshKey> {
    match id_or_fingerprint.parse::<u64>() {
        Ok(id) => store.ssh_keys.get(&id),
        Err(_) => store
            .ssh_keys
            .values()
            .find(|k| k.fingerprint == id_or_fingerprint),
    }
}

/// `GET /v2/account/keys`.
pub(crate) async fn list(State(app): State<App>, url: RequestUrl) -> ApiResult {
    let store = app.store();
    let keys: Vec<&SshKey> = store.ssh_keys.values().collect();
    Ok(ok(paginate("ssh_keys", &keys, &url, |k| render(k))?))
}

#[derive(Deserialize)]
pub(crate) struct CreateKey {
    name: String,
    public_key: String,
}

/// `POST /v2/account/keys`.
pub(crate) async fn create(State(app): State<App>, Body(req): Body<CreateKey>) -> ApiResult {
    if req.name.trim().is_empty() {
        return Err(ApiError::unprocessable("Name can't be blank"));
    }
    let fingerprint = fingerprint(&req.public_key)?;
    let mut store = app.store();
    if store
        .ssh_keys
        .values()
        .any(|k| k.fingerprint == fingerprint)
    {
        return Err(ApiError::unprocessable(
            "SSH Key is already in use on your account",
        ));
    }
    let key = SshKey {
        id: store.int_id(),
        name: req.name,
        public_key: req.public_key.trim().to_string(),
        fingerprint,
    };
    let body = json!({ "ssh_key": render(&key) });
    store.ssh_keys.insert(key.id, key);
    Ok(json(StatusCode::CREATED, body))
}

/// `GET /v2/account/keys/{ssh_key_identifier}`.
pub(crate) async fn get(State(app): State<App>, Path(id): Path<String>) -> ApiResult {
    let store = app.store();
    let key = find(&store, &id).ok_or_else(ApiError::not_found)?;
    Ok(ok(json!({ "ssh_key": render(key) })))
}

#[derive(Deserialize)]
pub(crate) struct UpdateKey {
    name: String,
}

/// `PUT /v2/account/keys/{ssh_key_identifier}`: renames the key.
pub(crate) async fn update(
    State(app): State<App>,
    Path(id): Path<String>,
    Body(req): Body<UpdateKey>,
) -> ApiResult {
    if req.name.trim().is_empty() {
        return Err(ApiError::unprocessable("Name can't be blank"));
    }
    let mut store = app.store();
    let key_id = find(&store, &id).ok_or_else(ApiError::not_found)?.id;
    let key = store
        .ssh_keys
        .get_mut(&key_id)
        .ok_or_else(ApiError::not_found)?;
    key.name = req.name;
    Ok(ok(json!({ "ssh_key": render(key) })))
}

/// `DELETE /v2/account/keys/{ssh_key_identifier}`.
pub(crate) async fn delete(State(app): State<App>, Path(id): Path<String>) -> ApiResult {
    let mut store = app.store();
    let key_id = find(&store, &id).ok_or_else(ApiError::not_found)?.id;
    store.ssh_keys.remove(&key_id);
    Ok(no_content())
}

#[cfg(test)]
mod tests {
    use super::fingerprint;

    #[test]
    fn fingerprint_is_md5_of_the_decoded_blob() {
        // The blob "AAAAC3NzaC1lZDI1NTE5" decodes to the bytes of "\0\0\0\x0bssh-ed25519".
        let fp = fingerprint("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5 me@host").unwrap();
        assert_eq!(fp.len(), 47);
        assert_eq!(fp.matches(':').count(), 15);
        assert!(fingerprint("not a key").is_err());
        assert!(fingerprint("ssh-ed25519 %%%").is_err());
    }
}
