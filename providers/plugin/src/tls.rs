//! TLS for AutoMTLS: the client certificate plinth generates for each provider process, and a
//! rustls configuration that trusts exactly the certificate the provider announced in its
//! handshake line.
//!
//! Trust is by pinning, not by a CA: the provider's certificate is self-signed and often marked
//! CA (Go providers use ECDSA P-521, which rustls verifies with the aws-lc-rs backend), so the
//! only check that means anything is "these are the bytes the child process printed". Our own
//! certificate is ECDSA P-256, which Go and BoringSSL (gRPC Python) servers both accept for
//! client authentication, unlike go-plugin's P-521.
//!
//! The `tf` Python framework serves an RSA-1024 certificate, below the 2048 bits rustls and
//! webpki accept. Terraform (Go's TLS) accepts it, and since the certificate is pinned the key
//! size does not weaken who we talk to, only the strength of the loopback session's signature.
//! So for a pinned RSA key under 2048 bits plinth verifies the handshake signature with
//! aws-lc-rs's RSA PKCS#1 1024–8192-bit algorithms and speaks TLS 1.2 (TLS 1.3 would require
//! RSA-PSS, which aws-lc-rs offers only from 2048 bits). Every other key gets rustls's defaults.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{aws_lc_rs, WebPkiSupportedAlgorithms};
use rustls::pki_types::{
    alg_id, AlgorithmIdentifier, CertificateDer, InvalidSignature, PrivateKeyDer,
    PrivatePkcs8KeyDer, ServerName, SignatureVerificationAlgorithm, UnixTime,
};
use rustls::{ClientConfig, DigitallySignedStruct, SignatureScheme};

/// A TLS setup problem.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// Generating plinth's client certificate failed.
    #[error("could not generate the client certificate: {0}")]
    Generate(#[from] rcgen::Error),
    /// The provider's certificate is not X.509.
    #[error("the provider's certificate cannot be read: {0}")]
    BadServerCert(String),
    /// rustls refused the configuration.
    #[error("TLS configuration: {0}")]
    Config(#[from] rustls::Error),
}

/// plinth's certificate and key for one provider process.
#[derive(Debug)]
pub struct ClientCertificate {
    der: CertificateDer<'static>,
    key_der: Vec<u8>,
    pem: String,
}

impl ClientCertificate {
    /// Generates a fresh self-signed ECDSA P-256 certificate for `localhost`, usable for client
    /// and server authentication and marked CA, as go-plugin's servers expect.
    pub fn generate() -> Result<ClientCertificate, TlsError> {
        use rcgen::{
            BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
            KeyUsagePurpose,
        };
        let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?;
        let mut params = CertificateParams::new(vec!["localhost".to_string()])?;
        params
            .distinguished_name
            .push(DnType::CommonName, "localhost");
        params
            .distinguished_name
            .push(DnType::OrganizationName, "plinth");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
            KeyUsagePurpose::KeyCertSign,
        ];
        params.extended_key_usages = vec![
            ExtendedKeyUsagePurpose::ClientAuth,
            ExtendedKeyUsagePurpose::ServerAuth,
        ];
        let cert = params.self_signed(&key)?;
        Ok(ClientCertificate {
            der: cert.der().clone(),
            key_der: key.serialize_der(),
            pem: cert.pem(),
        })
    }

    /// The certificate in PEM, for `PLUGIN_CLIENT_CERT`.
    pub fn pem(&self) -> &str {
        &self.pem
    }
}

/// A rustls client configuration that accepts only `server_cert` and presents `client`.
pub fn client_config(
    server_cert: &[u8],
    client: &ClientCertificate,
) -> Result<ClientConfig, TlsError> {
    let legacy = rsa_bits(server_cert)?.is_some_and(|bits| bits < 2048);
    let provider = Arc::new(aws_lc_rs::default_provider());
    let algorithms = if legacy {
        LEGACY_RSA_ALGORITHMS
    } else {
        provider.signature_verification_algorithms
    };
    let versions: &[&rustls::SupportedProtocolVersion] = if legacy {
        &[&rustls::version::TLS12]
    } else {
        rustls::DEFAULT_VERSIONS
    };
    let verifier = PinnedServerCert {
        pinned: server_cert.to_vec(),
        algorithms,
    };
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(client.key_der.clone()));
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(versions)?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_client_auth_cert(vec![client.der.clone()], key)?;
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok(config)
}

