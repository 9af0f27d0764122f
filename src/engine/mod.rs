//! What plan and apply share: the evaluation walk over the configuration graph ([`walker`]), the
//! results it produces and the scope answering references from them ([`results`]), instance
//! expansion by count and for_each ([`expand`]), resource dependencies ([`deps`]), root variable
//! validation ([`variables`]), the types of outputs ([`output_type`]) and the providers of a run ([`providers`]), external ones found
//! and loaded as plugins ([`plugins`]).
//!
//! Plan walks with a handler that diffs each instance; apply walks with one that hands each
//! instance's evaluated configuration to the action it belongs to and waits for its result.

pub mod check_blocks;
pub mod conditions;
pub mod deps;
pub mod expand;
pub mod locate;
pub mod output_type;
pub mod plugins;
pub mod providers;
pub mod results;
pub mod timeouts;
pub mod validators;
pub mod variables;
pub mod walker;
