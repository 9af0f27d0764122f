# corpus: apply
# corpus: image ubuntu:latest
# corpus: check container foo {{.State.Running}} = true
# The provider's front page: the provider pinned, the engine on its local socket, an image and a
# container running it.
terraform {
  required_providers {
    docker = {
      source  = "kreuzwerker/docker"
      version = "3.9.0"
    }
  }
}

provider "docker" {
  host = "unix:///var/run/docker.sock"
}

# The image, pulled when it is not there yet.
resource "docker_image" "ubuntu" {
  name = "ubuntu:latest"
}

# A container of that image.
resource "docker_container" "foo" {
  image = docker_image.ubuntu.image_id
  name  = "foo"
}
