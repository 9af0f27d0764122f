//! The `tls` provider: `tls_private_key` (RSA, ECDSA P-256/P-384 or Ed25519 keys generated
//! here, with PEM, PKCS#8 and OpenSSH encodings and SSH fingerprints), `tls_self_signed_cert`,
//! `tls_cert_request` and `tls_locally_signed_cert` (signed with rcgen), all kept in state like
//! Terraform's with private parts sensitive, and the `tls_public_key` data source.

mod cert;
mod cert_request;
mod locally_signed;
mod private_key;
mod public;
mod public_key;
mod self_signed;
mod subject;

use std::sync::Arc;

use plinth_sdk::{FnFactory, Provider, ProviderFactory, Registry};

use crate::common::NoConfiguration;
use crate::generated::StateOnly;

fn make() -> Box<dyn Provider> {
    Box::new(
        Registry::new("tls", NoConfiguration)
            .resource(StateOnly(private_key::PrivateKey))
            .resource(StateOnly(self_signed::SelfSignedCert))
            .resource(StateOnly(cert_request::CertRequest))
            .resource(StateOnly(locally_signed::LocallySignedCert))
            .data_source(public_key::PublicKeySource),
    )
}

/// The factory of the built-in `tls` provider.
pub fn factory() -> Arc<dyn ProviderFactory> {
    Arc::new(FnFactory::new("tls", make))
}