/// The RSA modulus size of a certificate's key, or None for other key types.
fn rsa_bits(der: &[u8]) -> Result<Option<usize>, TlsError> {
    use x509_parser::public_key::PublicKey;
    let (_, cert) = x509_parser::parse_x509_certificate(der)
        .map_err(|e| TlsError::BadServerCert(e.to_string()))?;
    match cert.public_key().parsed() {
        Ok(PublicKey::RSA(rsa)) => Ok(Some(rsa.key_size())),
        Ok(_) => Ok(None),
        Err(e) => Err(TlsError::BadServerCert(e.to_string())),
    }
}

/// Accepts exactly one certificate, byte for byte, and checks the handshake signatures made
/// with its key.
#[derive(Debug)]
struct PinnedServerCert {
    pinned: Vec<u8>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for PinnedServerCert {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.pinned.as_slice() {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General(
                "the provider presented a certificate other than the one in its handshake".into(),
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// RSA PKCS#1 signature checks accepting keys from 1024 bits, for pinned small RSA keys only.
#[derive(Debug)]
struct LegacyRsaPkcs1 {
    params: &'static ::aws_lc_rs::signature::RsaParameters,
    signature_alg_id: AlgorithmIdentifier,
}

impl SignatureVerificationAlgorithm for LegacyRsaPkcs1 {
    fn verify_signature(
        &self,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), InvalidSignature> {
        ::aws_lc_rs::signature::UnparsedPublicKey::new(self.params, public_key)
            .verify(message, signature)
            .map_err(|_| InvalidSignature)
    }

    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        alg_id::RSA_ENCRYPTION
    }

    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        self.signature_alg_id
    }
}

static LEGACY_RSA_SHA256: LegacyRsaPkcs1 = LegacyRsaPkcs1 {
    params: &::aws_lc_rs::signature::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
    signature_alg_id: alg_id::RSA_PKCS1_SHA256,
};

static LEGACY_RSA_SHA512: LegacyRsaPkcs1 = LegacyRsaPkcs1 {
    params: &::aws_lc_rs::signature::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY,
    signature_alg_id: alg_id::RSA_PKCS1_SHA512,
};

const LEGACY_RSA_ALGORITHMS: WebPkiSupportedAlgorithms = WebPkiSupportedAlgorithms {
    all: &[&LEGACY_RSA_SHA256, &LEGACY_RSA_SHA512],
    mapping: &[
        (SignatureScheme::RSA_PKCS1_SHA256, &[&LEGACY_RSA_SHA256]),
        (SignatureScheme::RSA_PKCS1_SHA512, &[&LEGACY_RSA_SHA512]),
    ],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_certificate_is_p256_ca_for_localhost() {
        let cert = ClientCertificate::generate().unwrap();
        assert!(cert.pem().starts_with("-----BEGIN CERTIFICATE-----"));
        let (_, parsed) = x509_parser::parse_x509_certificate(cert.der.as_ref()).unwrap();
        assert!(parsed.is_ca());
        assert_eq!(rsa_bits(cert.der.as_ref()).unwrap(), None);
        // a configuration pinned to our own certificate builds (ECDSA: modern defaults)
        let config = client_config(cert.der.as_ref(), &cert).unwrap();
        assert_eq!(config.alpn_protocols, vec![b"h2".to_vec()]);
    }

    #[test]
    fn the_pin_refuses_any_other_certificate() {
        let ours = ClientCertificate::generate().unwrap();
        let other = ClientCertificate::generate().unwrap();
        let verifier = PinnedServerCert {
            pinned: ours.der.to_vec(),
            algorithms: aws_lc_rs::default_provider().signature_verification_algorithms,
        };
        let name = ServerName::try_from("localhost").unwrap();
        assert!(verifier
            .verify_server_cert(&ours.der, &[], &name, &[], UnixTime::now())
            .is_ok());
        assert!(verifier
            .verify_server_cert(&other.der, &[], &name, &[], UnixTime::now())
            .is_err());
    }

    #[test]
    fn garbage_server_certificates_are_refused() {
        let ours = ClientCertificate::generate().unwrap();
        assert!(matches!(
            client_config(b"not a certificate", &ours),
            Err(TlsError::BadServerCert(_))
        ));
    }
}
