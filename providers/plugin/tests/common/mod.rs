//! Helpers for the plugin tests: the Python interpreters of the test providers' frameworks
//! (installed by `scripts/test.sh`), and laying a provider out in a filesystem mirror.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use plinth_plugin::{LaunchOptions, Timeouts};

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The Python interpreter of a framework's venv (`tf` or `pyvider`), or None with a printed
/// reason. In CI a missing venv is a failure.
pub fn python(framework: &str) -> Option<PathBuf> {
    let var = format!("PLINTH_{}_PYTHON", framework.to_uppercase());
    let path = std::env::var_os(&var)
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join(format!(".venv-{framework}/bin/python")));
    if path.exists() {
        return Some(path);
    }
    let reason = format!(
        "{} not found (set {var} or run scripts/test.sh, which installs the {framework} framework)",
        path.display()
    );
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{reason}");
    }
    eprintln!("skipping: {reason}");
    None
}

/// The test provider script `tests/plugins/NAME`.
pub fn plugin_script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/plugins")
        .join(name)
}

/// Lays out an unpacked provider package in a filesystem mirror:
/// `MIRROR/HOST/NAMESPACE/TYPE/VERSION/linux_amd64/terraform-provider-TYPE_vVERSION`, an
/// executable that runs `python` with `args`. Returns the executable.
pub fn install(
    mirror: &Path,
    source: &str,
    version: &str,
    python: &Path,
    args: &[String],
) -> PathBuf {
    let parts: Vec<&str> = source.split('/').collect();
    let provider_type = parts[2];
    let dir =
        mirror
            .join(source)
            .join(version)
            .join(format!("{}_{}", std::env::consts::OS, arch()));
    std::fs::create_dir_all(&dir).unwrap();
    let exe = dir.join(format!("terraform-provider-{provider_type}_v{version}"));
    let quoted: Vec<String> = args.iter().map(|a| format!("'{a}'")).collect();
    let text = format!(
        "#!/bin/sh\nexec '{}' {} \"$@\"\n",
        python.display(),
        quoted.join(" ")
    );
    std::fs::write(&exe, text).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
    exe
}

/// Terraform's name of this machine's architecture.
pub fn arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    }
}

/// Launch options with test-sized timeouts.
pub fn launch(name: &str, exe: &Path) -> LaunchOptions {
    let mut options = LaunchOptions::new(name, exe);
    options.timeouts = Timeouts {
        handshake: Duration::from_secs(30),
        metadata: Duration::from_secs(20),
        read_plan: Duration::from_secs(20),
        apply: Duration::from_secs(20),
        stop: Duration::from_secs(5),
    };
    options
}

/// A mirror in a temp dir holding one Python provider, a CLI configuration file naming it, and
/// the package discovery finds there.
pub struct MirroredProvider {
    /// Keeps the mirror alive.
    pub mirror: tempfile::TempDir,
    /// The working directory (holds the CLI configuration and lock file).
    pub work: tempfile::TempDir,
    /// What discovery found.
    pub package: plinth_plugin::discovery::Package,
}

/// Installs a provider run as `python ARGS...` under `source` 1.0.0 in a fresh mirror and finds
/// it through a CLI configuration file, as a user's setup would.
pub fn mirrored(framework: &str, args: &[String], source: &str) -> Option<MirroredProvider> {
    use plinth_plugin::discovery::{CliConfig, Constraints, Discovery, ProviderAddress};
    let python = python(framework)?;
    let mirror = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    install(mirror.path(), source, "1.0.0", &python, args);
    let cli = work.path().join("plinth.tfrc");
    std::fs::write(
        &cli,
        format!(
            "provider_installation {{\n  filesystem_mirror {{\n    path    = \"{}\"\n    include = [\"example.com/*/*\"]\n  }}\n}}\n",
            mirror.path().display()
        ),
    )
    .unwrap();
    let config = CliConfig::read(&cli).unwrap();
    let address = ProviderAddress::parse(source).unwrap();
    let package = Discovery::new(config, work.path())
        .find(&address, &Constraints::parse("~> 1.0").unwrap(), None)
        .unwrap();
    Some(MirroredProvider {
        mirror,
        work,
        package,
    })
}
