//! Tests for `lock`.
use super::*;
