//! The Docker provider block's ways to an engine besides the local socket, against the real
//! Docker Engine: `tcp://` with TLS client certificates (a TLS terminator in front of the
//! engine's socket insisting on a client certificate its CA signed) from `cert_path`, from
//! PEM material and from `DOCKER_HOST` / `DOCKER_CERT_PATH` / `DOCKER_TLS_VERIFY`; `ssh://`
//! through a real OpenSSH server and `docker system dial-stdio`; `validate` checking the
//! provider block; quoted references accepted with a deprecation warning. Without Docker the
//! tests print why they skip, unless `PLINTH_REQUIRE_DOCKER=1`.

mod support;

use std::path::Path;
use std::process::Command;

use support::sshd::{self, Sshd};
use support::tls_proxy::TlsProxy;
use support::{docker, docker_available, Workspace};

/// Runs `openssl` with `args` in `dir`, insisting that it succeeds.
fn openssl(dir: &Path, args: &[&str]) {
    let output = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run openssl");
    assert!(
        output.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A certificate authority in `dir` (`ca.pem`, `ca-key.pem`).
fn authority(dir: &Path, name: &str) {
    std::fs::create_dir_all(dir).expect("create certificate directory");
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca-key.pem",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            &format!("/CN={name}"),
        ],
    );
}

/// A certificate `NAME.pem` with key `NAME-key.pem` in `dir`, signed by the authority there,
/// with the extensions `ext` (an extfile line).
fn signed(dir: &Path, name: &str, ext: &str) {
    let key = format!("{name}-key.pem");
    let csr = format!("{name}.csr");
    let cert = format!("{name}.pem");
    let extfile = format!("{name}.ext");
    std::fs::write(dir.join(&extfile), ext).expect("write extfile");
    openssl(
        dir,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            &key,
            "-out",
            &csr,
            "-subj",
            &format!("/CN={name}"),
        ],
    );
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca-key.pem",
            "-CAcreateserial",
            "-out",
            &cert,
            "-days",
            "2",
            "-extfile",
            &extfile,
        ],
    );
}

/// The engine's socket behind TLS on a loopback port, with a server certificate of the
/// authority in `dir`, accepting only clients with a certificate that authority signed. The
/// client files are laid out as the Docker CLI expects (`ca.pem`, `cert.pem`, `key.pem`) in
/// `dir/client`.
struct TlsEngine {
    proxy: TlsProxy,
}

impl TlsEngine {
    fn start(dir: &Path) -> TlsEngine {
        authority(dir, "plinth-test-ca");
        signed(
            dir,
            "server",
            "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
        );
        signed(dir, "client", "extendedKeyUsage=clientAuth\n");
        let client = dir.join("client");
        std::fs::create_dir_all(&client).expect("create client directory");
        for (from, to) in [
            ("ca.pem", "ca.pem"),
            ("client.pem", "cert.pem"),
            ("client-key.pem", "key.pem"),
        ] {
            std::fs::copy(dir.join(from), client.join(to)).expect("copy client file");
        }
        let proxy = TlsProxy::start(
            Path::new("/var/run/docker.sock"),
            &dir.join("server.pem"),
            &dir.join("server-key.pem"),
            &dir.join("ca.pem"),
        );
        TlsEngine { proxy }
    }

    fn host(&self) -> String {
        format!("tcp://127.0.0.1:{}", self.proxy.port)
    }
}

/// A network named `name`, reached through the provider block `provider`.
fn network_config(provider: &str, name: &str) -> String {
    format!("{provider}\nresource \"docker_network\" \"remote\" {{\n  name = \"{name}\"\n}}\n")
}

/// Reads the logs of a container that does not exist through the provider block `provider`:
/// a direct Engine API request (reqwest, not bollard) whose answer is the engine's own 404.
fn direct_request_reaches_the_engine(provider: &str) {
    let missing = format!("plinth-no-such-container-{}", std::process::id());
    let ws = Workspace::with_main(&format!(
        "{provider}\ndata \"docker_logs\" \"probe\" {{\n  name = \"{missing}\"\n}}\n"
    ));
    ws.run(&["plan"])
        .expect_code(1)
        .expect_stderr(&format!(
            "reading the logs of container \"{missing}\" failed"
        ))
        .expect_stderr("No such container");
}

