//! A skipped `prepare.sh`: the image build of an example whose context lacks the file its
//! Dockerfile copies fails with a hint naming the preparation step, not Docker's bare
//! "COPY failed".

use crate::support::{docker_available, Workspace};

#[test]
fn skipped_prepare_sh_gave_a_bare_copy_failed() {
    if !docker_available() {
        return;
    }
    let ws = Workspace::with_main(&format!(
        "resource \"docker_image\" \"app\" {{\n  name = \"plinth-hardening-unprepared-{}:1.0\"\n  build {{\n    context = \"${{path.module}}/context\"\n  }}\n}}\n",
        std::process::id()
    ));
    ws.write(
        "context/Dockerfile",
        "FROM scratch\nCOPY busybox /bin/busybox\n",
    );
    ws.run(&["apply", "-auto-approve"])
        .expect_code(1)
        .expect_stderr("docker_image.app")
        .expect_stderr("prepare.sh");
    assert!(ws.state_list().is_empty());
}
