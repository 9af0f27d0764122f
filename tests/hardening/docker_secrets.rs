//! Provider errors built from a sensitive value: the Docker Engine's "invalid container name"
//! and the Docker provider's "invalid duration" of a healthcheck quote what they were given;
//! plinth shows "(sensitive value)" instead.

use std::path::Path;
use std::process::Command;

use crate::secrets::SECRET;
use crate::support::{docker_available, Workspace};

fn docker_workspace(container: &str) -> Workspace {
    let p = format!("plinth-hardening-{}", std::process::id());
    let ws = Workspace::with_main(&format!(
        r#"
variable "name" {{
  type      = string
  sensitive = true
  default   = "bad name {SECRET}"
}}

variable "interval" {{
  type      = string
  sensitive = true
  default   = "{SECRET}"
}}

resource "docker_image" "app" {{
  name = "{p}-app:1.0"
  build {{
    context = "${{path.module}}/context"
  }}
}}
{container}
"#
    ));
    ws.write(
        "context/Dockerfile",
        "FROM scratch\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n",
    );
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/docker_images.sh");
    let status = Command::new(script)
        .arg("prepare")
        .arg(ws.file("context"))
        .status()
        .expect("run tests/support/docker_images.sh");
    assert!(status.success(), "preparing the build context failed");
    ws
}

#[test]
fn docker_errors_quoted_sensitive_container_names_and_durations() {
    if !docker_available() {
        return;
    }
    let containers = [
        r#"
resource "docker_container" "named" {
  name    = var.name
  image   = docker_image.app.image_id
  command = ["sleep", "3600"]
}
"#,
        r#"
resource "docker_container" "checked" {
  name    = "plinth-hardening-checked-${docker_image.app.id}"
  image   = docker_image.app.image_id
  command = ["sleep", "3600"]
  healthcheck {
    test     = ["CMD", "true"]
    interval = var.interval
  }
}
"#,
    ];
    for container in containers {
        let ws = docker_workspace(container);
        let outcome = ws.run(&["apply", "-auto-approve"]);
        outcome
            .expect_code(1)
            .expect_stderr("docker_container.")
            .expect_stderr("(sensitive value)")
            .expect_nowhere(SECRET);
        ws.run(&["destroy", "-auto-approve"])
            .expect_ok()
            .expect_nowhere(SECRET);
    }
}
