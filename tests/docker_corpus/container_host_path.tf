# corpus: apply
# corpus: image nginx:latest
# corpus: check container bound {{(index .Mounts 0).Source}} = /etc
# corpus: check container bound {{(index .Mounts 0).RW}} = false
# A host directory bound read-only into a container.
resource "docker_image" "nginx" {
  name = "nginx:latest"
}

resource "docker_container" "bound" {
  name  = "bound"
  image = docker_image.nginx.image_id

  volumes {
    host_path      = "/etc"
    container_path = "/host-etc"
    read_only      = true
  }
}
