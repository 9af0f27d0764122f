//! Language work that must stay linear in the size of the configuration: long chains of locals
//! and large literal maps in variables files, planned end to end by the binary. Their speed is
//! measured by the benchmarks; here a quadratic regression shows as a plan that does not finish
//! within the test support's command limit.

mod support;

use support::Workspace;

/// Each local was looked up by a scan of every local of its module while planning, so 100,000
/// chained locals took 45 s (quadratic); they now take under a second in a release build.
#[test]
fn a_long_chain_of_locals_plans_in_linear_time() {
    let count = 20_000;
    let mut config = String::from("locals {\n  l0 = 0\n");
    for i in 1..count {
        config.push_str(&format!("  l{i} = local.l{} + 1\n", i - 1));
    }
    config.push_str(&format!(
        "}}\n\noutput \"last\" {{\n  value = local.l{}\n}}\n",
        count - 1
    ));
    let ws = Workspace::with_main(&config);
    // -detailed-exitcode: 2 means changes (the new output).
    ws.plan(&["-no-color"])
        .expect_code(2)
        .expect_stdout(&format!("+ last = {}", count - 1));
}

/// A variables file holding one map of 200,000 keys did not finish loading: the parser compared
/// each key with every key before it.
#[test]
fn a_variables_file_with_a_large_map_plans() {
    let count = 200_000;
    let mut tfvars = String::from("m = {\n");
    for i in 0..count {
        tfvars.push_str(&format!("  k{i} = \"v{i}\"\n"));
    }
    tfvars.push_str("}\n");
    let ws = Workspace::with_main(
        "variable \"m\" {\n  type = map(string)\n}\n\noutput \"n\" {\n  value = length(var.m)\n}\n",
    );
    ws.write("terraform.tfvars", &tfvars);
    // -detailed-exitcode: 2 means changes (the new output).
    ws.plan(&["-no-color"])
        .expect_code(2)
        .expect_stdout(&format!("+ n = {count}"));
}
