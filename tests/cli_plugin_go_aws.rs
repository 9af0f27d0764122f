//! The real Go provider `hashicorp/aws` 5.100.0, run unchanged through plinth against moto: a
//! VPC created, refreshed without changes, updated in place, read back through a data source
//! and destroyed. The provider comes from a filesystem mirror (`PLINTH_TF_PLUGINS`, default
//! `/opt/tf-plugins`, laid out as `terraform providers mirror` does); without it the test skips
//! with a printed reason.

mod support;

use std::path::PathBuf;

use support::moto::Moto;
use support::Workspace;

/// The mirror holding hashicorp/aws 5.100.0, or None with a printed reason.
fn mirror() -> Option<PathBuf> {
    let dir = std::env::var_os("PLINTH_TF_PLUGINS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/opt/tf-plugins"));
    if dir
        .join("registry.terraform.io/hashicorp/aws/5.100.0")
        .is_dir()
    {
        return Some(dir);
    }
    eprintln!(
        "skipping: no hashicorp/aws 5.100.0 under {} (set PLINTH_TF_PLUGINS)",
        dir.display()
    );
    None
}

fn config(moto: &Moto, name: &str) -> String {
    format!(
        r#"
terraform {{
  required_providers {{
    aws = {{
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }}
  }}
}}

provider "aws" {{
  region                      = "us-east-1"
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  endpoints {{
    ec2 = "{endpoint}"
    sts = "{endpoint}"
  }}
}}

resource "aws_vpc" "main" {{
  cidr_block = "10.42.0.0/16"
  tags = {{
    Name = "{name}"
  }}
}}

output "vpc_id" {{
  value = aws_vpc.main.id
}}
"#,
        endpoint = moto.endpoint
    )
}

#[test]
fn the_go_aws_provider_manages_a_vpc_in_moto_through_plinth() {
    let Some(mirror) = mirror() else {
        return;
    };
    let Some(moto) = Moto::start() else {
        return;
    };
    let mut ws = Workspace::new();
    ws.write(
        "cli.tfrc",
        &format!(
            "provider_installation {{\n  filesystem_mirror {{\n    path    = \"{}\"\n    include = [\"registry.terraform.io/hashicorp/aws\"]\n  }}\n}}\n",
            mirror.display()
        ),
    );
    let cli = ws.file("cli.tfrc");
    ws.set_env("TF_CLI_CONFIG_FILE", cli.to_str().unwrap());
    ws.write("main.tf", &config(&moto, "plinth"));

    ws.run(&["init"])
        .expect_ok()
        .expect_stdout("registry.terraform.io/hashicorp/aws 5.100.0 from filesystem mirror");
    ws.apply();
    let vpc = ws.state().instance("aws_vpc.main");
    let id = vpc.string("id").expect("a VPC id").to_string();
    assert!(id.starts_with("vpc-"), "{id}");
    assert_eq!(vpc.string("cidr_block"), Some("10.42.0.0/16"));
    assert_eq!(vpc.string("instance_tenancy"), Some("default"));
    // A refresh reads the VPC back from moto and finds nothing to change.
    ws.plan(&[]).expect_code(0);

    // Tags change in place, and a data source of the same provider sees the new ones.
    ws.write(
        "main.tf",
        &format!(
            "{}\ndata \"aws_vpc\" \"found\" {{\n  id = aws_vpc.main.id\n}}\n\noutput \"found_name\" {{\n  value = data.aws_vpc.found.tags[\"Name\"]\n}}\n",
            config(&moto, "renamed")
        ),
    );
    ws.plan(&[])
        .expect_code(2)
        .expect_stdout("~ resource \"aws_vpc\" \"main\"");
    ws.apply();
    assert_eq!(
        ws.state().instance("aws_vpc.main").string("id"),
        Some(id.as_str())
    );
    // The data source's configuration was known before the update, so the engine read it
    // during that plan; the next run reads the new tags.
    ws.apply();
    ws.run(&["output", "-raw", "found_name"])
        .expect_ok()
        .expect_stdout("renamed");

    ws.run(&["destroy", "-auto-approve"]).expect_ok();
    assert!(ws.state_list().is_empty());
}
