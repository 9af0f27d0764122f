//! The DigitalOcean emulator for end-to-end tests: one in process per [`DoEmulator::start`], on
//! a free 127.0.0.1 port, with its own tokio runtime (the tests themselves are synchronous), and
//! a small HTTP client that reads it through DigitalOcean's API with the test token, as a user
//! checking their account would. Dropping it stops the server.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;

use plinth_do_emulator::{Config, Emulator, Knobs};

/// The token the emulator accepts.
pub const TOKEN: &str = "plinth-e2e-token";

/// A running emulator.
pub struct DoEmulator {
    emulator: Emulator,
    runtime: tokio::runtime::Runtime,
}

impl DoEmulator {
    /// Starts an emulator whose asynchronous work takes `action_delay_ms`.
    pub fn start(action_delay_ms: u64) -> DoEmulator {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime for the emulator");
        let emulator = runtime
            .block_on(Emulator::start(Config {
                tokens: vec![TOKEN.into()],
                knobs: Knobs {
                    action_delay_ms,
                    ..Knobs::default()
                },
                ..Config::default()
            }))
            .expect("the emulator starts");
        DoEmulator { emulator, runtime }
    }

    /// The emulator, to read or change in process.
    pub fn inner(&self) -> &Emulator {
        &self.emulator
    }

    /// Its base URL.
    pub fn url(&self) -> String {
        self.emulator.url()
    }

    /// Points a workspace's plinth at this emulator.
    pub fn configure(&self, ws: &mut super::Workspace) {
        ws.set_env("DIGITALOCEAN_API_URL", &self.url());
        ws.set_env("DIGITALOCEAN_TOKEN", TOKEN);
    }

    /// Changes the knobs.
    pub fn knobs(&self, change: impl FnOnce(&mut Knobs)) {
        let _guard = self.runtime.enter();
        self.emulator.update_knobs(change).expect("valid knobs");
    }

    /// `GET path` of DigitalOcean's API with the token: the JSON answer.
    #[track_caller]
    pub fn get(&self, path: &str) -> serde_json::Value {
        let (head, body) = self.request("GET", path, None);
        assert!(head.starts_with("HTTP/1.1 200"), "GET {path}: {head}");
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("GET {path}: {e}: {body}"))
    }

    /// `DELETE path` with the token, as an independent client would: the status code.
    #[track_caller]
    pub fn delete(&self, path: &str) -> u16 {
        let (head, _) = self.request("DELETE", path, None);
        head.split(' ')
            .nth(1)
            .and_then(|code| code.parse().ok())
            .unwrap_or_else(|| panic!("DELETE {path}: {head}"))
    }

    /// `POST path` with a JSON body and the token, as an independent client would: the JSON
    /// answer, which must be a 2xx.
    #[track_caller]
    pub fn post(&self, path: &str, body: &serde_json::Value) -> serde_json::Value {
        let body = body.to_string();
        let (head, answer) = self.request("POST", path, Some(body.as_str()));
        assert!(
            head.starts_with("HTTP/1.1 2"),
            "POST {path}: {head}: {answer}"
        );
        serde_json::from_str(&answer).unwrap_or_else(|e| panic!("POST {path}: {e}: {answer}"))
    }

    /// One raw HTTP/1.1 request: the status line and headers, and the body.
    #[track_caller]
    fn request(&self, method: &str, path: &str, body: Option<&str>) -> (String, String) {
        let address = self.emulator.addr();
        let mut stream = TcpStream::connect(address).expect("connect to the emulator");
        let body = body.map_or(String::new(), |b| {
            format!(
                "Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{b}",
                b.len()
            )
        });
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {TOKEN}\r\nConnection: close\r\n{}",
            if body.is_empty() { "\r\n" } else { body.as_str() }
        );
        stream.write_all(request.as_bytes()).expect("send");
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).expect("receive");
        let answer = String::from_utf8(answer).expect("UTF-8");
        let (head, body) = answer.split_once("\r\n\r\n").expect("an HTTP answer");
        (head.to_string(), body.to_string())
    }

    /// The list at `path` (one page of up to 200) under `key`.
    #[track_caller]
    pub fn list(&self, path: &str, key: &str) -> Vec<serde_json::Value> {
        let separator = if path.contains('?') { '&' } else { '?' };
        self.get(&format!("{path}{separator}per_page=200"))[key]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }
}

/// Copies an example's files (not its state) into a workspace.
pub fn copy_example(name: &str, ws: &super::Workspace) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name);
    for entry in std::fs::read_dir(&dir).expect("the example's folder") {
        let path = entry.expect("an entry").path();
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_file() && !file.starts_with("plinth.tfstate") {
            ws.write(
                &file,
                &std::fs::read_to_string(&path).expect("an example file"),
            );
        }
    }
}
