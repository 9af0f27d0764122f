//! `tls_cert_request`: a certificate signing request (PKCS#10) for `subject` and the
//! alternative names, signed by `private_key_pem`, to hand to a CA (or to
//! `tls_locally_signed_cert`). `id` is the SHA-1 of the request's PEM, as Terraform's.

use plinth_sdk::{Attribute, CrashSafety, Diagnostics, Schema, Type, Value};
use rcgen::CertificateParams;
use sha1::Digest;

use super::{cert, subject};
use crate::generated::{Generated, Object};

pub struct CertRequest;

impl Generated for CertRequest {
    fn type_name(&self) -> &'static str {
        "tls_cert_request"
    }

    fn schema(&self) -> Schema {
        let computed = |what: &str| Attribute::computed(Type::String).describe(what);
        let schema = Schema::new()
            .attr(
                "private_key_pem",
                Attribute::required(Type::String)
                    .sensitive()
                    .force_new()
                    .describe("The key whose public half is requested and which signs, in PEM."),
            )
            .attr("cert_request_pem", computed("The request in PEM."))
            .attr("key_algorithm", computed("The key's algorithm."))
            .attr("id", computed("The SHA-1 of the request's PEM."))
            .crash_safety(CrashSafety::NoRemoteObject)
            .describe("A certificate signing request.");
        subject::with_names(schema)
    }

    fn generate(&self, object: &mut Object) -> Result<(), Diagnostics> {
        let key = cert::key_pair(object, "private_key_pem")?;
        let mut params = CertificateParams::default();
        params.distinguished_name = subject::distinguished_name(object);
        params.subject_alt_names = subject::alt_names(object)?;
        let pem = params
            .serialize_request(&key)
            .and_then(|request| request.pem())
            .map_err(cert::signing_failed)?;
        object.insert(
            "id".into(),
            Value::String(hex::encode(sha1::Sha1::digest(pem.as_bytes()))),
        );
        object.insert("cert_request_pem".into(), Value::String(pem));
        object.insert("key_algorithm".into(), Value::from(cert::algorithm(&key)));
        Ok(())
    }
}
