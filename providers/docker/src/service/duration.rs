//! Go durations ("1m30s", "500ms") to the Engine's nanoseconds and back, written the way
//! kreuzwerker writes them (Go's form without a trailing "0s" or "0m": "1m", "2h").

const UNITS: [(&str, f64); 8] = [
    ("ns", 1.0),
    ("us", 1e3),
    ("µs", 1e3),
    ("μs", 1e3),
    ("ms", 1e6),
    ("s", 1e9),
    ("m", 60e9),
    ("h", 3600e9),
];

/// Nanoseconds of a Go duration; None when it is not one.
pub fn parse(text: &str) -> Option<i64> {
    let (negative, mut rest) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if rest == "0" {
        return Some(0);
    }
    if rest.is_empty() {
        return None;
    }
    let mut total = 0f64;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number: f64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = UNITS.iter().find(|(u, _)| *u == &rest[..unit])?.1;
        total += number * scale;
        rest = &rest[unit..];
    }
    let nanos = total.round() as i64;
    Some(if negative { -nanos } else { nanos })
}

/// A fraction's digits without trailing zeros (".5" for 500 of 1000), or nothing.
fn fraction(value: i64, scale: i64) -> String {
    let digits = scale.to_string().len() - 1;
    let text = format!("{:0digits$}", value % scale);
    let text = text.trim_end_matches('0');
    if text.is_empty() {
        String::new()
    } else {
        format!(".{text}")
    }
}

/// The duration as kreuzwerker writes it.
pub fn format(nanos: i64) -> String {
    if nanos == 0 {
        return "0s".to_string();
    }
    let sign = if nanos < 0 { "-" } else { "" };
    let n = nanos.abs();
    let text = if n < 1_000 {
        format!("{n}ns")
    } else if n < 1_000_000 {
        format!("{}{}µs", n / 1_000, fraction(n, 1_000))
    } else if n < 1_000_000_000 {
        format!("{}{}ms", n / 1_000_000, fraction(n, 1_000_000))
    } else {
        let hours = n / 3_600_000_000_000;
        let minutes = (n / 60_000_000_000) % 60;
        let seconds = format!(
            "{}{}s",
            (n / 1_000_000_000) % 60,
            fraction(n, 1_000_000_000)
        );
        let go = if hours > 0 {
            format!("{hours}h{minutes}m{seconds}")
        } else if minutes > 0 {
            format!("{minutes}m{seconds}")
        } else {
            seconds
        };
        let go = go
            .strip_suffix("m0s")
            .map_or(go.clone(), |s| format!("{s}m"));
        go.strip_suffix("h0m")
            .map_or(go.clone(), |s| format!("{s}h"))
    };
    format!("{sign}{text}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations_parse_and_print_like_kreuzwerker() {
        assert_eq!(parse("10s"), Some(10_000_000_000));
        assert_eq!(parse("1m30s"), Some(90_000_000_000));
        assert_eq!(parse("1.5h"), Some(5_400_000_000_000));
        assert_eq!(parse("500ms"), Some(500_000_000));
        assert_eq!(parse("0"), Some(0));
        assert_eq!(parse("10"), None);
        assert_eq!(parse("ten seconds"), None);
        assert_eq!(format(0), "0s");
        assert_eq!(format(10_000_000_000), "10s");
        assert_eq!(format(90_000_000_000), "1m30s");
        assert_eq!(format(60_000_000_000), "1m");
        assert_eq!(format(3_600_000_000_000), "1h");
        assert_eq!(format(3_660_000_000_000), "1h1m");
        assert_eq!(format(500_000_000), "500ms");
        assert_eq!(format(1_500_000_000), "1.5s");
        assert_eq!(format(180_000_000_000), "3m");
    }
}
