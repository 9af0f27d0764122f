//! The parts of the conformance scenario, one family of endpoints each; `spec_conformance.rs`
//! runs them in order and checks what they recorded.

pub mod catalogue;
pub mod dns_and_tags;
pub mod droplets;
pub mod faults;
pub mod networking;
pub mod storage;
