//! A TCP proxy on 127.0.0.1 that makes a real store fail in the middle of a write: it forwards
//! every connection to the store unchanged until armed, then either answers matching HTTP
//! requests with a `500 InternalError` (S3) or drops the connection when the client sends a
//! given byte sequence (a PostgreSQL statement). Armed or not, it counts the matching requests
//! (how many journal appends reached the store). Nothing of plinth's is mocked: the store behind
//! it is moto or a real PostgreSQL server.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

/// The TCP port of a loopback URL (`http://127.0.0.1:PORT`, `postgres://u@127.0.0.1:PORT/db`).
pub fn port_of(url: &str) -> u16 {
    let after = url.rsplit_once("127.0.0.1:").expect("a loopback address").1;
    after
        .split('/')
        .next()
        .and_then(|port| port.parse().ok())
        .expect("a port")
}

/// `url` with its loopback port replaced by `port`: the same store through a proxy.
pub fn through(url: &str, port: u16) -> String {
    url.replace(
        &format!("127.0.0.1:{}", port_of(url)),
        &format!("127.0.0.1:{port}"),
    )
}

/// What the proxy does to matching traffic while armed.
#[derive(Clone)]
pub enum Fault {
    /// HTTP: a request whose request line starts with this text (e.g. `PUT /bucket/key`,
    /// followed by `?` or a space; or anything when it ends with `/`) is answered with 500 and
    /// not forwarded.
    Http500 { request: String },
    /// Any protocol: when the client sends these bytes, both sides of its connection are cut
    /// before they are forwarded.
    Drop { marker: Vec<u8> },
    /// HTTP: the first `times` requests matching as for `Http500` are answered with 400 and
    /// EC2's `RequestLimitExceeded` (AWS throttling) and not forwarded.
    Throttle { request: String, times: usize },
}

/// A running proxy; it stops accepting when dropped.
pub struct FaultProxy {
    /// The port it listens on.
    pub port: u16,
    armed: Arc<AtomicBool>,
    hits: Arc<AtomicUsize>,
    matched: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

impl FaultProxy {
    /// Proxies 127.0.0.1:`port` (the real store), disarmed.
    pub fn start(target_port: u16, fault: Fault) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the fault proxy");
        let port = listener.local_addr().expect("proxy address").port();
        let proxy = FaultProxy {
            port,
            armed: Arc::new(AtomicBool::new(false)),
            hits: Arc::new(AtomicUsize::new(0)),
            matched: Arc::new(AtomicUsize::new(0)),
            stop: Arc::new(AtomicBool::new(false)),
        };
        let (armed, hits, matched, stop) = (
            proxy.armed.clone(),
            proxy.hits.clone(),
            proxy.matched.clone(),
            proxy.stop.clone(),
        );
        std::thread::spawn(move || {
            for client in listener.incoming() {
                if stop.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(client) = client else { continue };
                let Ok(server) = TcpStream::connect(("127.0.0.1", target_port)) else {
                    continue;
                };
                let connection = Connection {
                    fault: fault.clone(),
                    armed: armed.clone(),
                    hits: hits.clone(),
                    matched: matched.clone(),
                };
                std::thread::spawn(move || connection.serve(client, server));
            }
        });
        proxy
    }

    /// Makes matching traffic fail from now on.
    pub fn arm(&self) {
        self.armed.store(true, Ordering::SeqCst);
    }

    /// Forwards everything again.
    pub fn disarm(&self) {
        self.armed.store(false, Ordering::SeqCst);
    }

    /// How many times the fault was injected.
    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }

    /// How many matching requests (or markers) clients sent, armed or not.
    pub fn matched(&self) -> usize {
        self.matched.load(Ordering::SeqCst)
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accepting thread so that it sees `stop`.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

struct Connection {
    fault: Fault,
    armed: Arc<AtomicBool>,
    hits: Arc<AtomicUsize>,
    matched: Arc<AtomicUsize>,
}

fn cut(client: &TcpStream, server: &TcpStream) {
    let _ = client.shutdown(Shutdown::Both);
    let _ = server.shutdown(Shutdown::Both);
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len().max(1))
        .position(|window| window == needle)
}

/// Non-overlapping occurrences of `needle` in `haystack`.
fn count(haystack: &[u8], needle: &[u8]) -> usize {
    if needle.is_empty() {
        return 0;
    }
    let mut found = 0;
    let mut rest = haystack;
    while let Some(at) = find(rest, needle) {
        found += 1;
        rest = &rest[at + needle.len()..];
    }
    found
}

