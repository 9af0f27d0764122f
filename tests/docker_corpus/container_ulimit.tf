# corpus: apply
# corpus: image nginx:latest
# corpus: check container limits {{(index .HostConfig.Ulimits 0).Name}} = nofile
# corpus: check container limits {{(index .HostConfig.Ulimits 0).Soft}} = 1024
# A container with a file-descriptor limit.
resource "docker_image" "nginx" {
  name = "nginx:latest"
}

resource "docker_container" "limits" {
  name  = "limits"
  image = docker_image.nginx.image_id

  ulimit {
    name = "nofile"
    soft = 1024
    hard = 2048
  }
}
