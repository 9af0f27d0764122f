//! Built-in resource types that need no cloud (`terraform_data`).

#[cfg(feature = "test-provider")]
pub mod slow;
