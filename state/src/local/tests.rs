//! Tests for `local`.
use super::*;
