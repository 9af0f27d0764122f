//! Paths and files: module sources resolved relative to the calling module, `file()` refusing
//! what is not a regular file and capping what it reads, invalid UTF-8 located, dangling
//! configuration symlinks reported.

use crate::support::Workspace;

fn module(marker: &str) -> String {
    format!("output \"marker\" {{\n  value = \"{marker}\"\n}}\n")
}

#[test]
fn module_source_with_two_leading_dotdots_loaded_another_module() {
    let ws = Workspace::new();
    ws.write("modules/vpc/main.tf", &module("wrong-local-vpc"));
    ws.write("shared/modules/vpc/main.tf", &module("right-shared-vpc"));
    ws.write(
        "envs/prod/main.tf",
        "module \"vpc\" {\n  source = \"../../shared/modules/vpc\"\n}\n\n\
         output \"marker\" {\n  value = module.vpc.marker\n}\n",
    );
    let prod = ws.file("envs/prod");
    let prod = prod.to_str().unwrap();
    ws.run(&["-chdir", prod, "apply", "-auto-approve"])
        .expect_ok()
        .expect_stdout("right-shared-vpc")
        .expect_nowhere("wrong-local-vpc");
}

#[test]
fn module_source_with_three_leading_dotdots_from_a_nested_module() {
    let ws = Workspace::new();
    ws.write("lib/net/main.tf", &module("right-lib-net"));
    ws.write("a/net/main.tf", &module("wrong-a-net"));
    ws.write("a/b/c/net/main.tf", &module("wrong-c-net"));
    ws.write(
        "a/b/c/root/main.tf",
        "module \"child\" {\n  source = \"./child\"\n}\n\n\
         output \"marker\" {\n  value = module.child.marker\n}\n",
    );
    // From a/b/c/root/child, three `..` lead to a/b; four to a; five to the top.
    ws.write(
        "a/b/c/root/child/main.tf",
        "module \"net\" {\n  source = \"../../../../../lib/net\"\n}\n\n\
         output \"marker\" {\n  value = module.net.marker\n}\n",
    );
    let root = ws.file("a/b/c/root");
    ws.run(&["-chdir", root.to_str().unwrap(), "apply", "-auto-approve"])
        .expect_ok()
        .expect_stdout("right-lib-net")
        .expect_nowhere("wrong-");
}

#[test]
fn missing_module_above_the_root_is_named_with_its_real_path() {
    let ws = Workspace::new();
    ws.write("modules/vpc/main.tf", &module("wrong-local-vpc"));
    ws.write(
        "envs/prod/main.tf",
        "module \"vpc\" {\n  source = \"../../../nowhere/vpc\"\n}\n",
    );
    let prod = ws.file("envs/prod");
    ws.run(&["-chdir", prod.to_str().unwrap(), "validate"])
        .expect_code(1)
        .expect_stderr("Module not found")
        .expect_stderr("nowhere/vpc");
}

#[cfg(unix)]
#[test]
fn file_of_a_fifo_hung_validate() {
    let ws = Workspace::with_main("output \"o\" {\n  value = file(\"pipe\")\n}\n");
    let status = std::process::Command::new("mkfifo")
        .arg(ws.file("pipe"))
        .status()
        .expect("run mkfifo");
    assert!(status.success());
    ws.run(&["plan"])
        .expect_code(1)
        .expect_stderr("not a regular file")
        .expect_stderr("main.tf:2");
}

#[test]
fn file_of_dev_zero_ate_memory_until_killed() {
    let ws = Workspace::with_main("output \"o\" {\n  value = file(\"/dev/zero\")\n}\n");
    ws.run(&["plan"])
        .expect_code(1)
        .expect_stderr("not a regular file");
}

#[test]
fn file_larger_than_the_read_limit_is_refused_with_a_clear_error() {
    let ws = Workspace::with_main("output \"o\" {\n  value = length(file(\"big.txt\"))\n}\n");
    let file = std::fs::File::create(ws.file("big.txt")).expect("create");
    // Sparse: no disk is used for the hole.
    file.set_len(600 * 1024 * 1024).expect("grow the file");
    ws.run(&["plan"])
        .expect_code(1)
        .expect_stderr("big.txt")
        .expect_stderr("larger than");
}

#[test]
fn invalid_utf8_in_a_tf_file_did_not_name_the_line() {
    let ws = Workspace::new();
    ws.write_bytes("main.tf", b"locals {\n  a = 1\n  b = \"caf\xe9\"\n}\n");
    ws.run(&["validate"])
        .expect_code(1)
        .expect_stderr("main.tf:3")
        .expect_stderr("UTF-8");
}

#[cfg(unix)]
#[test]
fn dangling_tf_symlink_was_silently_skipped() {
    let ws = Workspace::with_main("locals {\n  a = 1\n}\n");
    std::os::unix::fs::symlink(ws.file("gone.tf.orig"), ws.file("extra.tf")).expect("symlink");
    ws.run(&["validate"])
        .expect_code(1)
        .expect_stderr("extra.tf");
}
