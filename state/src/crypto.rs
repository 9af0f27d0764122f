//! Encryption at rest: AES-256-GCM with a key derived from a passphrase by PBKDF2-HMAC-SHA512,
//! configured like OpenTofu's `terraform { encryption { ... } }` block.
//!
//! Every stored blob (snapshot, history version, journal line, plan file) is sealed on its own
//! into a one-line JSON envelope:
//! `{"plinth_encrypted":1,"key":"pbkdf2.main","salt":..,"iterations":..,"nonce":..,"data":..}`
//! (base64 fields). A random salt is drawn once per process and key, so a run derives each key
//! once; every seal draws a fresh random 96-bit nonce.
//!
//! Rotation: a [`Codec`] seals with its primary key and opens with the primary or the fallback
//! key, so a run with `fallback` reads old data and writes new data under the new key.
//! Plain (unencrypted) data is read unless the target is `enforced`. A wrong or missing key is an
//! [`StateError::Encryption`] naming the key, never the passphrase.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;

use aes_gcm::aead::rand_core::RngCore;
use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::Sha512;

use crate::error::StateError;

/// The fewest PBKDF2 iterations accepted (OpenTofu's lower bound).
pub const MIN_ITERATIONS: u32 = 200_000;
/// The default PBKDF2 iterations.
pub const DEFAULT_ITERATIONS: u32 = 600_000;
/// The shortest passphrase accepted.
pub const MIN_PASSPHRASE: usize = 16;

const ENVELOPE_PREFIX: &[u8] = b"{\"plinth_encrypted\":";

/// Where a passphrase comes from.
#[derive(Debug, Clone)]
pub enum Passphrase {
    /// Given in the configuration (usually from a variable).
    Literal(String),
    /// Read from this environment variable.
    Env(String),
    /// Read from this file (a trailing newline is ignored).
    File(PathBuf),
}

/// A `key_provider "pbkdf2" "NAME"` block.
#[derive(Debug, Clone)]
pub struct KeyProvider {
    /// `pbkdf2.NAME`.
    pub name: String,
    /// The passphrase's source.
    pub passphrase: Passphrase,
    /// PBKDF2 iterations.
    pub iterations: u32,
}

/// What one encryption target (`state` or `plan`) uses.
#[derive(Debug, Clone)]
pub struct TargetKeys {
    /// The key provider that seals new data.
    pub primary: KeyProvider,
    /// A key provider that can still open older data (rotation).
    pub fallback: Option<KeyProvider>,
    /// Refuse unencrypted data.
    pub enforced: bool,
}

/// A derived key of one provider, with one derivation per salt.
struct Key {
    provider: KeyProvider,
    passphrase: String,
    seal_salt: [u8; 16],
    derived: Mutex<HashMap<Vec<u8>, [u8; 32]>>,
}

impl Key {
    fn new(provider: KeyProvider) -> Result<Key, StateError> {
        let passphrase = match &provider.passphrase {
            Passphrase::Literal(text) => text.clone(),
            Passphrase::Env(variable) => std::env::var(variable).map_err(|_| StateError::Encryption {
                detail: format!(
                    "key provider {} reads its passphrase from the environment variable {variable}, which is not set",
                    provider.name
                ),
            })?,
            Passphrase::File(path) => std::fs::read_to_string(path)
                .map(|text| text.trim_end_matches(['\n', '\r']).to_string())
                .map_err(|error| StateError::Encryption {
                    detail: format!(
                        "key provider {} could not read its passphrase file {}: {error}",
                        provider.name,
                        path.display()
                    ),
                })?,
        };
        if passphrase.chars().count() < MIN_PASSPHRASE {
            return Err(StateError::Encryption {
                detail: format!(
                    "key provider {}: the passphrase must be at least {MIN_PASSPHRASE} characters long",
                    provider.name
                ),
            });
        }
        if provider.iterations < MIN_ITERATIONS {
            return Err(StateError::Encryption {
                detail: format!(
                    "key provider {}: iterations must be at least {MIN_ITERATIONS}",
                    provider.name
                ),
            });
        }
        let mut seal_salt = [0u8; 16];
        OsRng.fill_bytes(&mut seal_salt);
        Ok(Key {
            provider,
            passphrase,
            seal_salt,
            derived: Mutex::new(HashMap::new()),
        })
    }

    fn cipher(&self, salt: &[u8], iterations: u32) -> Aes256Gcm {
        let mut cache = self.derived.lock().unwrap_or_else(|p| p.into_inner());
        let key = cache.entry(salt.to_vec()).or_insert_with(|| {
            let mut key = [0u8; 32];
            pbkdf2::pbkdf2_hmac::<Sha512>(self.passphrase.as_bytes(), salt, iterations, &mut key);
            key
        });
        Aes256Gcm::new(&(*key).into())
    }
}

