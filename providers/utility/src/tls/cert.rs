//! What the two certificate types (`tls_self_signed_cert`, `tls_locally_signed_cert`) share:
//! validity and early renewal, `allowed_uses`, CA and key id flags, the computed `cert_pem`,
//! validity times, `ready_for_renewal` and `id` (the serial number in decimal); and reading
//! the private keys they sign with.

use chrono::{DateTime, SecondsFormat, Utc};
use plinth_sdk::{Attribute, CrashSafety, Diagnostic, Diagnostics, Schema, Type, Value};
use rcgen::{
    BasicConstraints, CertificateParams, CustomExtension, ExtendedKeyUsagePurpose, IsCa,
    KeyIdMethod, KeyPair, KeyUsagePurpose, SerialNumber,
};
use sha1::Digest;

use crate::common::{flag, int, invalid, strings};
use crate::generated::Object;

const SUBJECT_KEY_IDENTIFIER: &[u64] = &[2, 5, 29, 14];
const BASIC_CONSTRAINTS: &[u64] = &[2, 5, 29, 19];

/// Adds the certificate attributes to a type's own.
pub fn with_certificate(schema: Schema) -> Schema {
    let computed = |what: &str| Attribute::computed(Type::String).describe(what);
    let choice = |what: &str| {
        Attribute::optional(Type::Bool)
            .force_new()
            .default(false)
            .describe(what)
    };
    schema
        .attr(
            "validity_period_hours",
            Attribute::required(Type::Number)
                .force_new()
                .describe("How many hours after its creation the certificate stays valid."),
        )
        .attr(
            "early_renewal_hours",
            Attribute::optional(Type::Number)
                .default(Value::int(0))
                .describe("How many hours before its expiry the certificate is replaced."),
        )
        .attr(
            "allowed_uses",
            Attribute::required(Type::list(Type::String))
                .force_new()
                .describe("Key usages and extended key usages (server_auth, cert_signing, ...)."),
        )
        .attr(
            "is_ca_certificate",
            choice("Whether the certificate is a CA that signs others."),
        )
        .attr(
            "set_subject_key_id",
            choice("Whether to add the subject key identifier."),
        )
        .attr("cert_pem", computed("The certificate in PEM."))
        .attr(
            "ready_for_renewal",
            Attribute::computed(Type::Bool)
                .describe("Whether the early renewal time has come: the next plan replaces it."),
        )
        .attr(
            "validity_start_time",
            computed("When the certificate becomes valid (RFC 3339)."),
        )
        .attr(
            "validity_end_time",
            computed("When the certificate expires (RFC 3339)."),
        )
        .attr(
            "id",
            computed("The certificate's serial number, in decimal."),
        )
        .crash_safety(CrashSafety::NoRemoteObject)
}

/// A private key in PEM (PKCS#1, SEC1 or PKCS#8) from `attribute`.
pub fn key_pair(object: &Object, attribute: &str) -> Result<KeyPair, Diagnostics> {
    let pem = crate::common::string(object, attribute).unwrap_or_default();
    KeyPair::from_pem(&pem).map_err(|e| {
        invalid(
            attribute,
            format!("not a private key in PEM plinth can sign with (RSA, ECDSA, ED25519): {e}"),
        )
    })
}

/// `RSA`, `ECDSA` or `ED25519`: what Terraform's `key_algorithm` attributes say.
pub fn algorithm(key: &KeyPair) -> &'static str {
    let alg = key.algorithm();
    if alg == &rcgen::PKCS_ED25519 {
        "ED25519"
    } else if [
        &rcgen::PKCS_RSA_SHA256,
        &rcgen::PKCS_RSA_SHA384,
        &rcgen::PKCS_RSA_SHA512,
    ]
    .contains(&alg)
    {
        "RSA"
    } else {
        "ECDSA"
    }
}

/// The key identifier Go computes: the SHA-1 of the subject public key's bits.
pub fn key_id(public_key_bits: &[u8]) -> Vec<u8> {
    sha1::Sha1::digest(public_key_bits).to_vec()
}

/// A `allowed_uses` entry as a key usage or extended key usage.
enum Use {
    Key(KeyUsagePurpose),
    Extended(ExtendedKeyUsagePurpose),
}

fn allowed_use(name: &str) -> Option<Use> {
    use ExtendedKeyUsagePurpose as E;
    use KeyUsagePurpose as K;
    let other = |oid: &[u64]| Some(Use::Extended(E::Other(oid.to_vec())));
    match name {
        "digital_signature" => Some(Use::Key(K::DigitalSignature)),
        "content_commitment" => Some(Use::Key(K::ContentCommitment)),
        "key_encipherment" => Some(Use::Key(K::KeyEncipherment)),
        "data_encipherment" => Some(Use::Key(K::DataEncipherment)),
        "key_agreement" => Some(Use::Key(K::KeyAgreement)),
        "cert_signing" => Some(Use::Key(K::KeyCertSign)),
        "crl_signing" => Some(Use::Key(K::CrlSign)),
        "encipher_only" => Some(Use::Key(K::EncipherOnly)),
        "decipher_only" => Some(Use::Key(K::DecipherOnly)),
        "any_extended" => Some(Use::Extended(E::Any)),
        "server_auth" => Some(Use::Extended(E::ServerAuth)),
        "client_auth" => Some(Use::Extended(E::ClientAuth)),
        "code_signing" => Some(Use::Extended(E::CodeSigning)),
        "email_protection" => Some(Use::Extended(E::EmailProtection)),
        "ipsec_end_system" => other(&[1, 3, 6, 1, 5, 5, 7, 3, 5]),
        "ipsec_tunnel" => other(&[1, 3, 6, 1, 5, 5, 7, 3, 6]),
        "ipsec_user" => other(&[1, 3, 6, 1, 5, 5, 7, 3, 7]),
        "timestamping" => Some(Use::Extended(E::TimeStamping)),
        "ocsp_signing" => Some(Use::Extended(E::OcspSigning)),
        "microsoft_server_gated_crypto" => other(&[1, 3, 6, 1, 4, 1, 311, 10, 3, 3]),
        "netscape_server_gated_crypto" => other(&[2, 16, 840, 1, 113730, 4, 1]),
        "microsoft_commercial_code_signing" => other(&[1, 3, 6, 1, 4, 1, 311, 2, 1, 22]),
        "microsoft_kernel_code_signing" => other(&[1, 3, 6, 1, 4, 1, 311, 61, 1, 1]),
        _ => None,
    }
}

