# corpus: apply
# corpus: image nginx:latest
# corpus: check container data {{(index .Mounts 0).Destination}} = /data
# corpus: check container data {{(index .Mounts 0).Type}} = volume
# A named volume mounted into a container.
resource "docker_image" "nginx" {
  name = "nginx:latest"
}

resource "docker_volume" "data" {
  name = "data"
}

resource "docker_container" "data" {
  name  = "data"
  image = docker_image.nginx.image_id

  volumes {
    volume_name    = docker_volume.data.name
    container_path = "/data"
  }
}
