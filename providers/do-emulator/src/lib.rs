//! A stateful emulator of the DigitalOcean API v2, held to DigitalOcean's official OpenAPI
//! description. plinth's tests run the DigitalOcean provider against it, and users run the
//! `plinth-do-emulator` binary to try configurations offline.
//!
//! It keeps an in-memory account (deterministic ids, generated addresses and passwords), answers
//! with DigitalOcean's paths, status codes, bodies, pagination, errors and rate-limit headers,
//! makes asynchronous work (actions, Droplet and database status) take a configurable time, and
//! injects faults on demand. Tests start one in process:
//!
//! ```no_run
//! # async fn example() -> Result<(), plinth_do_emulator::Error> {
//! use plinth_do_emulator::{Config, Emulator};
//! let emulator = Emulator::start(Config::default()).await?;
//! let base_url = emulator.url(); // point DIGITALOCEAN_API_URL here
//! emulator.update_knobs(|k| k.action_delay_ms = 200)?;
//! # Ok(()) }
//! ```

mod admin;
mod catalog;
mod errors;
mod knobs;
mod pagination;
mod reply;
mod resources;
mod routes;
mod server;
mod state;
mod store;
mod traffic;

pub use knobs::{FailRule, Knobs, Throttle};
pub use pagination::{DEFAULT_PER_PAGE, MAX_PER_PAGE};
pub use server::{Config, Emulator, Error};
pub use state::Exchange;
pub use traffic::{ADMIN_PREFIX, RATE_LIMIT};
