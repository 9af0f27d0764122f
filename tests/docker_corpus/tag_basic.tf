# corpus: apply
# corpus: image ubuntu:precise
# corpus: check image ubuntu:stable {{.Os}} = linux
# A second name for an image the configuration holds; destroying the tag removes that name
# (kreuzwerker leaves it behind; plinth destroys what it made).
resource "docker_image" "ubuntu" {
  name = "ubuntu:precise"
}

resource "docker_tag" "stable" {
  source_image = docker_image.ubuntu.name
  target_image = replace(docker_image.ubuntu.name, ":precise", ":stable")
}
