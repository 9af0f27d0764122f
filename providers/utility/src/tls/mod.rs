//! The `tls` provider: `tls_private_key` (RSA, ECDSA P-256/P-384 or Ed25519 keys generated
//! here, with PEM, PKCS#8 and OpenSSH encodings and SSH fingerprints), kept in state like
//! Terraform's, its private parts sensitive.

mod private_key;

use std::sync::Arc;

use plinth_sdk::{FnFactory, Provider, ProviderFactory, Registry};

use crate::common::NoConfiguration;
use crate::generated::StateOnly;

fn make() -> Box<dyn Provider> {
    Box::new(Registry::new("tls", NoConfiguration).resource(StateOnly(private_key::PrivateKey)))
}

/// The factory of the built-in `tls` provider.
pub fn factory() -> Arc<dyn ProviderFactory> {
    Arc::new(FnFactory::new("tls", make))
}
