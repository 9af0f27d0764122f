//! `ProviderClient`: one running provider process and the gRPC channel to it, with an async API
//! shaped like the protocol (one method per RPC) that is the same for protocol 5 and 6.
//!
//! Guarantees:
//! - every call has a timeout ([`Timeouts`]); a call that passes it kills the process and
//!   fails with [`PluginError::Timeout`], so a hung provider never hangs plinth;
//! - a process that dies during a call is reported as [`PluginError::Crashed`] with its exit
//!   status and the tail of its stderr; garbage answers are [`PluginError::Value`] errors;
//! - the process is killed when the client is dropped ([`ProviderClient::shutdown`] asks it
//!   to exit first); a fresh client starts a fresh process;
//! - sensitive marks never reach the provider: requests are sent unmarked and the marks are put
//!   back on the values that come back, at the same paths.
//!
//! The schema is fetched once (`GetProviderSchema`) and used to encode and decode every value.
//! Resource identities, ephemeral resources and moves are not spoken yet.

mod messages;
mod rpc;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::OnceCell;
use tonic::transport::Channel;

pub use messages::*;

use crate::codec::{self, AttributePath};
use crate::process::{LaunchOptions, ProviderProcess, Timeouts};
use crate::proto::controller::grpc_controller_client::GrpcControllerClient;
use crate::proto::{tfplugin5 as v5, tfplugin6 as v6};
use crate::transport::{self, MAX_MESSAGE_SIZE};
use crate::{tls, ClientCertificate, CtyType, PluginDiagnostic, PluginError, ProviderSchemas};

/// The generated client of the version the provider chose.
#[derive(Clone, Debug)]
enum Rpc {
    V5(v5::provider_client::ProviderClient<Channel>),
    V6(v6::provider_client::ProviderClient<Channel>),
}

/// A schema fetched once, with the diagnostics that came with it.
#[derive(Debug)]
struct SchemaCache {
    schemas: Arc<ProviderSchemas>,
    diagnostics: Vec<PluginDiagnostic>,
}

/// A running provider.
#[derive(Debug)]
pub struct ProviderClient {
    process: ProviderProcess,
    rpc: Rpc,
    controller: GrpcControllerClient<Channel>,
    protocol_version: u32,
    timeouts: Timeouts,
    terraform_version: String,
    schema: OnceCell<SchemaCache>,
    tls: bool,
}

impl ProviderClient {
    /// Starts the provider, completes the handshake and connects (TLS pinned to the
    /// certificate the provider announced; plaintext when it announced none).
    pub async fn start(options: LaunchOptions) -> Result<ProviderClient, PluginError> {
        let name = options.name.clone();
        let tls_error = |source| PluginError::Tls {
            provider: name.clone(),
            source,
        };
        // A certificate is needed even without AutoMTLS: rustls presents one whenever a
        // provider that serves TLS anyway asks for it.
        let cert = ClientCertificate::generate().map_err(tls_error)?;
        let offered = options.auto_mtls.then(|| cert.pem());
        let (process, handshake) = ProviderProcess::start(&options, offered).await?;
        let tls = match &handshake.server_cert {
            Some(server_cert) => Some(tls::client_config(server_cert, &cert).map_err(tls_error)?),
            None => None,
        };
        let channel =
            match transport::connect(&handshake.address, tls, options.timeouts.handshake).await {
                Ok(channel) => channel,
                Err(reason) => {
                    let stderr_tail = process.stderr_tail();
                    process.kill().await;
                    return Err(PluginError::Connect {
                        provider: name,
                        reason,
                        stderr_tail,
                    });
                }
            };
        let rpc = match handshake.protocol_version {
            5 => Rpc::V5(
                v5::provider_client::ProviderClient::new(channel.clone())
                    .max_decoding_message_size(MAX_MESSAGE_SIZE)
                    .max_encoding_message_size(MAX_MESSAGE_SIZE),
            ),
            _ => Rpc::V6(
                v6::provider_client::ProviderClient::new(channel.clone())
                    .max_decoding_message_size(MAX_MESSAGE_SIZE)
                    .max_encoding_message_size(MAX_MESSAGE_SIZE),
            ),
        };
        tracing::debug!(
            provider = %name,
            pid = ?process.pid(),
            protocol = handshake.protocol_version,
            tls = handshake.server_cert.is_some(),
            "provider started"
        );
        Ok(ProviderClient {
            process,
            rpc,
            controller: GrpcControllerClient::new(channel),
            protocol_version: handshake.protocol_version,
            timeouts: options.timeouts,
            terraform_version: options.terraform_version,
            schema: OnceCell::new(),
            tls: handshake.server_cert.is_some(),
        })
    }

