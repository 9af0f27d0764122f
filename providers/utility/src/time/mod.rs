//! The `time` provider: `time_static` (a timestamp taken once), `time_offset` (a base timestamp
//! moved by years, months, days, hours, minutes and seconds), `time_rotating` (a timestamp that
//! expires, after which the next plan replaces it) and `time_sleep` (waits during create and
//! destroy). Timestamps are RFC 3339 in UTC; calendar arithmetic normalises like Go's
//! `AddDate` (January 31 plus one month is March 2 or 3).

mod offset;
mod rotating;
mod sleep;
mod stamp;
mod static_time;

use std::sync::Arc;

use plinth_sdk::{FnFactory, Provider, ProviderFactory, Registry};

use crate::common::NoConfiguration;
use crate::generated::StateOnly;

fn make() -> Box<dyn Provider> {
    Box::new(
        Registry::new("time", NoConfiguration)
            .resource(StateOnly(offset::TimeOffset))
            .resource(StateOnly(rotating::TimeRotating))
            .resource(StateOnly(static_time::TimeStatic))
            .resource(sleep::TimeSleep),
    )
}

/// The factory of the built-in `time` provider.
pub fn factory() -> Arc<dyn ProviderFactory> {
    Arc::new(FnFactory::new("time", make))
}