/// A whole HTTP/1.1 answer that closes the connection.
fn http_response(status: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

impl Connection {
    fn serve(self, mut client: TcpStream, server: TcpStream) {
        // Server to client: copied as is.
        let (mut from_server, mut to_client) = (
            server.try_clone().expect("clone"),
            client.try_clone().expect("clone"),
        );
        std::thread::spawn(move || {
            let _ = std::io::copy(&mut from_server, &mut to_client);
            let _ = to_client.shutdown(Shutdown::Write);
        });
        match self.fault.clone() {
            Fault::Http500 { request } => self.http(&mut client, server, &request, None),
            Fault::Throttle { request, times } => {
                self.http(&mut client, server, &request, Some(times))
            }
            Fault::Drop { marker } => self.raw(&mut client, server, &marker),
        }
    }

    fn raw(&self, client: &mut TcpStream, mut server: TcpStream, marker: &[u8]) {
        let mut tail: Vec<u8> = Vec::new();
        let mut buffer = [0u8; 16 * 1024];
        loop {
            let read = match client.read(&mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(read) => read,
            };
            tail.extend_from_slice(&buffer[..read]);
            let found = count(&tail, marker);
            self.matched.fetch_add(found, Ordering::SeqCst);
            if self.armed.load(Ordering::SeqCst) && found > 0 {
                self.hits.fetch_add(1, Ordering::SeqCst);
                cut(client, &server);
                return;
            }
            let keep = marker.len().saturating_sub(1);
            if tail.len() > keep {
                tail.drain(..tail.len() - keep);
            }
            if server.write_all(&buffer[..read]).is_err() {
                break;
            }
        }
        let _ = server.shutdown(Shutdown::Write);
    }

    /// Forwards HTTP/1.1 requests one by one (clients do not pipeline), each head whole and
    /// its body as it arrives; a matching request while armed is answered with 500, or with
    /// throttling for the first `throttle` of them.
    fn http(
        &self,
        client: &mut TcpStream,
        mut server: TcpStream,
        request: &str,
        throttle: Option<usize>,
    ) {
        let mut pending: Vec<u8> = Vec::new();
        let mut buffer = [0u8; 16 * 1024];
        loop {
            let head_end = loop {
                if let Some(end) = find(&pending, b"\r\n\r\n") {
                    break end + 4;
                }
                match client.read(&mut buffer) {
                    Ok(0) | Err(_) => {
                        let _ = server.shutdown(Shutdown::Write);
                        return;
                    }
                    Ok(read) => pending.extend_from_slice(&buffer[..read]),
                }
            };
            let head = String::from_utf8_lossy(&pending[..head_end]).into_owned();
            let line = head.lines().next().unwrap_or_default();
            let matches = line.strip_prefix(request).is_some_and(|rest| {
                request.ends_with('/') || rest.starts_with('?') || rest.starts_with(' ')
            });
            if matches {
                self.matched.fetch_add(1, Ordering::SeqCst);
            }
            let injected = matches
                && self.armed.load(Ordering::SeqCst)
                && throttle.is_none_or(|times| self.hits.load(Ordering::SeqCst) < times);
            if injected {
                self.hits.fetch_add(1, Ordering::SeqCst);
                let response = match throttle {
                    None => http_response(
                        "500 Internal Server Error",
                        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message></Error>",
                    ),
                    Some(_) => http_response(
                        "400 Bad Request",
                        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>plinth-fault-proxy</RequestID></Response>",
                    ),
                };
                let _ = client.write_all(response.as_bytes());
                cut(client, &server);
                return;
            }
            if head
                .to_ascii_lowercase()
                .contains("transfer-encoding: chunked")
            {
                // Framing this proxy does not follow: forward the rest of the connection as is.
                if server.write_all(&pending).is_ok() {
                    let _ = std::io::copy(client, &mut server);
                }
                let _ = server.shutdown(Shutdown::Write);
                return;
            }
            let length: usize = head
                .lines()
                .find_map(|header| {
                    let (name, value) = header.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse().ok())
                        .flatten()
                })
                .unwrap_or(0);
            let mut remaining = length;
            let available = (pending.len() - head_end).min(remaining);
            if server.write_all(&pending[..head_end + available]).is_err() {
                return;
            }
            remaining -= available;
            pending.drain(..head_end + available);
            while remaining > 0 {
                match client.read(&mut buffer) {
                    Ok(0) | Err(_) => return,
                    Ok(read) => {
                        let body = read.min(remaining);
                        if server.write_all(&buffer[..body]).is_err() {
                            return;
                        }
                        remaining -= body;
                        pending.extend_from_slice(&buffer[body..read]);
                    }
                }
            }
        }
    }
}
