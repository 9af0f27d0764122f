# corpus: validate-only asks a registry for the digest
# The provider page's credentials example with the registry data sources it feeds.
provider "docker" {
  registry_auth {
    address  = "quay.io:8181"
    username = "someuser"
    password = "somepass"
  }
}

data "docker_registry_image" "private" {
  name = "myorg/privateimage"
}

data "docker_registry_image" "quay" {
  name = "quay.io:8181/myorg/privateimage"
}
