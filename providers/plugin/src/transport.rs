//! The gRPC channel to a provider: HTTP/2 over the unix socket or loopback TCP address from the
//! handshake, inside TLS when the provider announced a certificate. The TLS handshake is done
//! here with plinth's own rustls configuration (the pinned certificate); tonic sees a plain
//! stream.

use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::TokioIo;
use rustls::pki_types::ServerName;
use rustls::ClientConfig;
use tokio::io::{AsyncRead, AsyncWrite};
use tonic::transport::{Channel, Endpoint, Uri};

use crate::handshake::Address;

/// Largest message either way: provider schemas run to tens of megabytes (Terraform allows
/// 256 MiB too).
pub(crate) const MAX_MESSAGE_SIZE: usize = 256 << 20;

trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// Opens the channel, failing when the first connection cannot be made within `timeout`.
pub(crate) async fn connect(
    address: &Address,
    tls: Option<ClientConfig>,
    timeout: Duration,
) -> Result<Channel, String> {
    let address = address.clone();
    let tls = tls.map(|config| tokio_rustls::TlsConnector::from(Arc::new(config)));
    let connector = tower::service_fn(move |_: Uri| {
        let address = address.clone();
        let tls = tls.clone();
        async move {
            let stream: Box<dyn Io> = match &address {
                Address::Unix(path) => Box::new(tokio::net::UnixStream::connect(path).await?),
                Address::Tcp(addr) => {
                    let stream = tokio::net::TcpStream::connect(addr).await?;
                    stream.set_nodelay(true)?;
                    Box::new(stream)
                }
            };
            let stream: Box<dyn Io> = match tls {
                Some(tls) => {
                    let name = ServerName::try_from("localhost").expect("valid name");
                    Box::new(tls.connect(name, stream).await?)
                }
                None => stream,
            };
            Ok::<_, std::io::Error>(TokioIo::new(stream))
        }
    });
    // The URI is only a label: the connector above decides where bytes go.
    Endpoint::from_static("http://localhost")
        .connect_timeout(timeout)
        .connect_with_connector(connector)
        .await
        .map_err(|e| {
            let mut text = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(cause) = source {
                text.push_str(": ");
                text.push_str(&cause.to_string());
                source = cause.source();
            }
            text
        })
}