/// DER of an OCTET STRING holding `bytes` (short form: key ids are 20 bytes).
fn octet_string(bytes: &[u8]) -> Vec<u8> {
    let mut out = vec![0x04, bytes.len() as u8];
    out.extend_from_slice(bytes);
    out
}

/// Fills in validity, serial number, usages and CA flags from the configuration. `subject_key`
/// is the certified public key's bits (for the key identifier).
pub fn apply_settings(
    object: &Object,
    params: &mut CertificateParams,
    subject_key: &[u8],
) -> Result<DateTime<Utc>, Diagnostics> {
    let hours = int(object, "validity_period_hours").unwrap_or(0);
    if hours < 0 {
        return Err(invalid("validity_period_hours", "must be at least 0."));
    }
    let start = DateTime::from_timestamp(Utc::now().timestamp(), 0).unwrap_or_default();
    let end = start + chrono::Duration::hours(hours);
    let at = |t: DateTime<Utc>| {
        time::OffsetDateTime::from_unix_timestamp(t.timestamp())
            .map_err(|e| invalid("validity_period_hours", e.to_string()))
    };
    params.not_before = at(start)?;
    params.not_after = at(end)?;
    let serial: [u8; 16] = rand::random();
    let mut serial = serial.to_vec();
    serial[0] &= 0x7f;
    params.serial_number = Some(SerialNumber::from_slice(&serial));
    params.key_usages.clear();
    params.extended_key_usages.clear();
    for name in strings(object, "allowed_uses") {
        match allowed_use(&name) {
            Some(Use::Key(usage)) => params.key_usages.push(usage),
            Some(Use::Extended(usage)) => params.extended_key_usages.push(usage),
            None => {
                return Err(invalid(
                    "allowed_uses",
                    format!("{name:?} is not a key usage the tls provider knows."),
                ))
            }
        }
    }
    let id = key_id(subject_key);
    params.key_identifier_method = KeyIdMethod::PreSpecified(id.clone());
    params.custom_extensions.clear();
    if flag(object, "is_ca_certificate", false) {
        // Like Go, a CA always carries its subject key identifier.
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    } else {
        params.is_ca = IsCa::NoCa;
        let mut constraints = CustomExtension::from_oid_content(BASIC_CONSTRAINTS, vec![0x30, 0]);
        constraints.set_criticality(true);
        params.custom_extensions.push(constraints);
        if flag(object, "set_subject_key_id", false) {
            params
                .custom_extensions
                .push(CustomExtension::from_oid_content(
                    SUBJECT_KEY_IDENTIFIER,
                    octet_string(&id),
                ));
        }
    }
    Ok(start)
}

/// Records a signed certificate: its PEM, validity times, serial as id, not yet due.
pub fn record(object: &mut Object, pem: String, params: &CertificateParams, start: DateTime<Utc>) {
    let hours = int(object, "validity_period_hours").unwrap_or(0);
    let end = start + chrono::Duration::hours(hours);
    let serial = params
        .serial_number
        .as_ref()
        .map(|s| num_bigint::BigUint::from_bytes_be(&s.to_bytes()).to_string())
        .unwrap_or_default();
    let rfc3339 = |t: DateTime<Utc>| Value::String(t.to_rfc3339_opts(SecondsFormat::Secs, true));
    object.insert("cert_pem".into(), Value::String(pem));
    object.insert("validity_start_time".into(), rfc3339(start));
    object.insert("validity_end_time".into(), rfc3339(end));
    object.insert("ready_for_renewal".into(), Value::Bool(false));
    object.insert("id".into(), Value::String(serial));
}

/// Whether the stored certificate has reached its early renewal time under the planned
/// `early_renewal_hours` (so the plan replaces it).
fn renewal_due(prior: &Object, proposed: &Object) -> bool {
    let Some(end) = crate::common::string(prior, "validity_end_time")
        .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
    else {
        return false;
    };
    let early = int(proposed, "early_renewal_hours").unwrap_or(0);
    end.with_timezone(&Utc) - chrono::Duration::hours(early) <= Utc::now()
}

/// An error signing the certificate.
pub fn signing_failed(e: rcgen::Error) -> Diagnostics {
    Diagnostic::error("Error creating the certificate")
        .with_detail(e.to_string())
        .into()
}

/// When the certificate is due for renewal: `ready_for_renewal` becomes unknown and forces
/// the replacement.
pub fn replace_when_due(prior: &Object, proposed: &mut Object) -> Vec<plinth_sdk::AttrPath> {
    if !renewal_due(prior, proposed) {
        return Vec::new();
    }
    proposed.insert("ready_for_renewal".into(), Value::Unknown);
    vec![plinth_sdk::AttrPath::attr("ready_for_renewal")]
}
