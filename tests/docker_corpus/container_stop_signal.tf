# corpus: apply
# corpus: image nginx:latest
# corpus: check container graceful {{.Config.StopSignal}} = SIGTERM
# corpus: check container graceful {{.Config.StopTimeout}} = 5
# How a container is stopped: its signal, the engine's timeout and plinth's grace on destroy.
resource "docker_image" "nginx" {
  name = "nginx:latest"
}

resource "docker_container" "graceful" {
  name                  = "graceful"
  image                 = docker_image.nginx.image_id
  stop_signal           = "SIGTERM"
  stop_timeout          = 5
  destroy_grace_seconds = 5
}
