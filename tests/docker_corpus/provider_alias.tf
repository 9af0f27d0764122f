# corpus: apply
# corpus: image busybox:latest
# corpus: check volume aliased {{.Driver}} = local
# Two configurations of the provider, the second by alias, as modules and multi-engine setups
# use them.
provider "docker" {}

provider "docker" {
  alias = "local"
  host  = "unix:///var/run/docker.sock"
}

resource "docker_image" "busybox" {
  provider = docker.local
  name     = "busybox:latest"
}

resource "docker_volume" "aliased" {
  provider = docker.local
  name     = "aliased"
}
