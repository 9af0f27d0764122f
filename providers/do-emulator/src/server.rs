//! Starting and stopping an emulator, and the library API tests use to read and change it in
//! process (the same things the admin API offers over HTTP).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::admin;
use crate::knobs::Knobs;
use crate::routes;
use crate::state::{App, Exchange, Shared};

/// How to start an emulator.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where to listen; port 0 picks a free port.
    pub listen: SocketAddr,
    /// The bearer tokens accepted; when empty, any non-empty token is.
    pub tokens: Vec<String>,
    /// Seeds generated passwords and the random failures of `fail_rate`.
    pub seed: u64,
    /// The knobs at start.
    pub knobs: Knobs,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            tokens: Vec::new(),
            seed: 1,
            knobs: Knobs::default(),
        }
    }
}

/// What can go wrong starting or steering an emulator.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The listening socket could not be opened.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address asked for.
        addr: SocketAddr,
        /// Why it failed.
        #[source]
        source: std::io::Error,
    },
    /// A knob was given a value it cannot take.
    #[error("invalid knobs: {0}")]
    Knobs(String),
    /// The server stopped with an error.
    #[error("the emulator's server failed: {0}")]
    Serve(#[source] std::io::Error),
}

/// A running emulator. Dropping it stops the server.
pub struct Emulator {
    addr: SocketAddr,
    app: App,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<Result<(), std::io::Error>>>,
}

impl Emulator {
    /// Starts an emulator serving in the background on the current tokio runtime.
    pub async fn start(config: Config) -> Result<Emulator, Error> {
        config.knobs.check().map_err(Error::Knobs)?;
        let listener = TcpListener::bind(config.listen)
            .await
            .map_err(|source| Error::Listen {
                addr: config.listen,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| Error::Listen {
            addr: config.listen,
            source,
        })?;
        let app: App = Arc::new(Shared::new(config.knobs, config.tokens, config.seed));
        let router = routes::router(app.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
        });
        Ok(Emulator {
            addr,
            app,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Its base URL (`http://127.0.0.1:PORT`), what `DIGITALOCEAN_API_URL` should say.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The current knobs.
    pub fn knobs(&self) -> Knobs {
        self.app.knobs()
    }

    /// Changes the knobs; a `throttle` set here starts now.
    pub fn update_knobs(&self, change: impl FnOnce(&mut Knobs)) -> Result<(), Error> {
        let mut knobs = self.app.knobs();
        change(&mut knobs);
        knobs.check().map_err(Error::Knobs)?;
        self.app.set_knobs(knobs);
        Ok(())
    }

    /// Every object by kind, rendered as the API renders it (what `GET /_emulator/state` answers).
    pub fn state(&self) -> Value {
        self.app.store().snapshot(&self.url())
    }

    /// How many API requests `METHOD /path` received (path without query string).
    pub fn request_count(&self, method: &str, path: &str) -> u64 {
        self.app
            .traffic()
            .counts
            .get(&format!("{method} {path}"))
            .copied()
            .unwrap_or(0)
    }

    /// Requests received per `METHOD /path`.
    pub fn request_counts(&self) -> BTreeMap<String, u64> {
        self.app.traffic().counts.clone()
    }

    /// Forgets the request counts.
    pub fn reset_request_counts(&self) {
        self.app.traffic().counts.clear();
    }

    /// The exchanges recorded so far (with the `record` knob on).
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.app.traffic().exchanges.clone()
    }

    /// Removes an object out of band, as if deleted outside plinth: `kind` is a key of
    /// [`Emulator::state`] (`droplets`, `volumes`, ...), `id` its id (a domain's name, a reserved
    /// IP's address). Returns whether it existed.
    pub fn delete_object(&self, kind: &str, id: &str) -> bool {
        admin::remove_object(&mut self.app.store(), kind, id)
    }

    /// Sets a Droplet's status out of band (`new`, `active`, `off`, `archive`). Returns whether
    /// the Droplet exists.
    pub fn set_droplet_status(&self, id: u64, status: &str) -> Result<bool, Error> {
        admin::droplet_status(&mut self.app.store(), id, status).map_err(Error::Knobs)
    }

    /// Drops every object; knobs and traffic logs stay.
    pub fn reset(&self) {
        self.app.reset();
    }

    /// Stops the server, finishing requests in flight.
    pub async fn shutdown(mut self) -> Result<(), Error> {
        self.stop_and_join().await
    }

    async fn stop_and_join(&mut self) -> Result<(), Error> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.task.take() {
            Some(task) => task
                .await
                .map_err(|e| Error::Serve(std::io::Error::other(e)))?
                .map_err(Error::Serve),
            None => Ok(()),
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
