# corpus: apply
# corpus: image nginx:latest
# corpus: check container healthy {{.Config.Healthcheck.Retries}} = 3
# corpus: check container healthy {{.State.Health.Status}} = healthy
# A container with a health check, applied only once it is healthy.
resource "docker_image" "nginx" {
  name = "nginx:latest"
}

resource "docker_container" "healthy" {
  name         = "healthy"
  image        = docker_image.nginx.image_id
  wait         = true
  wait_timeout = 30

  healthcheck {
    test         = ["CMD", "wget", "-q", "-O", "-", "http://127.0.0.1/"]
    interval     = "1s"
    timeout      = "2s"
    start_period = "1s"
    retries      = 3
  }
}
