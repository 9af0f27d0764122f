//! The `docker_logs` data source: a container's output as a list of lines.
//!
//! As the Docker CLI does, `since` and `until` take a UNIX timestamp, an RFC 3339 time or a
//! duration before now (`10m`, `1h30m`). With `discard_headers` (the default) the engine's
//! stream headers are taken off and stdout and stderr are joined in order; without, each line
//! is what the engine sent, headers included, as kreuzwerker/docker v3 gives it.

use plinth_sdk::{AttrPath, Diagnostic, Diagnostics, Value};

use crate::attrs;
use crate::client::Engine;
use crate::engine_api::{self, encode};

/// Reads the logs of the container `name`.
pub async fn read_data(engine: &Engine, config: Value) -> Result<Value, Diagnostics> {
    let name = attrs::required(&config, "name")?.to_string();
    let flag = |attr: &str, default: bool| attrs::boolean(&config, attr, default);
    let mut query = vec![
        format!("stdout={}", flag("show_stdout", true)),
        format!("stderr={}", flag("show_stderr", true)),
        format!("timestamps={}", flag("timestamps", false)),
        format!("follow={}", flag("follow", false)),
        format!("details={}", flag("details", false)),
    ];
    for attr in ["since", "until"] {
        if let Some(text) = attrs::non_empty(&config, attr) {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs_f64())
                .unwrap_or_default();
            let seconds = timestamp(text, now).ok_or_else(|| {
                Diagnostic::error(format!("{attr} = \"{text}\" is not a time"))
                    .with_detail("Give a UNIX timestamp, an RFC 3339 time (2024-05-01T10:00:00Z) or a duration before now (10m, 1h30m).")
                    .with_attribute(AttrPath::attr(attr))
            })?;
            query.push(format!("{attr}={seconds}"));
        }
    }
    if let Some(tail) = attrs::non_empty(&config, "tail") {
        query.push(format!("tail={}", encode(tail)));
    }
    let path = format!("/containers/{}/logs?{}", encode(&name), query.join("&"));
    let (status, body) = engine_api::get(engine, &path).await?;
    if !status.is_success() {
        return Err(
            Diagnostic::error(format!("reading the logs of container \"{name}\" failed"))
                .with_detail(format!("Docker: {}", engine_api::message(&body)))
                .into(),
        );
    }
    let lines = if attrs::boolean(&config, "logs_list_string_enabled", true) {
        let text = if flag("discard_headers", true) {
            demultiplex(&body)
        } else {
            body.to_vec()
        };
        Value::List(lines(&text).into_iter().map(Value::string).collect())
    } else {
        Value::Null
    };
    Ok(attrs::with(
        config,
        [("id", Value::string(&name)), ("logs_list_string", lines)],
    ))
}

/// The payloads of the engine's multiplexed stream (8-byte frame headers: stream, 0, 0, 0 and a
/// big-endian length), in order; output of a container with a TTY has no frames and is kept.
fn demultiplex(body: &[u8]) -> Vec<u8> {
    let framed = |rest: &[u8]| rest.len() >= 8 && rest[0] <= 2 && rest[1..4] == [0, 0, 0];
    if !framed(body) {
        return body.to_vec();
    }
    let mut out = Vec::with_capacity(body.len());
    let mut rest = body;
    while framed(rest) {
        let size = u32::from_be_bytes([rest[4], rest[5], rest[6], rest[7]]) as usize;
        let end = (8 + size).min(rest.len());
        out.extend_from_slice(&rest[8..end]);
        rest = &rest[end..];
    }
    out.extend_from_slice(rest);
    out
}

/// Lines as a line scanner reads them: split at `\n`, a `\r` before it dropped, no empty
/// entry after a final newline.
fn lines(text: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(text);
    let mut lines: Vec<String> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l).to_string())
        .collect();
    if lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    lines
}

/// Seconds since the epoch for a UNIX timestamp, an RFC 3339 time, or a duration before `now`.
fn timestamp(text: &str, now: f64) -> Option<String> {
    let text = text.trim();
    if text.parse::<f64>().is_ok_and(f64::is_finite) {
        return Some(text.to_string());
    }
    if let Some(seconds) = duration(text) {
        return Some(format!("{:.0}", (now - seconds).max(0.0)));
    }
    rfc3339(text).map(|s| s.to_string())
}

/// A Go-style duration (`90s`, `10m`, `1h30m`, `250ms`) in seconds.
fn duration(text: &str) -> Option<f64> {
    let mut total = 0.0;
    let mut rest = text;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let number_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number: f64 = rest[..number_end].parse().ok()?;
        rest = &rest[number_end..];
        let unit_end = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let factor = match &rest[..unit_end] {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 1e-3,
            "us" | "µs" => 1e-6,
            "ns" => 1e-9,
            _ => return None,
        };
        total += number * factor;
        rest = &rest[unit_end..];
    }
    Some(total)
}

/// `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)` in whole seconds since the epoch.
fn rfc3339(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    if bytes.len() < 20
        || bytes[4] != b'-'
        || bytes[7] != b'-'
        || !matches!(bytes[10], b'T' | b't' | b' ')
    {
        return None;
    }
    let num = |range: std::ops::Range<usize>| text.get(range)?.parse::<i64>().ok();
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let mut zone = &text[19..];
    if let Some(fraction) = zone.strip_prefix('.') {
        let digits = fraction
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(fraction.len());
        zone = &fraction[digits..];
    }
    let offset = match zone {
        "Z" | "z" => 0,
        _ => {
            let sign = match zone.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let (h, m) = zone[1..].split_once(':')?;
            sign * (h.parse::<i64>().ok()? * 3600 + m.parse::<i64>().ok()? * 60)
        }
    };
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hour * 3600 + minute * 60 + second - offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_joined_and_split_into_lines() {
        let mut body = vec![1, 0, 0, 0, 0, 0, 0, 6];
        body.extend_from_slice(b"alpha\n");
        body.extend_from_slice(&[2, 0, 0, 0, 0, 0, 0, 10]);
        body.extend_from_slice(b"beta\ngamma");
        body.extend_from_slice(&[1, 0, 0, 0, 0, 0, 0, 1]);
        body.extend_from_slice(b"\n");
        assert_eq!(lines(&demultiplex(&body)), ["alpha", "beta", "gamma"]);
        // A TTY container's output has no frames.
        assert_eq!(lines(&demultiplex(b"one\r\ntwo\r\n")), ["one", "two"]);
    }

    #[test]
    fn times_are_read_like_the_docker_cli() {
        assert_eq!(timestamp("1700000000", 0.0).as_deref(), Some("1700000000"));
        assert_eq!(timestamp("10m", 1000.0).as_deref(), Some("400"));
        assert_eq!(timestamp("1h30m", 10_000.0).as_deref(), Some("4600"));
        assert_eq!(
            timestamp("2023-11-14T22:13:20Z", 0.0).as_deref(),
            Some("1700000000")
        );
        assert_eq!(
            timestamp("2023-11-15T00:13:20.5+02:00", 0.0).as_deref(),
            Some("1700000000")
        );
        assert_eq!(timestamp("yesterday", 0.0), None);
    }
}
