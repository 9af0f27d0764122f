# corpus: apply
# corpus: image nginx:latest
# corpus: check container restarting {{.HostConfig.RestartPolicy.Name}} = on-failure
# corpus: check container restarting {{.HostConfig.RestartPolicy.MaximumRetryCount}} = 5
# A container restarted on failure, at most five times.
resource "docker_image" "nginx" {
  name = "nginx:latest"
}

resource "docker_container" "restarting" {
  name            = "restarting"
  image           = docker_image.nginx.image_id
  restart         = "on-failure"
  max_retry_count = 5
}