/// Applies, checks the network exists on the engine, plans a no-op, destroys, checks it is gone.
fn round_trip(ws: &Workspace, name: &str, env: &[(&str, &str)]) {
    ws.run_with_env(&["apply", "-auto-approve"], env)
        .expect_ok();
    let id = docker(&["network", "inspect", "--format", "{{.Id}}", name]);
    assert_eq!(
        ws.state().instance("docker_network.remote").string("id"),
        Some(id.trim()),
        "the state records the network the engine has"
    );
    ws.run_with_env(&["plan", "-detailed-exitcode"], env)
        .expect_code(0);
    ws.run_with_env(&["destroy", "-auto-approve"], env)
        .expect_ok();
    let left = docker(&["network", "ls", "-q", "--filter", &format!("name=^{name}$")]);
    assert_eq!(left.trim(), "", "network {name} left after destroy");
}

#[test]
fn tls_hosts_were_refused() {
    if !docker_available() {
        return;
    }
    let certs = tempfile::tempdir().expect("temporary directory");
    let engine = TlsEngine::start(certs.path());
    let client = certs.path().join("client");
    let name = format!("plinth-tls-{}", std::process::id());

    let by_path = format!(
        "provider \"docker\" {{\n  host      = \"{}\"\n  cert_path = \"{}\"\n}}\n",
        engine.host(),
        client.display()
    );
    let ws = Workspace::with_main(&network_config(&by_path, &name));
    round_trip(&ws, &name, &[]);
    direct_request_reaches_the_engine(&by_path);

    let key = std::fs::read_to_string(client.join("key.pem")).expect("client key");
    let by_material = format!(
        "provider \"docker\" {{\n  host          = \"{}\"\n  ca_material   = file(\"{c}/ca.pem\")\n  cert_material = file(\"{c}/cert.pem\")\n  key_material  = file(\"{c}/key.pem\")\n}}\n",
        engine.host(),
        c = client.display()
    );
    let ws = Workspace::with_main(&network_config(&by_material, &name));
    round_trip(&ws, &name, &[]);

    let ws = Workspace::with_main(&network_config("", &name));
    let client_dir = client.to_string_lossy().to_string();
    let host = engine.host();
    round_trip(
        &ws,
        &name,
        &[
            ("DOCKER_HOST", host.as_str()),
            ("DOCKER_CERT_PATH", client_dir.as_str()),
            ("DOCKER_TLS_VERIFY", "1"),
        ],
    );

    // A client certificate of another authority is refused by the engine's side; the error
    // names the host and never shows the key.
    let other = certs.path().join("other");
    authority(&other, "plinth-other-ca");
    signed(&other, "client", "extendedKeyUsage=clientAuth\n");
    let wrong = format!(
        "provider \"docker\" {{\n  host          = \"{}\"\n  ca_material   = file(\"{c}/ca.pem\")\n  cert_material = file(\"{o}/client.pem\")\n  key_material  = file(\"{o}/client-key.pem\")\n}}\n",
        engine.host(),
        c = client.display(),
        o = other.display()
    );
    let ws = Workspace::with_main(&network_config(&wrong, &name));
    let other_key = std::fs::read_to_string(other.join("client-key.pem")).expect("other key");
    let key_line = |pem: &str| {
        pem.lines()
            .nth(1)
            .expect("a line of base64 in the key")
            .to_string()
    };
    ws.run(&["apply", "-auto-approve"])
        .expect_code(1)
        .expect_stderr(&format!("Docker Engine unreachable at {}", engine.host()))
        .expect_nowhere(&key_line(&other_key))
        .expect_nowhere(&key_line(&key));
    assert!(ws.state_list().is_empty());

    // TLS material for a unix socket is a configuration mistake, said so.
    let unix = format!(
        "provider \"docker\" {{\n  host      = \"unix:///var/run/docker.sock\"\n  cert_path = \"{}\"\n}}\n",
        client.display()
    );
    let ws = Workspace::with_main(&network_config(&unix, &name));
    ws.run(&["apply", "-auto-approve"])
        .expect_code(1)
        .expect_stderr("is not a tcp:// address");
}

