//! The protocol's generated messages and clients, one module per major version.

#[allow(missing_docs, clippy::all)]
pub mod tfplugin5 {
    tonic::include_proto!("tfplugin5");
}

#[allow(missing_docs, clippy::all)]
pub mod tfplugin6 {
    tonic::include_proto!("tfplugin6");
}

#[allow(missing_docs, clippy::all)]
pub mod controller {
    tonic::include_proto!("plugin");
}
