//! `-exclude` (OpenTofu's inverse of `-target`): the excluded resources and everything that
//! depends on them are left out of the plan, the rest is planned as usual.
#![cfg(feature = "test-provider")]

mod support;

use support::Workspace;

#[test]
fn exclude_leaves_out_the_resource_and_its_dependents() {
    let ws = Workspace::with_main(
        r#"
resource "slow_object" "a" {
  input = "a"
}

resource "slow_object" "b" {
  input = "b-${slow_object.a.id}"
}

resource "slow_object" "c" {
  input = "c"
}
"#,
    );
    let planned = ws.plan(&["-exclude", "slow_object.a"]);
    planned
        .expect_code(2)
        .expect_stdout("slow_object.c will be created")
        .expect_nowhere("slow_object.a will be created")
        .expect_nowhere("slow_object.b will be created");
    ws.run(&["apply", "-auto-approve", "-exclude=slow_object.a"])
        .expect_ok();
    assert_eq!(ws.state_list(), vec!["slow_object.c".to_string()]);
    ws.run(&["plan", "-exclude", "aws_vpc."])
        .expect_code(1)
        .expect_stderr("-exclude");
}