    /// The provider's name.
    pub fn name(&self) -> &str {
        self.process.name()
    }

    /// The plugin protocol's major version in use (5 or 6).
    pub fn protocol_version(&self) -> u32 {
        self.protocol_version
    }

    /// Whether the connection is TLS (pinned to the provider's certificate).
    pub fn uses_tls(&self) -> bool {
        self.tls
    }

    /// The provider's process id.
    pub fn pid(&self) -> Option<u32> {
        self.process.pid()
    }

    /// The last lines the provider wrote to stderr.
    pub fn stderr_tail(&self) -> String {
        self.process.stderr_tail()
    }

    /// The process's exit status if it has ended, waiting at most `wait` for that.
    pub async fn exit_status(&self, wait: Duration) -> Option<std::process::ExitStatus> {
        self.process.exit_status(wait).await
    }

    /// The timeouts in force.
    pub fn timeouts(&self) -> Timeouts {
        self.timeouts
    }

    /// Changes the timeouts of later calls.
    pub fn set_timeouts(&mut self, timeouts: Timeouts) {
        self.timeouts = timeouts;
    }

    /// A handle that sends `StopProvider` from anywhere (a signal handler, another task).
    pub fn stop_handle(&self) -> StopHandle {
        StopHandle {
            provider: self.name().to_string(),
            rpc: self.rpc.clone(),
            timeout: self.timeouts.stop,
        }
    }

    /// Asks the provider to stop what it is doing (`StopProvider`): running calls return soon.
    pub async fn stop(&self) -> Result<(), PluginError> {
        self.stop_handle().stop().await
    }

    /// Sends `StopProvider` whenever plinth receives an interrupt (Ctrl-C), until the returned
    /// guard is dropped.
    pub fn stop_on_interrupt(&self) -> InterruptGuard {
        let handle = self.stop_handle();
        InterruptGuard(tokio::spawn(async move {
            while tokio::signal::ctrl_c().await.is_ok() {
                tracing::debug!(provider = %handle.provider, "interrupt: stopping the provider");
                if let Err(e) = handle.stop().await {
                    tracing::warn!("{e}");
                }
            }
        }))
    }

    /// Asks the process to exit (go-plugin's `Shutdown`), waits briefly, then kills it.
    pub async fn shutdown(self) {
        let mut controller = self.controller.clone();
        let asked = tokio::time::timeout(
            self.timeouts.stop,
            controller.shutdown(crate::proto::controller::Empty {}),
        )
        .await;
        if matches!(asked, Ok(Ok(_)))
            && self
                .process
                .exit_status(Duration::from_secs(2))
                .await
                .is_some()
        {
            return;
        }
        self.process.kill().await;
    }

    /// Runs one RPC under `timeout`, turning transport failures into crash, timeout or RPC
    /// errors that name the call and carry the stderr tail.
    async fn call<T>(
        &self,
        rpc: &'static str,
        timeout: Duration,
        request: impl Future<Output = Result<tonic::Response<T>, tonic::Status>>,
    ) -> Result<T, PluginError> {
        match tokio::time::timeout(timeout, request).await {
            Ok(Ok(response)) => Ok(response.into_inner()),
            Err(_) => {
                self.process.kill().await;
                Err(PluginError::Timeout {
                    provider: self.name().to_string(),
                    rpc,
                    after: timeout,
                    stderr_tail: self.process.stderr_tail(),
                })
            }
            Ok(Err(status)) => {
                // A dead process shows as a broken stream; give it a moment to be reaped.
                let wait = match status.code() {
                    tonic::Code::Unavailable | tonic::Code::Unknown | tonic::Code::Internal => {
                        Duration::from_secs(1)
                    }
                    _ => Duration::from_millis(50),
                };
                match self.process.exit_status(wait).await {
                    Some(exit) => Err(PluginError::Crashed {
                        provider: self.name().to_string(),
                        rpc,
                        status: exit.to_string(),
                        stderr_tail: self.process.stderr_tail(),
                    }),
                    None => Err(PluginError::Rpc {
                        provider: self.name().to_string(),
                        rpc,
                        code: status.code(),
                        message: status.message().to_string(),
                        stderr_tail: self.process.stderr_tail(),
                    }),
                }
            }
        }
    }

    /// The provider's schemas, fetched on first use.
    pub async fn schemas(&self) -> Result<Arc<ProviderSchemas>, PluginError> {
        Ok(self.schema_cache().await?.schemas.clone())
    }

