//! `tls_self_signed_cert`: a certificate for `subject` and the alternative names, signed by the
//! key it certifies, kept in state like Terraform's. Replaced when its configuration changes or,
//! on the first plan after `validity_end_time - early_renewal_hours`, to renew it.

use plinth_sdk::{AttrPath, Attribute, Diagnostics, Schema, Type, Value};
use rcgen::{CertificateParams, PublicKeyData};

use super::{cert, subject};
use crate::common::flag;
use crate::generated::{Generated, Object};

pub struct SelfSignedCert;

impl Generated for SelfSignedCert {
    fn type_name(&self) -> &'static str {
        "tls_self_signed_cert"
    }

    fn schema(&self) -> Schema {
        let schema = Schema::new()
            .attr(
                "private_key_pem",
                Attribute::required(Type::String)
                    .sensitive()
                    .force_new()
                    .describe("The key that is certified and signs, in PEM."),
            )
            .attr(
                "set_authority_key_id",
                Attribute::optional(Type::Bool)
                    .force_new()
                    .default(false)
                    .describe("Whether to add the authority key identifier (its own key's)."),
            )
            .attr(
                "key_algorithm",
                Attribute::computed(Type::String).describe("The key's algorithm."),
            )
            .describe("A certificate signed by its own key.");
        cert::with_certificate(subject::with_names(schema))
    }

    fn generate(&self, object: &mut Object) -> Result<(), Diagnostics> {
        let key = cert::key_pair(object, "private_key_pem")?;
        let mut params = CertificateParams::default();
        params.distinguished_name = subject::distinguished_name(object);
        params.subject_alt_names = subject::alt_names(object)?;
        let start = cert::apply_settings(object, &mut params, key.der_bytes())?;
        params.use_authority_key_identifier_extension = flag(object, "set_authority_key_id", false);
        let certificate = params.self_signed(&key).map_err(cert::signing_failed)?;
        cert::record(object, certificate.pem(), &params, start);
        object.insert("key_algorithm".into(), Value::from(cert::algorithm(&key)));
        Ok(())
    }

    fn requires_replace(&self, prior: &Object, proposed: &mut Object) -> Vec<AttrPath> {
        cert::replace_when_due(prior, proposed)
    }
}
