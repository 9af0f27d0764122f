//! `PluginError`: everything that can go wrong talking to a provider process. Errors about a
//! running provider carry the tail of its stderr, which is where providers say why they died.

use std::path::PathBuf;
use std::time::Duration;

use crate::codec::ValueError;
use crate::{SchemaError, TlsError};

/// A failure starting or calling a provider.
#[derive(Debug, thiserror::Error)]
pub enum PluginError {
    /// The executable could not be started.
    #[error("could not start provider {provider} ({}): {source}", path.display())]
    Spawn {
        /// The provider's name.
        provider: String,
        /// The executable.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The provider did not complete the go-plugin handshake.
    #[error(
        "provider {provider} failed the plugin handshake: {reason}{}",
        tail(stderr_tail)
    )]
    Handshake {
        /// The provider's name.
        provider: String,
        /// What went wrong.
        reason: String,
        /// The last lines the provider wrote to stderr.
        stderr_tail: String,
    },
    /// Connecting to the address the provider announced failed.
    #[error(
        "could not connect to provider {provider}: {reason}{}",
        tail(stderr_tail)
    )]
    Connect {
        /// The provider's name.
        provider: String,
        /// What went wrong.
        reason: String,
        /// The last lines the provider wrote to stderr.
        stderr_tail: String,
    },
    /// The provider process exited while a call was running (or before it).
    #[error(
        "provider {provider} exited ({status}) during {rpc}{}",
        tail(stderr_tail)
    )]
    Crashed {
        /// The provider's name.
        provider: String,
        /// The call that was running.
        rpc: &'static str,
        /// How it exited.
        status: String,
        /// The last lines the provider wrote to stderr.
        stderr_tail: String,
    },
    /// A call took longer than its timeout; the provider process was killed.
    #[error(
        "provider {provider} did not answer {rpc} within {}s and was stopped{}",
        after.as_secs_f64(),
        tail(stderr_tail)
    )]
    Timeout {
        /// The provider's name.
        provider: String,
        /// The call that hung.
        rpc: &'static str,
        /// The timeout.
        after: Duration,
        /// The last lines the provider wrote to stderr.
        stderr_tail: String,
    },
    /// The call failed at the gRPC level while the process kept running.
    #[error("provider {provider} failed {rpc}: {message}{}", tail(stderr_tail))]
    Rpc {
        /// The provider's name.
        provider: String,
        /// The call.
        rpc: &'static str,
        /// gRPC's status code.
        code: tonic::Code,
        /// gRPC's message.
        message: String,
        /// The last lines the provider wrote to stderr.
        stderr_tail: String,
    },
    /// A value could not be encoded for, or decoded from, the provider.
    #[error("provider {provider}, {rpc}: {source}{}", tail(stderr_tail))]
    Value {
        /// The provider's name.
        provider: String,
        /// The call.
        rpc: &'static str,
        /// The value problem.
        #[source]
        source: ValueError,
        /// The last lines the provider wrote to stderr.
        stderr_tail: String,
    },
    /// The provider sent a schema that cannot be read.
    #[error("provider {provider}: {source}")]
    Schema {
        /// The provider's name.
        provider: String,
        /// The schema problem.
        #[source]
        source: SchemaError,
    },
    /// A type name the provider's schema does not have.
    #[error("provider {provider} has no {kind} {name:?}")]
    UnknownType {
        /// The provider's name.
        provider: String,
        /// `resource type`, `data source`, `function`.
        kind: &'static str,
        /// The name asked for.
        name: String,
    },
    /// `StopProvider` answered with an error.
    #[error("provider {provider} could not stop: {message}")]
    Stop {
        /// The provider's name.
        provider: String,
        /// The provider's message.
        message: String,
    },
    /// TLS setup failed.
    #[error("provider {provider}: {source}")]
    Tls {
        /// The provider's name.
        provider: String,
        /// The TLS problem.
        #[source]
        source: TlsError,
    },
}

fn tail(stderr_tail: &str) -> String {
    if stderr_tail.is_empty() {
        String::new()
    } else {
        format!("\nprovider stderr (last lines):\n{stderr_tail}")
    }
}
