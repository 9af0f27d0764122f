//! A CLI without surprises: "Did you mean" for every kind of name, carets on the reference
//! itself, and every independent error of a run reported at once, in source order.

use crate::support::Workspace;

#[test]
fn did_you_mean_existed_for_attributes_only() {
    let cases = [
        (
            "variable \"region\" {\n  default = \"x\"\n}\n\noutput \"o\" {\n  value = var.regoin\n}\n",
            "Did you mean \"region\"?",
        ),
        (
            "locals {\n  subnet_count = 2\n}\n\noutput \"o\" {\n  value = local.subnet_cuont\n}\n",
            "Did you mean \"subnet_count\"?",
        ),
        (
            "resource \"terraform_data\" \"database\" {\n}\n\noutput \"o\" {\n  value = terraform_data.databse.id\n}\n",
            "Did you mean \"terraform_data.database\"?",
        ),
        (
            "module \"network\" {\n  source = \"./m\"\n}\n\noutput \"o\" {\n  value = module.netwrok.marker\n}\n",
            "Did you mean \"network\"?",
        ),
        (
            "module \"network\" {\n  source = \"./m\"\n}\n\noutput \"o\" {\n  value = module.network.makrer\n}\n",
            "Did you mean \"marker\"?",
        ),
        (
            "output \"o\" {\n  value = uper(\"x\")\n}\n",
            "Did you mean \"upper\"?",
        ),
        (
            "resource \"terraform_dat\" \"x\" {\n}\n",
            "Did you mean \"terraform_data\"?",
        ),
    ];
    for (config, hint) in cases {
        let ws = Workspace::with_main(config);
        ws.write("m/main.tf", "output \"marker\" {\n  value = 1\n}\n");
        ws.run(&["validate"]).expect_code(1).expect_stderr(hint);
        ws.run(&["plan"]).expect_code(1).expect_stderr(hint);
    }
}

#[test]
fn caret_of_an_undeclared_reference_underlined_the_whole_template() {
    let ws = Workspace::with_main(
        "resource \"terraform_data\" \"x\" {\n  input = \"prefix-${var.nmae}-suffix-and-more\"\n}\n",
    );
    let outcome = ws.run(&["validate"]);
    outcome
        .expect_code(1)
        .expect_stderr("main.tf:2:21")
        .expect_stderr("^^^^^^^^");
    assert!(!outcome.stderr.contains("^^^^^^^^^"), "{outcome}");
}

#[test]
fn reference_errors_hid_unknown_function_errors() {
    let ws = Workspace::with_main(
        "output \"a\" {\n  value = var.nowhere\n}\n\noutput \"b\" {\n  value = nosuchfunction(1)\n}\n",
    );
    for command in ["validate", "plan"] {
        let outcome = ws.run(&[command]);
        outcome
            .expect_code(1)
            .expect_stderr("undeclared input variable")
            .expect_stderr("nosuchfunction");
        let first = outcome.stderr.find("undeclared input variable").unwrap();
        let second = outcome.stderr.find("nosuchfunction").unwrap();
        assert!(first < second, "source order\n{outcome}");
    }
}

#[test]
fn plan_reported_one_of_two_attribute_typos() {
    let ws = Workspace::with_main(
        "resource \"terraform_data\" \"a\" {\n  inptu = 1\n}\n\nresource \"terraform_data\" \"b\" {\n  triggers_replac = 2\n}\n",
    );
    for command in ["validate", "plan"] {
        let outcome = ws.run(&[command]);
        outcome
            .expect_code(1)
            .expect_stderr("inptu")
            .expect_stderr("triggers_replac");
        let first = outcome.stderr.find("inptu").unwrap();
        let second = outcome.stderr.find("triggers_replac").unwrap();
        assert!(first < second, "source order\n{outcome}");
    }
}
