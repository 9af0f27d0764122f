//! Helpers shared by the emulator's integration tests: the OpenAPI validator and an HTTP
//! client. Each test binary uses a different part of them.
#![allow(dead_code)]

pub mod client;
pub mod openapi;
