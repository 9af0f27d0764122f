# corpus: apply
# corpus: image nginx:latest
# corpus: exec reader cat /data/message = written by writer
# One volume shared by two containers: one writes, the other reads.
resource "docker_image" "nginx" {
  name = "nginx:latest"
}

resource "docker_volume" "exchange" {
  name = "exchange"
}

resource "docker_container" "writer" {
  name    = "writer"
  image   = docker_image.nginx.image_id
  command = ["sh", "-c", "echo written by writer > /data/message; trap 'exit 0' TERM; while true; do sleep 1; done"]

  volumes {
    volume_name    = docker_volume.exchange.name
    container_path = "/data"
  }
}

resource "docker_container" "reader" {
  name       = "reader"
  image      = docker_image.nginx.image_id
  depends_on = [docker_container.writer]

  volumes {
    volume_name    = docker_volume.exchange.name
    container_path = "/data"
    read_only      = true
  }
}
