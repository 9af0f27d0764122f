# corpus: validate-only asks a registry for the digest
# The digest a registry holds for a tag.
data "docker_registry_image" "ubuntu" {
  name = "ubuntu:precise"
}

output "ubuntu_digest" {
  value = data.docker_registry_image.ubuntu.sha256_digest
}
