//! `plinth version [-json]` and `plinth help [COMMAND]`: what Terraform users type first.

use clap::CommandFactory;

use crate::cli::args::Cli;
use crate::cli::required::TERRAFORM_COMPATIBILITY;
use crate::cli::{setup, Outcome};

/// The platform in Terraform's spelling: `linux_amd64`, `darwin_arm64`.
fn platform() -> String {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        other => other,
    };
    format!("{}_{arch}", std::env::consts::OS)
}

/// `plinth version`: plinth's version, the platform and the built-in providers.
pub fn version(json: bool) -> Outcome {
    let version = env!("CARGO_PKG_VERSION");
    let providers: Vec<String> = setup::factories()
        .iter()
        .map(|factory| factory.name().to_string())
        .collect();
    if json {
        let selections: serde_json::Map<String, serde_json::Value> = providers
            .iter()
            .map(|name| (name.clone(), serde_json::Value::from(version)))
            .collect();
        let document = serde_json::json!({
            "plinth_version": version,
            "terraform_version": TERRAFORM_COMPATIBILITY,
            "platform": platform(),
            "provider_selections": selections,
        });
        crate::outln!(
            "{}",
            serde_json::to_string_pretty(&document).unwrap_or_default()
        );
    } else {
        crate::outln!(
            "plinth v{version}\non {}\nimplements the language of Terraform v{TERRAFORM_COMPATIBILITY}",
            platform()
        );
        for name in providers {
            crate::outln!("+ provider {name} v{version} (built in)");
        }
    }
    Ok(0)
}

/// `plinth help [COMMAND]`: the help of plinth or of one command, flags spelled with one dash.
pub fn help(command: &[String]) -> Outcome {
    let mut cli = Cli::command();
    let mut current = &mut cli;
    for name in command {
        match current.find_subcommand_mut(name) {
            Some(sub) => current = sub,
            None => {
                crate::errln!("Error: there is no command \"{name}\"; `plinth help` lists them.");
                return Ok(1);
            }
        }
    }
    crate::out!("{}", single_dash(&current.render_long_help().to_string()));
    Ok(0)
}

/// Help text with long flags as the README writes them: `-auto-approve`, not `--auto-approve`.
pub fn single_dash(help: &str) -> String {
    let mut out = String::with_capacity(help.len());
    let mut rest = help;
    while let Some(at) = rest.find("--") {
        let (before, after) = rest.split_at(at);
        out.push_str(before);
        let starts_flag = before
            .chars()
            .next_back()
            .is_none_or(|c| c.is_whitespace() || c == '[' || c == ',' || c == '(')
            && after[2..].starts_with(|c: char| c.is_ascii_alphabetic());
        if starts_flag {
            out.push('-');
            rest = &after[2..];
        } else {
            out.push_str("--");
            rest = &after[2..];
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_flags_are_written_with_one_dash() {
        assert_eq!(
            single_dash("  --auto-approve  Do not ask\n  -h, --help  Print help [--x]\n  a -- b"),
            "  -auto-approve  Do not ask\n  -h, -help  Print help [-x]\n  a -- b"
        );
    }
}
