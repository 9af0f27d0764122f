//! A skipped `prepare.sh`: the image build of an example whose context lacks the file its
//! Dockerfile copies fails with a hint naming the preparation step, not Docker's bare
//! "COPY failed"; a failed build leaves no dangling images or step containers behind, and a
//! concurrent build that was using its layers as cache still succeeds.

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

/// Before the fix every failed attempt of a build left the image its last successful step
/// committed (untagged, so `dangling=true`) and the container of its failed step behind. Every
/// step carries a label unique to this test, so only its own leftovers count.
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
    let filter = format!("label={label}");
    for _ in 0..2 {
        ws.run(&["apply", "-auto-approve"])
            .expect_code(1)
            .expect_stderr("docker_image.app")
            .expect_stderr("failing on purpose");
        let dangling = docker(&[
            "images",
            "-q",
            "--filter",
            "dangling=true",
            "--filter",
            &filter,
        ]);
        assert_eq!(dangling.trim(), "", "dangling images of the failed build");
        let images = docker(&["images", "-a", "-q", "--filter", &filter]);
        assert_eq!(images.trim(), "", "layers the failed build committed");
        let containers = docker(&["ps", "-a", "-q", "--filter", &filter]);
        assert_eq!(containers.trim(), "", "the failed step's container");
    }
    assert!(ws.state_list().is_empty());
}

/// Removing what a failed build committed once broke a build running at the same moment that had
/// found those layers in its cache ("unknown parent image ID"): such a build now starts again.
/// Two configurations share the first steps of their Dockerfiles; one fails at its last step,
/// the other must succeed every round.
#[test]
fn a_concurrent_build_lost_the_layers_a_failed_build_removed() {
    if !docker_available() {
        return;
    }
    let label = format!("plinth-test=concurrent-cache-{}", std::process::id());
    let workspace = |variant: &str, last_step: &str| {
        let ws = Workspace::with_main(&format!(
            "resource \"docker_image\" \"app\" {{\n  name = \"plinth-concurrent-{variant}-{}:1.0\"\n  build {{\n    context = \"${{path.module}}/context\"\n  }}\n}}\n",
            std::process::id()
        ));
        ws.write(
            "context/Dockerfile",
            &format!("FROM scratch\nLABEL {label}\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\", \"true\"]\n{last_step}\n"),
        );
        std::fs::copy("/bin/busybox", ws.file("context/busybox")).expect("copy /bin/busybox");
        ws
    };
    let failing = workspace(
        "failing",
        "RUN [\"/bin/busybox\", \"sh\", \"-c\", \"echo failing on purpose; exit 3\"]",
    );
    let working = workspace("working", "LABEL finished=yes");
    for round in 0..4 {
        std::thread::scope(|scope| {
            let failed = scope.spawn(|| failing.run(&["apply", "-auto-approve"]));
            working.run(&["apply", "-auto-approve"]).expect_ok();
            failed
                .join()
                .expect("the failing apply")
                .expect_code(1)
                .expect_stderr("failing on purpose");
        });
        working.run(&["destroy", "-auto-approve"]).expect_ok();
        let left = docker(&["images", "-a", "-q", "--filter", &format!("label={label}")]);
        assert_eq!(left.trim(), "", "round {round}: images left behind");
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
