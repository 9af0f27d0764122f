# corpus: apply
# corpus: image nginx:latest
# corpus: check container logged {{.HostConfig.LogConfig.Type}} = json-file
# corpus: check container logged {{index .HostConfig.LogConfig.Config "max-size"}} = 10m
# A container's log driver and its options.
resource "docker_image" "nginx" {
  name = "nginx:latest"
}

resource "docker_container" "logged" {
  name       = "logged"
  image      = docker_image.nginx.image_id
  log_driver = "json-file"
  log_opts = {
    max-size = "10m"
    max-file = "3"
  }
}
