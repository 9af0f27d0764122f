//! Compiles `proto/tfplugin5.proto`, `proto/tfplugin6.proto` and go-plugin's
//! `proto/grpc_controller.proto` into Rust client code.
//!
//! protox parses the files in pure Rust, so building plinth needs no system `protoc`; the
//! descriptor set goes to tonic-prost-build, which writes prost messages and tonic clients into
//! `OUT_DIR`. Servers are not generated: plinth only calls providers.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let files = [
        "proto/tfplugin5.proto",
        "proto/tfplugin6.proto",
        "proto/grpc_controller.proto",
    ];
    for file in files {
        println!("cargo:rerun-if-changed={file}");
    }
    let descriptors = protox::compile(files, ["proto"])?;
    tonic_prost_build::configure()
        .build_server(false)
        .compile_fds(descriptors)?;
    Ok(())
}
