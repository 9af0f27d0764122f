//! `tls_private_key`: a key pair generated on create. The private key in its traditional PEM
//! form (`RSA PRIVATE KEY`, `EC PRIVATE KEY`, or PKCS#8 for Ed25519), as PKCS#8 and in OpenSSH's
//! format, all sensitive; the public key as PEM (PKIX) and an OpenSSH `authorized_keys` line,
//! with its MD5 and SHA-256 fingerprints. `id` is the SHA-1 of the public key's DER, in hex.

use plinth_sdk::{Attribute, CrashSafety, Diagnostic, Diagnostics, Schema, Type, Validator, Value};
use rand_core::OsRng;
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
use ssh_key::private::{EcdsaKeypair, Ed25519Keypair, KeypairData, RsaKeypair};

use super::public::{pem, PublicKey};
use crate::common::{int, invalid, string};
use crate::generated::{Generated, Object};

pub struct PrivateKey;

/// A generated key in every encoding.
struct Encoded {
    private_pem: String,
    private_pkcs8: String,
    public_der: Vec<u8>,
    ssh: KeypairData,
}

fn failed(what: &str, e: impl std::fmt::Display) -> Diagnostics {
    Diagnostic::error("Error generating the private key")
        .with_detail(format!("{what}: {e}"))
        .into()
}

fn rsa_key(bits: usize) -> Result<Encoded, Diagnostics> {
    let key = rsa::RsaPrivateKey::new(&mut OsRng, bits).map_err(|e| failed("RSA", e))?;
    let public = key.to_public_key();
    Ok(Encoded {
        private_pem: key
            .to_pkcs1_pem(LineEnding::LF)
            .map_err(|e| failed("PKCS#1", e))?
            .to_string(),
        private_pkcs8: key
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|e| failed("PKCS#8", e))?
            .to_string(),
        public_der: public
            .to_public_key_der()
            .map_err(|e| failed("DER", e))?
            .into_vec(),
        ssh: RsaKeypair::try_from(&key)
            .map_err(|e| failed("OpenSSH", e))?
            .into(),
    })
}

/// A DER element: tag, length, content.
fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    match content.len() {
        n if n < 0x80 => out.push(n as u8),
        n if n < 0x100 => out.extend([0x81, n as u8]),
        n => out.extend([0x82, (n >> 8) as u8, n as u8]),
    }
    out.extend_from_slice(content);
    out
}

/// The SEC1 `EC PRIVATE KEY` with its named curve and public key, as OpenSSL and Go write it.
fn sec1_pem(secret: &[u8], curve_oid: &[u8], point: &[u8]) -> String {
    let mut body = der(0x02, &[1]);
    body.extend(der(0x04, secret));
    body.extend(der(0xa0, &der(0x06, curve_oid)));
    body.extend(der(0xa1, &der(0x03, &[&[0u8][..], point].concat())));
    pem("EC PRIVATE KEY", &der(0x30, &body))
}

macro_rules! ecdsa_key {
    ($curve:ident, $variant:ident, $oid:expr) => {{
        use $curve::elliptic_curve::sec1::ToEncodedPoint;
        let secret = $curve::SecretKey::random(&mut OsRng);
        let public = secret.public_key();
        Encoded {
            private_pem: sec1_pem(
                &secret.to_bytes(),
                $oid,
                public.to_encoded_point(false).as_bytes(),
            ),
            private_pkcs8: secret
                .to_pkcs8_pem(LineEnding::LF)
                .map_err(|e| failed("PKCS#8", e))?
                .to_string(),
            public_der: public
                .to_public_key_der()
                .map_err(|e| failed("DER", e))?
                .into_vec(),
            ssh: EcdsaKeypair::$variant {
                public: public.into(),
                private: secret.clone().into(),
            }
            .into(),
        }
    }};
}

fn ed25519_key() -> Result<Encoded, Diagnostics> {
    let key = ed25519_dalek::SigningKey::generate(&mut OsRng);
    // PKCS#8 version 1 (no public key inside), as Go writes it and OpenSSL reads it.
    let pkcs8 = ed25519_dalek::pkcs8::KeypairBytes {
        secret_key: key.to_bytes(),
        public_key: None,
    }
    .to_pkcs8_pem(LineEnding::LF)
    .map_err(|e| failed("PKCS#8", e))?
    .to_string();
    Ok(Encoded {
        private_pem: pkcs8.clone(),
        private_pkcs8: pkcs8,
        public_der: key
            .verifying_key()
            .to_public_key_der()
            .map_err(|e| failed("DER", e))?
            .into_vec(),
        ssh: Ed25519Keypair::from(&key).into(),
    })
}

