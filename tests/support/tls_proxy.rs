//! A TLS terminator on 127.0.0.1 in front of a unix socket (the Docker Engine's), as a TLS
//! engine listens: it presents a server certificate and accepts only clients whose certificate
//! the given authority signed, then forwards the bytes unchanged. The engine behind it is real.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use tokio::net::{TcpListener, UnixStream};
use tokio_rustls::TlsAcceptor;

/// A running terminator; stops when dropped.
pub struct TlsProxy {
    /// The loopback port it listens on.
    pub port: u16,
    _runtime: tokio::runtime::Runtime,
}

fn certificates(path: &Path) -> Vec<CertificateDer<'static>> {
    let pem = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    rustls_pemfile::certs(&mut pem.as_slice())
        .collect::<Result<_, _>>()
        .expect("PEM certificates")
}

fn private_key(path: &Path) -> PrivateKeyDer<'static> {
    let pem = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    rustls_pemfile::private_key(&mut pem.as_slice())
        .expect("PEM key")
        .expect("a private key")
}

impl TlsProxy {
    /// Serves `socket` over TLS with the server certificate `cert`/`key`, requiring client
    /// certificates signed by `ca`.
    pub fn start(socket: &Path, cert: &Path, key: &Path, ca: &Path) -> TlsProxy {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let mut roots = rustls::RootCertStore::empty();
        for ca in certificates(ca) {
            roots.add(ca).expect("CA certificate");
        }
        let verifier =
            WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                .build()
                .expect("client verifier");
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("protocol versions")
            .with_client_cert_verifier(verifier)
            .with_single_cert(certificates(cert), private_key(key))
            .expect("server certificate");
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let listener = runtime
            .block_on(TcpListener::bind("127.0.0.1:0"))
            .expect("bind the TLS port");
        let port = listener.local_addr().expect("address").port();
        let socket: PathBuf = socket.to_path_buf();
        runtime.spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                let socket = socket.clone();
                tokio::spawn(async move {
                    // A client without an acceptable certificate fails here, as at the engine.
                    let Ok(mut client) = acceptor.accept(client).await else {
                        return;
                    };
                    let Ok(mut engine) = UnixStream::connect(&socket).await else {
                        return;
                    };
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut engine).await;
                });
            }
        });
        TlsProxy {
            port,
            _runtime: runtime,
        }
    }
}
