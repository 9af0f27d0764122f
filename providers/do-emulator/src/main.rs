//! `plinth-do-emulator`: runs the DigitalOcean API v2 emulator until interrupted. Flags set the
//! knobs at start; `PATCH /_emulator/knobs` changes them while it runs (see the README).

use std::io::Write;
use std::net::SocketAddr;

use anyhow::{bail, Context, Result};
use clap::Parser;
use plinth_do_emulator::{Config, Emulator, FailRule, Knobs, Throttle};

/// A stateful DigitalOcean API v2 emulator for trying configurations offline.
#[derive(Parser, Debug)]
#[command(name = "plinth-do-emulator", version)]
struct Args {
    /// Address to listen on (port 0 picks a free port; the chosen address is printed).
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// A bearer token to accept (repeatable). Without any, every non-empty token is accepted.
    #[arg(
        long = "token",
        env = "PLINTH_DO_EMULATOR_TOKENS",
        value_delimiter = ','
    )]
    tokens: Vec<String>,
    /// How long asynchronous work takes, in milliseconds.
    #[arg(long, default_value_t = 1000)]
    action_delay_ms: u64,
    /// Delay added to every API response, in milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Share of API requests answered with a random 500 (0.0 to 1.0).
    #[arg(long, default_value_t = 0.0)]
    fail_rate: f64,
    /// Refuse every N-th request with 429 for --throttle-ms after start.
    #[arg(long, requires = "throttle_ms")]
    throttle_every: Option<u32>,
    /// How long the 429 burst of --throttle-every lasts, in milliseconds.
    #[arg(long, requires = "throttle_every")]
    throttle_ms: Option<u64>,
    /// Fail matching requests: "[METHOD] PATH-REGEX [STATUS]", e.g. "POST /v2/droplets 500"
    /// (repeatable).
    #[arg(long = "fail")]
    fail: Vec<String>,
    /// Kinds of asynchronous work that never complete, e.g. create, resize, database_create, *
    /// (repeatable).
    #[arg(long)]
    stall: Vec<String>,
    /// Keep every exchange for GET /_emulator/exchanges.
    #[arg(long)]
    record: bool,
    /// Seed of generated passwords and random failures.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

/// Parses `--fail "[METHOD] PATH [STATUS]"`.
fn fail_rule(text: &str) -> Result<FailRule> {
    let parts: Vec<&str> = text.split_whitespace().collect();
    let is_status = |s: &str| s.len() == 3 && s.parse::<u16>().is_ok();
    let (method, path, status) = match parts.as_slice() {
        [path] => (None, *path, None),
        [a, b] if is_status(b) => (None, *a, Some(*b)),
        [method, path] => (Some(*method), *path, None),
        [method, path, status] => (Some(*method), *path, Some(*status)),
        _ => bail!("--fail {text:?}: expected \"[METHOD] PATH-REGEX [STATUS]\""),
    };
    Ok(FailRule {
        method: method.map(str::to_ascii_uppercase),
        path: path.to_string(),
        status: match status {
            Some(s) => s
                .parse()
                .with_context(|| format!("--fail {text:?}: bad status"))?,
            None => 500,
        },
        times: None,
    })
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let knobs = Knobs {
        action_delay_ms: args.action_delay_ms,
        latency_ms: args.latency_ms,
        fail_rate: args.fail_rate,
        stall: args.stall,
        record: args.record,
        throttle: args
            .throttle_every
            .zip(args.throttle_ms)
            .map(|(every, duration_ms)| Throttle { every, duration_ms }),
        fail: args
            .fail
            .iter()
            .map(|f| fail_rule(f))
            .collect::<Result<_>>()?,
    };
    let emulator = Emulator::start(Config {
        listen: args.listen,
        tokens: args.tokens.into_iter().filter(|t| !t.is_empty()).collect(),
        seed: args.seed,
        knobs,
    })
    .await?;
    println!("plinth-do-emulator listening on {}", emulator.url());
    std::io::stdout().flush()?;
    shutdown_signal().await;
    emulator.shutdown().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::fail_rule;

    #[test]
    fn fail_flags_take_an_optional_method_and_status() {
        let rule = fail_rule("post /v2/droplets 503").unwrap();
        assert_eq!(rule.method.as_deref(), Some("POST"));
        assert_eq!((rule.path.as_str(), rule.status), ("/v2/droplets", 503));
        let rule = fail_rule("/v2/droplets/.*").unwrap();
        assert_eq!((rule.method, rule.status), (None, 500));
        let rule = fail_rule("/v2/sizes 429").unwrap();
        assert_eq!((rule.method, rule.status), (None, 429));
        assert!(fail_rule("a b c d").is_err());
    }
}
