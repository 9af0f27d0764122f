//! A skipped `prepare.sh`: the image build of an example whose context lacks the file its
//! Dockerfile copies fails with a hint naming the preparation step, not Docker's bare
//! "COPY failed"; a failed build leaves no container of its steps behind, and retries reuse its layers.

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

/// Before the fix every failed attempt of a build left the container of its failed step behind.
/// The layers its successful steps committed are kept on purpose (the cache of the next attempt,
/// possibly in use by a concurrent build): a retry reuses them, so attempts do not pile up
/// images. Every step carries a label unique to this test, so only its own leftovers count.
#[test]
fn failed_image_build_left_the_container_of_its_failed_step() {
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
    let images = || docker(&["images", "-a", "-q", "--filter", &format!("label={label}")]);
    let containers = || docker(&["ps", "-a", "-q", "--filter", &format!("label={label}")]);
    let mut after_first = None;
    for _ in 0..2 {
        ws.run(&["apply", "-auto-approve"])
            .expect_code(1)
            .expect_stderr("docker_image.app")
            .expect_stderr("failing on purpose");
        assert_eq!(
            containers().trim(),
            "",
            "the failed step's container is removed"
        );
        let now = images();
        assert_eq!(
            after_first.get_or_insert_with(|| now.clone()),
            &now,
            "a retry adds no image"
        );
    }
    assert!(ws.state_list().is_empty());
    // The cached layers go with the label.
    for id in images().split_whitespace() {
        docker(&["rmi", "-f", id]);
    }
}

/// Before the fix a build removed every unused image built for the same address and workspace
/// under another intent, so two configurations on one engine, each with a `docker_image.app`,
/// removed each other's images (seen as "No such image" when the first created its containers).
#[test]
fn a_build_removed_another_configurations_image_at_the_same_address() {
    if !docker_available() {
        return;
    }
    let build = |tag: &str| {
        let ws = Workspace::with_main(&format!(
            "resource \"docker_image\" \"app\" {{\n  name = \"plinth-hardening-{tag}-{}:1.0\"\n  build {{\n    context = \"${{path.module}}/context\"\n    labels  = {{ \"plinth-test\" = \"same-address-{}\" }}\n  }}\n}}\n",
            std::process::id(),
            std::process::id()
        ));
        ws.write(
            "context/Dockerfile",
            &format!("FROM scratch\nCOPY busybox /bin/busybox\nLABEL variant={tag}\n"),
        );
        std::fs::copy("/bin/busybox", ws.file("context/busybox")).expect("copy /bin/busybox");
        ws.run(&["apply", "-auto-approve"]).expect_ok();
        let id = ws
            .state()
            .instance("docker_image.app")
            .string("image_id")
            .expect("image id")
            .to_string();
        (ws, id)
    };
    let (first, first_id) = build("first");
    let (second, _) = build("second");
    let inspected = std::process::Command::new("docker")
        .args(["image", "inspect", "--format", "{{.Id}}", &first_id])
        .output()
        .expect("docker image inspect");
    let still_there = inspected.status.success();
    for ws in [&first, &second] {
        ws.run(&["destroy", "-auto-approve"]).expect_ok();
    }
    assert!(
        still_there,
        "the first configuration's image {first_id} was removed by the second's build"
    );
}
