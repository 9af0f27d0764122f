# corpus: apply
# corpus: image nginx:latest
# corpus: check container isolated {{.HostConfig.NetworkMode}} = none
# A container without networking.
resource "docker_image" "nginx" {
  name = "nginx:latest"
}

resource "docker_container" "isolated" {
  name         = "isolated"
  image        = docker_image.nginx.image_id
  network_mode = "none"
}
