//! A public key in every encoding the `tls` types output: PEM (PKIX), an OpenSSH
//! `authorized_keys` line, its MD5 and SHA-256 fingerprints, and the id Terraform gives it (the
//! SHA-1 of its DER, in hex). Built from the key's SubjectPublicKeyInfo DER, or from an OpenSSH
//! public key.

use rsa::pkcs8::{DecodePublicKey, EncodePublicKey};
use sha1::Digest;
use ssh_key::public::KeyData;
use ssh_key::HashAlg;

use crate::generated::Object;

/// A public key's encodings.
pub struct PublicKey {
    /// `RSA`, `ECDSA` or `ED25519`.
    pub algorithm: &'static str,
    pem: String,
    openssh: String,
    fingerprint_md5: String,
    fingerprint_sha256: String,
    id: String,
}

impl PublicKey {
    /// The encodings of the key in `spki_der` (RSA, ECDSA P-256/P-384 or Ed25519).
    pub fn from_spki_der(spki_der: &[u8]) -> Result<PublicKey, String> {
        let (algorithm, ssh): (&'static str, KeyData) =
            if let Ok(key) = rsa::RsaPublicKey::from_public_key_der(spki_der) {
                let ssh = ssh_key::public::RsaPublicKey::try_from(&key)
                    .map_err(|e| format!("OpenSSH: {e}"))?;
                ("RSA", ssh.into())
            } else if let Ok(key) = p256::ecdsa::VerifyingKey::from_public_key_der(spki_der) {
                ("ECDSA", ssh_key::public::EcdsaPublicKey::from(&key).into())
            } else if let Ok(key) = p384::ecdsa::VerifyingKey::from_public_key_der(spki_der) {
                ("ECDSA", ssh_key::public::EcdsaPublicKey::from(&key).into())
            } else if let Ok(key) = ed25519_dalek::VerifyingKey::from_public_key_der(spki_der) {
                (
                    "ED25519",
                    ssh_key::public::Ed25519PublicKey::from(&key).into(),
                )
            } else {
                return Err(
                    "not an RSA, ECDSA (P256, P384) or ED25519 public key plinth can read".into(),
                );
            };
        let ssh = ssh_key::PublicKey::from(ssh);
        let openssh = ssh.to_openssh().map_err(|e| format!("OpenSSH: {e}"))?;
        let wire = ssh.to_bytes().map_err(|e| format!("OpenSSH: {e}"))?;
        let fingerprint_md5 = md5::Md5::digest(&wire)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<Vec<_>>()
            .join(":");
        Ok(PublicKey {
            algorithm,
            pem: pem("PUBLIC KEY", spki_der),
            openssh: format!("{}\n", openssh.trim_end()),
            fingerprint_md5,
            fingerprint_sha256: ssh.fingerprint(HashAlg::Sha256).to_string(),
            id: hex::encode(sha1::Sha1::digest(spki_der)),
        })
    }

    /// The encodings of an OpenSSH key's public half.
    pub fn from_openssh(key: &ssh_key::PublicKey) -> Result<PublicKey, String> {
        let der = match key.key_data() {
            KeyData::Rsa(rsa) => rsa::RsaPublicKey::try_from(rsa)
                .map_err(|e| e.to_string())?
                .to_public_key_der(),
            KeyData::Ecdsa(ecdsa) => match p256::ecdsa::VerifyingKey::try_from(ecdsa) {
                Ok(key) => key.to_public_key_der(),
                Err(_) => p384::ecdsa::VerifyingKey::try_from(ecdsa)
                    .map_err(|e| e.to_string())?
                    .to_public_key_der(),
            },
            KeyData::Ed25519(ed) => ed25519_dalek::VerifyingKey::try_from(ed)
                .map_err(|e| e.to_string())?
                .to_public_key_der(),
            other => return Err(format!("plinth cannot read {} keys", other.algorithm())),
        }
        .map_err(|e| e.to_string())?;
        PublicKey::from_spki_der(der.as_bytes())
    }

    /// Sets `public_key_pem`, `public_key_openssh`, both fingerprints and `id`.
    pub fn insert_into(self, object: &mut Object) {
        for (name, value) in [
            ("public_key_pem", self.pem),
            ("public_key_openssh", self.openssh),
            ("public_key_fingerprint_md5", self.fingerprint_md5),
            ("public_key_fingerprint_sha256", self.fingerprint_sha256),
            ("id", self.id),
        ] {
            object.insert(name.into(), plinth_sdk::Value::String(value));
        }
    }
}

/// PEM text of `bytes` under `label`, 64 characters a line.
pub fn pem(label: &str, bytes: &[u8]) -> String {
    use base64::Engine;
    let text = base64::engine::general_purpose::STANDARD.encode(bytes);
    let lines: Vec<&str> = text
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap_or_default())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}
