# corpus: apply
# corpus: image nginx:latest
# corpus: check container device {{(index .HostConfig.Devices 0).PathInContainer}} = /dev/fuzz
# A host device made available inside a container.
resource "docker_image" "nginx" {
  name = "nginx:latest"
}

resource "docker_container" "device" {
  name  = "device"
  image = docker_image.nginx.image_id

  devices {
    host_path      = "/dev/null"
    container_path = "/dev/fuzz"
    permissions    = "rwm"
  }
}
