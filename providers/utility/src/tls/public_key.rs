//! The `tls_public_key` data source: the public half of a private key given in PEM
//! (`private_key_pem`: PKCS#1, SEC1 or PKCS#8) or in OpenSSH's format
//! (`private_key_openssh`), in every encoding `tls_private_key` outputs.

use async_trait::async_trait;
use plinth_sdk::{
    Attribute, Context, DataSource, Diagnostic, Diagnostics, ReadDataResponse, Schema, Type, Value,
};
use rcgen::PublicKeyData;

use super::public::PublicKey;
use crate::common::{entries, invalid, string};
use crate::generated::Object;

pub struct PublicKeySource;

fn public_key(object: &Object) -> Result<PublicKey, Diagnostics> {
    match (
        string(object, "private_key_pem"),
        string(object, "private_key_openssh"),
    ) {
        (Some(pem), None) => {
            let key = rcgen::KeyPair::from_pem(&pem).map_err(|e| {
                invalid(
                    "private_key_pem",
                    format!("not a private key plinth can read: {e}"),
                )
            })?;
            PublicKey::from_spki_der(&key.subject_public_key_info())
                .map_err(|e| invalid("private_key_pem", e))
        }
        (None, Some(openssh)) => {
            let key = ssh_key::PrivateKey::from_openssh(&openssh).map_err(|e| {
                invalid(
                    "private_key_openssh",
                    format!("not an OpenSSH private key plinth can read: {e}"),
                )
            })?;
            PublicKey::from_openssh(key.public_key()).map_err(|e| invalid("private_key_openssh", e))
        }
        _ => Err(Diagnostic::error("Invalid combination of arguments")
            .with_detail("Exactly one of private_key_pem and private_key_openssh must be set.")
            .into()),
    }
}

#[async_trait]
impl DataSource<()> for PublicKeySource {
    fn type_name(&self) -> &str {
        "tls_public_key"
    }

    fn schema(&self) -> Schema {
        let input = |what: &str| Attribute::optional(Type::String).sensitive().describe(what);
        let output = |what: &str| Attribute::computed(Type::String).describe(what);
        Schema::new()
            .attr("private_key_pem", input("A private key in PEM."))
            .attr(
                "private_key_openssh",
                input("A private key in OpenSSH's format."),
            )
            .attr("algorithm", output("RSA, ECDSA or ED25519."))
            .attr("public_key_pem", output("The public key in PEM (PKIX)."))
            .attr(
                "public_key_openssh",
                output("The public key as an authorized_keys line."),
            )
            .attr(
                "public_key_fingerprint_md5",
                output("The public key's MD5 fingerprint (aa:bb:...)."),
            )
            .attr(
                "public_key_fingerprint_sha256",
                output("The public key's SHA-256 fingerprint (SHA256:...)."),
            )
            .attr("id", output("The SHA-1 of the public key's DER."))
            .describe("The public half of a private key.")
    }

    async fn read(&self, _: &(), _: &Context, config: Value) -> ReadDataResponse {
        let mut object = entries(config);
        match public_key(&object) {
            Ok(key) => {
                object.insert("algorithm".into(), Value::from(key.algorithm));
                key.insert_into(&mut object);
                ReadDataResponse {
                    state: Some(Value::Map(object)),
                    ..ReadDataResponse::default()
                }
            }
            Err(diagnostics) => diagnostics.into(),
        }
    }
}
