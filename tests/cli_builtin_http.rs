//! The built-in `http` provider end to end against a loopback HTTP server this test starts:
//! method, headers and body sent; status code, headers (repeated ones joined) and body
//! returned; 404 is a result, not an error; 503s retried per the `retry` block; a server that
//! keeps failing is an error once the attempts run out, saying how many were made.

mod support;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use support::Workspace;

/// How many requests each path received.
type Counts = Arc<Mutex<BTreeMap<String, usize>>>;

/// One request: method, path, headers (lowercase names) and body.
struct Request {
    method: String,
    path: String,
    headers: BTreeMap<String, String>,
    body: String,
}

fn read_request(stream: &mut TcpStream) -> Option<Request> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let path = parts.next()?.to_string();
    let mut headers = BTreeMap::new();
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            headers.insert(name.trim().to_lowercase(), value.trim().to_string());
        }
    }
    let length = headers
        .get("content-length")
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Request {
        method,
        path,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

/// The response to a request (`seen`: how many this path had, this one included).
fn respond(request: &Request, seen: usize) -> (u16, Vec<(&'static str, String)>, String) {
    let text = vec![("Content-Type", "text/plain; charset=utf-8".to_string())];
    match request.path.as_str() {
        "/hello" => {
            let mut headers = text;
            headers.push(("X-Plinth", "first".into()));
            headers.push(("X-Plinth", "second".into()));
            let name = request.headers.get("x-name").cloned().unwrap_or_default();
            (
                200,
                headers,
                format!("hello {name} {} {}", request.method, request.body),
            )
        }
        "/flaky" if seen <= 2 => (503, text, "not yet".into()),
        "/flaky" => (200, text, "recovered".into()),
        "/down" => (500, text, "down".into()),
        _ => (404, text, "nope".into()),
    }
}

/// Serves on a loopback port until the test ends; returns the port and the request counts.
fn serve() -> (u16, Counts) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let port = listener.local_addr().expect("address").port();
    let counts: Counts = Arc::default();
    let seen = counts.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let Some(request) = read_request(&mut stream) else {
                continue;
            };
            let count = {
                let mut counts = seen.lock().expect("counts");
                let count = counts.entry(request.path.clone()).or_default();
                *count += 1;
                *count
            };
            let (status, headers, body) = respond(&request, count);
            let mut response = format!("HTTP/1.1 {status} Status\r\n");
            for (name, value) in headers {
                response.push_str(&format!("{name}: {value}\r\n"));
            }
            response.push_str(&format!(
                "Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            ));
            let _ = stream.write_all(response.as_bytes());
        }
    });
    (port, counts)
}

fn count(counts: &Counts, path: &str) -> usize {
    counts
        .lock()
        .expect("counts")
        .get(path)
        .copied()
        .unwrap_or(0)
}

fn workspace(port: u16, config: &str) -> Workspace {
    let mut ws = Workspace::with_main(&config.replace("PORT", &port.to_string()));
    ws.set_env("NO_PROXY", "127.0.0.1");
    ws
}

const REQUESTS: &str = r#"
variable "name" {
  type    = string
  default = "plinth"
}

data "http" "hello" {
  url    = "http://127.0.0.1:PORT/hello"
  method = "POST"
  request_headers = {
    X-Name       = var.name
    Content-Type = "text/plain"
  }
  request_body = "ping"
}

data "http" "flaky" {
  url = "http://127.0.0.1:PORT/flaky"
  retry {
    attempts     = 3
    min_delay_ms = 10
    max_delay_ms = 50
  }
}

data "http" "missing" {
  url = "http://127.0.0.1:PORT/missing"
}

resource "null_resource" "greeting" {
  triggers = {
    body = data.http.hello.response_body
  }
}

output "missing_status" {
  value = data.http.missing.status_code
}
"#;

#[test]
fn requests_are_sent_retried_and_their_responses_recorded() {
    let (port, counts) = serve();
    let ws = workspace(port, REQUESTS);
    ws.apply();
    let state = ws.state();
    let hello = state.instance("data.http.hello");
    assert_eq!(
        hello.string("response_body"),
        Some("hello plinth POST ping")
    );
    assert_eq!(hello.string("body"), Some("hello plinth POST ping"));
    assert_eq!(hello.attr("status_code"), Some(&serde_json::json!(200)));
    let headers = hello.attr("response_headers").expect("response_headers");
    assert_eq!(headers["X-Plinth"], serde_json::json!("first, second"));
    assert_eq!(
        headers["Content-Type"],
        serde_json::json!("text/plain; charset=utf-8")
    );
    assert_eq!(
        hello.string("id"),
        Some(format!("http://127.0.0.1:{port}/hello").as_str())
    );

    let flaky = state.instance("data.http.flaky");
    assert_eq!(flaky.string("response_body"), Some("recovered"));
    assert!(
        count(&counts, "/flaky") >= 3,
        "the first two requests got 503s"
    );

    assert_eq!(
        state.output("missing_status"),
        Some(&serde_json::json!(404)),
        "a 404 is a result"
    );

    ws.plan(&[]).expect_code(0);
    ws.plan(&["-var", "name=other"])
        .expect_code(2)
        .expect_stdout("# null_resource.greeting must be replaced");
    ws.run(&["destroy", "-auto-approve"]).expect_ok();
}

#[test]
fn a_failing_server_is_an_error_after_the_retries() {
    let (port, counts) = serve();
    let ws = workspace(
        port,
        r#"
data "http" "down" {
  url = "http://127.0.0.1:PORT/down"
  retry {
    attempts     = 1
    min_delay_ms = 10
  }
}
"#,
    );
    ws.plan(&[])
        .expect_code(1)
        .expect_stderr("Error making request")
        .expect_stderr("500")
        .expect_stderr("giving up after 2 attempt(s)")
        .expect_stderr("data.http.down");
    assert_eq!(count(&counts, "/down"), 2);
}
