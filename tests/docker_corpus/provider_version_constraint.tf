# corpus: apply
# corpus: check network constrained {{.Driver}} = bridge
# The provider required with a version constraint, as most configurations pin it.
terraform {
  required_version = ">= 1.0"
  required_providers {
    docker = {
      source  = "kreuzwerker/docker"
      version = "~> 3.0"
    }
  }
}

resource "docker_network" "constrained" {
  name = "constrained"
}
