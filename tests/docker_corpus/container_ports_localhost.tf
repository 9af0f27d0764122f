# corpus: apply
# corpus: image nginx:latest
# corpus: check container web {{(index (index .NetworkSettings.Ports "80/tcp") 0).HostIp}} = 127.0.0.1
# corpus: check container web {{.HostConfig.PublishAllPorts}} = false
# A port published on the loopback address, the host port left to the engine.
resource "docker_image" "nginx" {
  name = "nginx:latest"
}

resource "docker_container" "web" {
  name  = "web"
  image = docker_image.nginx.image_id

  ports {
    internal = 80
    ip       = "127.0.0.1"
    protocol = "tcp"
  }
}
