//! The real Go AWS provider (hashicorp/aws 5.100.0) from the machine's Terraform mirror at
//! `/opt/tf-plugins`: found like Terraform finds it, hashed like Terraform hashes it, started
//! with AutoMTLS (its ECDSA P-521 certificate pinned), its schema read and converted.
//! Skipped, saying why, when the mirror is absent. It never configures the provider, so it
//! talks to nothing but the provider process.

mod common;

use std::path::Path;
use std::time::Instant;

use plinth_plugin::discovery::{CliConfig, Constraints, Discovery, LockFile, ProviderAddress};
use plinth_plugin::ProviderClient;
use plinth_sdk::Type;

const MIRROR: &str = "/opt/tf-plugins";

/// What `terraform init` (1.11) wrote in `.terraform.lock.hcl` for this mirror's package.
const TERRAFORM_H1: &str = "h1:edXOJWE4ORX8Fm+dpVpICzMZJat4AX0VRCAy/xkcOc0=";

fn mirror_present() -> bool {
    let present = Path::new(MIRROR)
        .join("registry.terraform.io/hashicorp/aws")
        .exists();
    if !present {
        eprintln!("skipping: {MIRROR} holds no hashicorp/aws provider");
    }
    present
}

#[tokio::test]
async fn aws_provider_handshake_schema_and_lock_hash() {
    if !mirror_present() {
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let cli = work.path().join("cli.tfrc");
    std::fs::write(
        &cli,
        format!("provider_installation {{\n  filesystem_mirror {{\n    path    = \"{MIRROR}\"\n    include = [\"registry.terraform.io/hashicorp/*\"]\n  }}\n}}\n"),
    )
    .unwrap();
    let discovery = Discovery::new(CliConfig::read(&cli).unwrap(), work.path());
    let aws = ProviderAddress::parse("hashicorp/aws").unwrap();
    let constraints = Constraints::parse("~> 5.0").unwrap();
    let package = discovery.find(&aws, &constraints, None).unwrap();
    assert_eq!(package.version.to_string(), "5.100.0");

    // plinth's h1 hash of the package is Terraform's, and a lock file holding Terraform's
    // entry accepts the package.
    let started = Instant::now();
    let entry = Discovery::lock_entry(&package, &constraints, None).unwrap();
    eprintln!("h1 of the 700 MB package: {:?}", started.elapsed());
    assert_eq!(entry.hashes, vec![TERRAFORM_H1.to_string()]);
    let terraform_lock = format!(
        "provider \"registry.terraform.io/hashicorp/aws\" {{\n  version     = \"5.100.0\"\n  constraints = \"~> 5.0\"\n  hashes = [\n    \"{TERRAFORM_H1}\",\n  ]\n}}\n"
    );
    let lock = LockFile::parse(&terraform_lock, Path::new(".terraform.lock.hcl")).unwrap();
    discovery
        .find(&aws, &constraints, lock.providers.get(&aws))
        .unwrap();

    let started = Instant::now();
    let client = ProviderClient::start(common::launch(&aws.to_string(), &package.executable))
        .await
        .unwrap();
    let handshake = started.elapsed();
    assert!(client.uses_tls(), "AutoMTLS: the Go provider serves TLS");
    assert!([5, 6].contains(&client.protocol_version()));
    let started = Instant::now();
    let (schemas, diags) = client.get_provider_schema().await.unwrap();
    let schema_time = started.elapsed();
    assert!(!plinth_plugin::has_errors(&diags), "{diags:?}");
    eprintln!(
        "aws: protocol {}, start+handshake+connect {handshake:?}, GetProviderSchema {schema_time:?} ({} resource types, {} data sources)",
        client.protocol_version(),
        schemas.resources.len(),
        schemas.data_sources.len()
    );
    assert!(schemas.resources.len() > 1000);

    let plinth = schemas.to_plinth();
    let vpc = &plinth.resources["aws_vpc"];
    let cidr = &vpc.attributes["cidr_block"];
    assert!(cidr.optional && cidr.computed && cidr.ty == Type::String);
    assert!(vpc.attributes["id"].computed);
    assert!(vpc.attributes["arn"].computed && !vpc.attributes["arn"].optional);
    assert_eq!(vpc.attributes["tags"].ty, Type::map(Type::String));
    assert_eq!(vpc.attributes["enable_dns_support"].ty, Type::Bool);
    assert!(plinth.provider.attributes.contains_key("region"));
    assert!(plinth.provider.blocks.contains_key("assume_role"));
    client.shutdown().await;
}
