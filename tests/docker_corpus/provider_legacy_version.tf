# The repository's ssh-protocol example in its 0.12-era form: a version constraint inside the
# provider block and a quoted provider reference, both deprecated but still accepted.
provider "docker" {
  version = "~> 3.0"
  alias   = "test"
  host    = "ssh://root@127.0.0.1:32822"
}

resource "docker_image" "test" {
  provider = "docker.test"
  name     = "busybox:latest"
}