/// The sealed form of one blob.
#[derive(Serialize, Deserialize)]
struct Envelope {
    plinth_encrypted: u32,
    key: String,
    salt: String,
    iterations: u32,
    nonce: String,
    data: String,
}

/// Seals and opens blobs for one target; [`Codec::plain`] passes data through.
pub struct Codec {
    primary: Option<Key>,
    fallback: Option<Key>,
    enforced: bool,
}

impl std::fmt::Debug for Codec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Codec")
            .field("primary", &self.primary.as_ref().map(|k| &k.provider.name))
            .field(
                "fallback",
                &self.fallback.as_ref().map(|k| &k.provider.name),
            )
            .field("enforced", &self.enforced)
            .finish()
    }
}

impl Codec {
    /// No encryption: data is stored as is, and encrypted data cannot be read.
    pub fn plain() -> Codec {
        Codec {
            primary: None,
            fallback: None,
            enforced: false,
        }
    }

    /// A codec for `keys`, reading the passphrases now.
    pub fn new(keys: TargetKeys) -> Result<Codec, StateError> {
        Ok(Codec {
            primary: Some(Key::new(keys.primary)?),
            fallback: keys.fallback.map(Key::new).transpose()?,
            enforced: keys.enforced,
        })
    }

    /// Whether this codec encrypts what it seals.
    pub fn encrypts(&self) -> bool {
        self.primary.is_some()
    }

    /// Seals `plain` with the primary key (or returns it as is without one). The result has no
    /// newline.
    pub fn seal(&self, plain: &[u8]) -> Result<Vec<u8>, StateError> {
        let Some(key) = &self.primary else {
            return Ok(plain.to_vec());
        };
        let iterations = key.provider.iterations;
        let cipher = key.cipher(&key.seal_salt, iterations);
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let data = cipher
            .encrypt(&nonce, plain)
            .map_err(|_| StateError::Encryption {
                detail: format!("could not encrypt with key {}", key.provider.name),
            })?;
        let envelope = Envelope {
            plinth_encrypted: 1,
            key: key.provider.name.clone(),
            salt: BASE64.encode(key.seal_salt),
            iterations,
            nonce: BASE64.encode(nonce),
            data: BASE64.encode(data),
        };
        serde_json::to_vec(&envelope).map_err(|error| StateError::Encryption {
            detail: format!("could not encode the envelope: {error}"),
        })
    }

    /// Opens `stored` (sealed or plain); `what` names it in errors.
    pub fn open(&self, stored: &[u8], what: &str) -> Result<Vec<u8>, StateError> {
        if !is_sealed(stored) {
            if self.enforced {
                return Err(StateError::Encryption {
                    detail: format!(
                        "{what} is not encrypted, but encryption is enforced; nothing was read"
                    ),
                });
            }
            return Ok(stored.to_vec());
        }
        let envelope: Envelope =
            serde_json::from_slice(stored).map_err(|error| StateError::Encryption {
                detail: format!("{what} has a damaged encryption envelope: {error}"),
            })?;
        let keys: Vec<&Key> = self.primary.iter().chain(self.fallback.iter()).collect();
        if keys.is_empty() {
            return Err(StateError::Encryption {
                detail: format!(
                    "{what} is encrypted with key {}, but no encryption is configured: add the \
                     terraform {{ encryption {{ ... }} }} block with its key",
                    envelope.key
                ),
            });
        }
        let decode = |field: &str, text: &str| {
            BASE64.decode(text).map_err(|error| StateError::Encryption {
                detail: format!("{what} has a damaged {field}: {error}"),
            })
        };
        let (salt, nonce, data) = (
            decode("salt", &envelope.salt)?,
            decode("nonce", &envelope.nonce)?,
            decode("ciphertext", &envelope.data)?,
        );
        if nonce.len() != 12 {
            return Err(StateError::Encryption {
                detail: format!("{what} has a nonce of the wrong length"),
            });
        }
        let nonce = Nonce::from_slice(&nonce);
        // The key named in the envelope first, then any other configured key.
        let mut ordered = keys.clone();
        ordered.sort_by_key(|key| key.provider.name != envelope.key);
        for key in ordered {
            let cipher = key.cipher(&salt, envelope.iterations);
            if let Ok(plain) = cipher.decrypt(nonce, data.as_slice()) {
                return Ok(plain);
            }
        }
        Err(StateError::Encryption {
            detail: format!(
                "could not decrypt {what} (sealed with key {}) with the configured key(s) {}: a \
                 wrong passphrase, or damaged data; nothing was written",
                envelope.key,
                keys.iter()
                    .map(|key| key.provider.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })
    }
}

/// Whether `bytes` is a sealed envelope.
pub fn is_sealed(bytes: &[u8]) -> bool {
    bytes.starts_with(ENVELOPE_PREFIX)
}

#[cfg(test)]
mod tests;
