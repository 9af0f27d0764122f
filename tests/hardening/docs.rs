//! Documentation a user looks for, kept true by tests: every example's README names the
//! secret variables it requires (sensitive, no default) and the variables of the ports it
//! publishes.

use std::path::Path;

/// (name, body) of every `variable` block in `text`.
fn variables(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for block in text.split("\nvariable \"").skip(1) {
        let Some((name, rest)) = block.split_once('"') else {
            continue;
        };
        let body = rest.split("\n}").next().unwrap_or_default();
        out.push((name.to_string(), body.to_string()));
    }
    out
}

#[test]
fn example_readmes_did_not_state_required_secrets_and_published_ports() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    for entry in std::fs::read_dir(&examples).expect("list examples") {
        let dir = entry.expect("entry").path();
        if !dir.is_dir() {
            continue;
        }
        let readme = std::fs::read_to_string(dir.join("README.md"))
            .unwrap_or_else(|_| panic!("{} has no README.md", dir.display()));
        assert!(readme.contains("## Published ports"), "{}", dir.display());
        assert!(
            readme.contains("ecret"),
            "{}: secrets section",
            dir.display()
        );
        let mut config = String::new();
        for file in std::fs::read_dir(&dir).expect("list example") {
            let path = file.expect("entry").path();
            if path.extension().is_some_and(|e| e == "tf") {
                config.push('\n');
                config.push_str(&std::fs::read_to_string(&path).expect("read"));
            }
        }
        for (name, body) in variables(&config) {
            let sensitive = body.contains("sensitive") && body.contains("true");
            if sensitive && !body.contains("default") {
                assert!(
                    readme.contains(&format!("`{name}`")),
                    "{}/README.md does not name the required secret variable {name}",
                    dir.display()
                );
            }
            if config.contains(&format!("external = var.{name}")) {
                assert!(
                    readme.contains(&format!("`{name}`")),
                    "{}/README.md does not name the published port variable {name}",
                    dir.display()
                );
            }
        }
    }
}
