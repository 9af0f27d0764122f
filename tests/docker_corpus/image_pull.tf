# corpus: apply
# corpus: image ubuntu:precise
# corpus: check image ubuntu:precise {{.Architecture}} = amd64
# An image by name: pulled only when it is not there yet.
resource "docker_image" "ubuntu" {
  name = "ubuntu:precise"
}
