//! A skipped `prepare.sh`: the image build of an example whose context lacks the file its
//! Dockerfile copies fails with a hint naming the preparation step, not Docker's bare
//! "COPY failed"; a failed build leaves none of its images or containers behind.

use crate::support::{docker, docker_available, Workspace};

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

/// Before the fix a build failing at its third step left the image its second step committed
/// (untagged, so `dangling=true`) and the container of the failed step behind, a pair per
/// attempt. Every step carries a label unique to this test, so only its own leftovers count.
#[test]
fn failed_image_build_left_dangling_images() {
    if !docker_available() {
        return;
    }
    let label = format!("plinth-test=polish-dangling-{}", std::process::id());
    let ws = Workspace::with_main(&format!(
        "resource \"docker_image\" \"app\" {{\n  name = \"plinth-polish-dangling-{}:1.0\"\n  build {{\n    context = \"${{path.module}}/context\"\n  }}\n}}\n",
        std::process::id()
    ));
    ws.write(
        "context/Dockerfile",
        &format!(
            "FROM scratch\nLABEL {label}\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\", \"sh\", \"-c\", \"echo failing on purpose; exit 3\"]\n"
        ),
    );
    std::fs::copy("/bin/busybox", ws.file("context/busybox")).expect("copy /bin/busybox");
    let left = || {
        let images = docker(&["images", "-a", "-q", "--filter", &format!("label={label}")]);
        let containers = docker(&["ps", "-a", "-q", "--filter", &format!("label={label}")]);
        (images.trim().to_string(), containers.trim().to_string())
    };
    for _ in 0..2 {
        ws.run(&["apply", "-auto-approve"])
            .expect_code(1)
            .expect_stderr("docker_image.app")
            .expect_stderr("failing on purpose");
        assert_eq!(left(), (String::new(), String::new()), "images, containers");
    }
    let dangling = docker(&[
        "images",
        "-q",
        "--filter",
        "dangling=true",
        "--filter",
        &format!("label={label}"),
    ]);
    assert_eq!(dangling.trim(), "");
    assert!(ws.state_list().is_empty());
}
