//! The executor: walks planned actions in dependency order, journalling each result.
