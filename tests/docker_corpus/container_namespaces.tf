# corpus: apply
# corpus: image nginx:latest
# corpus: check container shared {{.HostConfig.IpcMode}} = shareable
# corpus: check container shared {{.HostConfig.PidMode}} = host
# The IPC and PID namespace modes of a container.
resource "docker_image" "nginx" {
  name = "nginx:latest"
}

resource "docker_container" "shared" {
  name     = "shared"
  image    = docker_image.nginx.image_id
  ipc_mode = "shareable"
  pid_mode = "host"
}