/// The key the configuration asks for.
fn generate(object: &Object) -> Result<Encoded, Diagnostics> {
    match string(object, "algorithm").as_deref() {
        Some("RSA") => {
            let bits = int(object, "rsa_bits").unwrap_or(2048);
            if !(1024..=16384).contains(&bits) {
                return Err(invalid("rsa_bits", "must be between 1024 and 16384."));
            }
            rsa_key(bits as usize)
        }
        Some("ECDSA") => match string(object, "ecdsa_curve").as_deref() {
            // 1.2.840.10045.3.1.7 and 1.3.132.0.34.
            Some("P256") => Ok(ecdsa_key!(
                p256,
                NistP256,
                &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07]
            )),
            Some("P384") => Ok(ecdsa_key!(p384, NistP384, &[0x2b, 0x81, 0x04, 0x00, 0x22])),
            other => Err(invalid(
                "ecdsa_curve",
                format!(
                    "plinth generates ECDSA keys on the P256 and P384 curves, not {}.",
                    other.unwrap_or("(none)")
                ),
            )),
        },
        Some("ED25519") => ed25519_key(),
        _ => Err(invalid("algorithm", "must be RSA, ECDSA or ED25519.")),
    }
}

impl Generated for PrivateKey {
    fn type_name(&self) -> &'static str {
        "tls_private_key"
    }

    fn schema(&self) -> Schema {
        let secret = |text: &str| Attribute::computed(Type::String).sensitive().describe(text);
        let public = |text: &str| Attribute::computed(Type::String).describe(text);
        Schema::new()
            .attr(
                "algorithm",
                Attribute::required(Type::String)
                    .force_new()
                    .validate(Validator::OneOf(vec![
                        "RSA".into(),
                        "ECDSA".into(),
                        "ED25519".into(),
                    ]))
                    .describe("RSA, ECDSA or ED25519."),
            )
            .attr(
                "rsa_bits",
                Attribute::optional(Type::Number)
                    .force_new()
                    .default(Value::int(2048))
                    .describe("The size of an RSA key."),
            )
            .attr(
                "ecdsa_curve",
                Attribute::optional(Type::String)
                    .force_new()
                    .default("P224")
                    .validate(Validator::OneOf(vec![
                        "P224".into(),
                        "P256".into(),
                        "P384".into(),
                        "P521".into(),
                    ]))
                    .describe("The curve of an ECDSA key (plinth generates P256 and P384)."),
            )
            .attr("private_key_pem", secret("The private key in PEM."))
            .attr(
                "private_key_pem_pkcs8",
                secret("The private key as PKCS#8 PEM."),
            )
            .attr(
                "private_key_openssh",
                secret("The private key in OpenSSH's format."),
            )
            .attr("public_key_pem", public("The public key in PEM (PKIX)."))
            .attr(
                "public_key_openssh",
                public("The public key as an authorized_keys line."),
            )
            .attr(
                "public_key_fingerprint_md5",
                public("The public key's MD5 fingerprint (aa:bb:...)."),
            )
            .attr(
                "public_key_fingerprint_sha256",
                public("The public key's SHA-256 fingerprint (SHA256:...)."),
            )
            .attr("id", public("The SHA-1 of the public key's DER."))
            .crash_safety(CrashSafety::NoRemoteObject)
    }

    fn generate(&self, object: &mut Object) -> Result<(), Diagnostics> {
        let key = generate(object)?;
        let ssh = ssh_key::PrivateKey::new(key.ssh, "").map_err(|e| failed("OpenSSH", e))?;
        let openssh_private = ssh
            .to_openssh(ssh_key::LineEnding::LF)
            .map_err(|e| failed("OpenSSH", e))?
            .to_string();
        let public =
            PublicKey::from_spki_der(&key.public_der).map_err(|e| failed("public key", e))?;
        let set = |object: &mut Object, name: &str, value: String| {
            object.insert(name.into(), Value::String(value));
        };
        set(object, "private_key_pem", key.private_pem);
        set(object, "private_key_pem_pkcs8", key.private_pkcs8);
        set(object, "private_key_openssh", openssh_private);
        public.insert_into(object);
        Ok(())
    }
}
