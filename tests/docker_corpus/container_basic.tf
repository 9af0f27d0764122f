# corpus: apply
# corpus: image ubuntu:precise
# corpus: check container foo {{.State.Status}} = running
# The docker_container page's example: a container of an image the configuration pulls.
resource "docker_container" "ubuntu" {
  name  = "foo"
  image = docker_image.ubuntu.image_id
}

resource "docker_image" "ubuntu" {
  name = "ubuntu:precise"
}
