//! The adapter: a plugin provider as one more implementation of plinth's `Provider` contract
//! (v2), so the engine plans, applies, reads, imports and upgrades through it like any provider.
//!
//! [`PluginFactory`] is made once per run from a discovered package: it starts the provider,
//! fetches its schemas (the contract's `schema()` is synchronous) and keeps that process warm
//! for the first instance to configure. Each [`PluginProvider`] owns one process. Guarantees:
//! - the provider's own plan is authoritative: its planned value, `requires_replace` and
//!   planned private bytes travel through plinth's plan to the apply of the same change;
//! - the private bytes an apply or import answers are kept with the object in state and handed
//!   back to its later reads (`ReadResource`), plans (`prior_private`) and delete; those a
//!   read answers are not kept (plinth writes state only when an object changes);
//! - a provider that crashes, hangs past its timeout or answers garbage fails only the calls
//!   in flight, with the provider's name, the call and its stderr tail; a later run starts a
//!   fresh process;
//! - an interrupt (Ctrl-C) sends `StopProvider` to every running provider.

mod factory;
mod provider;
mod values;

pub use factory::PluginFactory;
pub use provider::PluginProvider;
