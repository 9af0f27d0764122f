//! The `random` provider: random values generated once, kept in state, and generated anew only
//! when the object is replaced (a change to `keepers` or to any argument). Values come from the
//! operating system's randomness through `rand`'s thread generator, except where a `seed` asks
//! for a repeatable result.

mod id;
mod integer;
mod pet;
mod shuffle;
mod string;
mod uuid;

use std::sync::Arc;

use plinth_sdk::{FnFactory, Provider, ProviderFactory, Registry};
use rand::rngs::StdRng;
use rand::SeedableRng;

use crate::common::NoConfiguration;
use crate::generated::StateOnly;

fn make() -> Box<dyn Provider> {
    Box::new(
        Registry::new("random", NoConfiguration)
            .resource(StateOnly(id::RandomId))
            .resource(StateOnly(integer::RandomInteger))
            .resource(StateOnly(pet::RandomPet))
            .resource(StateOnly(shuffle::RandomShuffle))
            .resource(StateOnly(string::RandomString::STRING))
            .resource(StateOnly(string::RandomString::PASSWORD))
            .resource(StateOnly(uuid::RandomUuid)),
    )
}

/// The factory of the built-in `random` provider.
pub fn factory() -> Arc<dyn ProviderFactory> {
    Arc::new(FnFactory::new("random", make))
}

/// A generator that always gives the same sequence for the same `seed` string.
fn seeded(seed: &str) -> StdRng {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(seed.as_bytes());
    StdRng::from_seed(digest.into())
}
