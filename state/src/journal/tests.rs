//! Tests for `journal`.
use super::*;
