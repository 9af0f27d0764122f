//! `tls_locally_signed_cert`: a certificate for the subject, alternative names and public key
//! of a certificate request (`cert_request_pem`), signed by a CA's key and certificate. Like
//! Terraform's, the request's own extensions are ignored: usages and CA flags come from the
//! configuration. Renewed early like `tls_self_signed_cert`.

use plinth_sdk::{AttrPath, Attribute, Diagnostics, Schema, Type, Value};
use rcgen::{CertificateSigningRequestParams, Issuer, PublicKeyData};

use super::cert;
use crate::common::{invalid, string};
use crate::generated::{Generated, Object};

pub struct LocallySignedCert;

impl Generated for LocallySignedCert {
    fn type_name(&self) -> &'static str {
        "tls_locally_signed_cert"
    }

    fn schema(&self) -> Schema {
        let input = |what: &str| Attribute::required(Type::String).force_new().describe(what);
        let schema = Schema::new()
            .attr(
                "cert_request_pem",
                input("The certificate request (PEM) whose subject and key are certified."),
            )
            .attr(
                "ca_private_key_pem",
                input("The CA's private key, in PEM.").sensitive(),
            )
            .attr("ca_cert_pem", input("The CA's certificate, in PEM."))
            .attr(
                "ca_key_algorithm",
                Attribute::computed(Type::String).describe("The CA key's algorithm."),
            )
            .describe("A certificate signed by a CA's key.");
        cert::with_certificate(schema)
    }

    fn generate(&self, object: &mut Object) -> Result<(), Diagnostics> {
        let request = string(object, "cert_request_pem").unwrap_or_default();
        let request = CertificateSigningRequestParams::from_pem(&request).map_err(|e| {
            invalid(
                "cert_request_pem",
                format!("not a certificate request plinth can read: {e}"),
            )
        })?;
        let ca_key = cert::key_pair(object, "ca_private_key_pem")?;
        let algorithm = cert::algorithm(&ca_key);
        let ca_cert = string(object, "ca_cert_pem").unwrap_or_default();
        let issuer = Issuer::from_ca_cert_pem(&ca_cert, ca_key).map_err(|e| {
            invalid(
                "ca_cert_pem",
                format!("not a certificate plinth can read: {e}"),
            )
        })?;
        let mut params = request.params;
        let start = cert::apply_settings(object, &mut params, request.public_key.der_bytes())?;
        params.use_authority_key_identifier_extension = true;
        let certificate = params
            .signed_by(&request.public_key, &issuer)
            .map_err(cert::signing_failed)?;
        cert::record(object, certificate.pem(), &params, start);
        object.insert("ca_key_algorithm".into(), Value::from(algorithm));
        Ok(())
    }

    fn requires_replace(&self, prior: &Object, proposed: &mut Object) -> Vec<AttrPath> {
        cert::replace_when_due(prior, proposed)
    }
}
