# corpus: apply
# corpus: image nginx:latest
# corpus: check container tuned {{index .HostConfig.Sysctls "net.ipv4.ip_unprivileged_port_start"}} = 0
# corpus: check container tuned {{.HostConfig.ShmSize}} = 134217728
# Kernel parameters of the container's namespaces and the size of /dev/shm (in MB).
resource "docker_image" "nginx" {
  name = "nginx:latest"
}

resource "docker_container" "tuned" {
  name     = "tuned"
  image    = docker_image.nginx.image_id
  shm_size = 128
  sysctls = {
    "net.ipv4.ip_unprivileged_port_start" = "0"
  }
}