    /// The implied value type of a resource type, data source (`data`) or the provider block.
    async fn value_type(
        &self,
        kind: &'static str,
        type_name: &str,
    ) -> Result<CtyType, PluginError> {
        let schemas = self.schemas().await?;
        let found = match kind {
            "resource type" => schemas.resources.get(type_name),
            "data source" => schemas.data_sources.get(type_name),
            _ => Some(&schemas.provider),
        };
        found
            .map(|s| s.block.implied_type())
            .ok_or_else(|| PluginError::UnknownType {
                provider: self.name().to_string(),
                kind,
                name: type_name.to_string(),
            })
    }

    /// The `provider_meta` value encoded, when one is given and the provider has a schema.
    async fn encode_meta<D: From<(Vec<u8>, Vec<u8>)>>(
        &self,
        rpc: &'static str,
        meta: &Option<plinth_sdk::Value>,
    ) -> Result<Option<D>, PluginError> {
        let Some(meta) = meta else {
            return Ok(None);
        };
        let schemas = self.schemas().await?;
        let Some(schema) = &schemas.provider_meta else {
            return Ok(None);
        };
        let (bytes, _) = self.encode(rpc, meta, &schema.block.implied_type())?;
        Ok(Some(D::from((bytes, Vec::new()))))
    }

    /// Encodes a value for a request: marks stripped (their paths returned), msgpack.
    fn encode(
        &self,
        rpc: &'static str,
        value: &plinth_sdk::Value,
        ty: &CtyType,
    ) -> Result<(Vec<u8>, Vec<AttributePath>), PluginError> {
        let (plain, marks) = codec::strip_marks(value.clone());
        let bytes = codec::encode_msgpack(&plain, ty).map_err(|source| PluginError::Value {
            provider: self.name().to_string(),
            rpc,
            source,
            stderr_tail: self.process.stderr_tail(),
        })?;
        Ok((bytes, marks))
    }

    /// Decodes a value from an answer and puts `marks` back on it.
    fn decode(
        &self,
        rpc: &'static str,
        value: Option<(Vec<u8>, Vec<u8>)>,
        ty: &CtyType,
        marks: &[AttributePath],
    ) -> Result<plinth_sdk::Value, PluginError> {
        let (msgpack, json) = value.unwrap_or_default();
        let plain =
            codec::decode_dynamic(&msgpack, &json, ty).map_err(|source| PluginError::Value {
                provider: self.name().to_string(),
                rpc,
                source,
                stderr_tail: self.process.stderr_tail(),
            })?;
        Ok(codec::apply_marks(plain, marks))
    }
}

/// Sends `StopProvider`; cheap to clone and usable from any task.
#[derive(Clone, Debug)]
pub struct StopHandle {
    provider: String,
    rpc: Rpc,
    timeout: Duration,
}

impl StopHandle {
    /// Asks the provider to stop its running calls.
    pub async fn stop(&self) -> Result<(), PluginError> {
        let answer = match self.rpc.clone() {
            Rpc::V5(mut c) => {
                tokio::time::timeout(self.timeout, async move {
                    c.stop(v5::stop::Request {})
                        .await
                        .map(|r| r.into_inner().error)
                })
                .await
            }
            Rpc::V6(mut c) => {
                tokio::time::timeout(self.timeout, async move {
                    c.stop_provider(v6::stop_provider::Request {})
                        .await
                        .map(|r| r.into_inner().error)
                })
                .await
            }
        };
        let message = match answer {
            Ok(Ok(error)) if error.is_empty() => return Ok(()),
            Ok(Ok(error)) => error,
            Ok(Err(status)) => status.message().to_string(),
            Err(_) => format!("no answer within {}s", self.timeout.as_secs_f64()),
        };
        Err(PluginError::Stop {
            provider: self.provider.clone(),
            message,
        })
    }
}

/// Keeps a Ctrl-C listener sending `StopProvider`; dropping it ends the listener.
#[derive(Debug)]
pub struct InterruptGuard(tokio::task::JoinHandle<()>);

impl Drop for InterruptGuard {
    fn drop(&mut self) {
        self.0.abort();
    }
}

macro_rules! dynamic_value_parts {
    ($v:ident) => {
        impl From<$v::DynamicValue> for (Vec<u8>, Vec<u8>) {
            fn from(dv: $v::DynamicValue) -> (Vec<u8>, Vec<u8>) {
                (dv.msgpack, dv.json)
            }
        }

        impl From<(Vec<u8>, Vec<u8>)> for $v::DynamicValue {
            fn from((msgpack, json): (Vec<u8>, Vec<u8>)) -> $v::DynamicValue {
                $v::DynamicValue { msgpack, json }
            }
        }
    };
}

dynamic_value_parts!(v5);
dynamic_value_parts!(v6);
