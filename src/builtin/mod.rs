//! Built-in providers that need no cloud: `terraform` (`terraform_data`,
//! `terraform_remote_state`), and with the `test-provider` feature the `slow` provider used by
//! the crash and partial-failure tests.

pub mod remote_state;
#[cfg(feature = "test-provider")]
pub mod slow;
pub mod terraform_data;