#[test]
fn ssh_hosts_were_refused() {
    if !docker_available() || !sshd::available() {
        return;
    }
    let keys = tempfile::tempdir().expect("temporary directory");
    let key = keys.path().join("id_client");
    sshd::generate_key(&key);
    let public = std::fs::read_to_string(key.with_extension("pub")).expect("public key");
    let server = Sshd::start(&[public.trim().to_string()]);
    let name = format!("plinth-ssh-{}", std::process::id());
    let provider = |key: &Path| {
        format!(
            "provider \"docker\" {{\n  host     = \"ssh://{}@127.0.0.1:{}\"\n  ssh_opts = [\"-i\", \"{}\", \"-o\", \"StrictHostKeyChecking=no\", \"-o\", \"UserKnownHostsFile=/dev/null\", \"-o\", \"IdentitiesOnly=yes\", \"-o\", \"BatchMode=yes\"]\n}}\n",
            sshd::user(),
            server.port,
            key.display()
        )
    };
    let ws = Workspace::with_main(&network_config(&provider(&key), &name));
    round_trip(&ws, &name, &[]);
    direct_request_reaches_the_engine(&provider(&key));
    assert!(
        server.log().contains("Accepted publickey"),
        "the engine was reached through sshd: {}",
        server.log()
    );

    // A key the server does not know: the error names the host and carries ssh's own words.
    let stranger = keys.path().join("id_stranger");
    sshd::generate_key(&stranger);
    let ws = Workspace::with_main(&network_config(&provider(&stranger), &name));
    ws.run(&["apply", "-auto-approve"])
        .expect_code(1)
        .expect_stderr(&format!(
            "Docker Engine unreachable at ssh://{}@127.0.0.1:{}",
            sshd::user(),
            server.port
        ))
        .expect_stderr("Permission denied");
    assert!(ws.state_list().is_empty());
}

#[test]
fn validate_ignored_the_provider_block() {
    let ws = Workspace::with_main(
        "provider \"docker\" {\n  hots = \"unix:///var/run/docker.sock\"\n  registry_auth {\n    username = \"u\"\n  }\n}\n\nresource \"docker_network\" \"n\" {\n  name = \"n\"\n}\n",
    );
    let outcome = ws.run(&["validate"]);
    outcome
        .expect_code(1)
        .expect_stderr("Unsupported argument")
        .expect_stderr("Did you mean \"host\"?")
        .expect_stderr("Missing required argument")
        .expect_stderr("\"address\" is required")
        .expect_stderr("main.tf");
}

#[test]
fn quoted_references_were_refused() {
    if !docker_available() {
        return;
    }
    let name = format!("plinth-quoted-{}", std::process::id());
    let ws = Workspace::with_main(&format!(
        "resource \"docker_network\" \"first\" {{\n  name = \"{name}-1\"\n}}\n\nresource \"docker_network\" \"second\" {{\n  name       = \"{name}-2\"\n  provider   = \"docker\"\n  depends_on = [\"docker_network.first\"]\n}}\n"
    ));
    ws.run(&["validate"])
        .expect_ok()
        .expect_stderr("Quoted references are deprecated");
    ws.run(&["apply", "-auto-approve"])
        .expect_ok()
        .expect_stderr("Quoted references are deprecated");
    assert_eq!(ws.state_list().len(), 2);
    // The quoted dependency orders the destroy: the dependent goes first.
    let destroy = ws.run(&["destroy", "-auto-approve"]);
    destroy.expect_ok();
    let out = destroy.all();
    let second = out.find("docker_network.second: Destroying");
    let first = out.find("docker_network.first: Destroying");
    assert!(
        matches!((second, first), (Some(s), Some(f)) if s < f),
        "destroy order:\n{out}"
    );
}
