# corpus: apply
# corpus: image nginx:latest
# corpus: check container bounded {{.HostConfig.CpusetCpus}} = 0
# corpus: check container bounded {{.HostConfig.NanoCpus}} = 500000000
# corpus: check container bounded {{.HostConfig.MemoryReservation}} = 33554432
# A container pinned to the first CPU, at most half of it, with a soft memory limit (in MB).
resource "docker_image" "nginx" {
  name = "nginx:latest"
}

resource "docker_container" "bounded" {
  name               = "bounded"
  image              = docker_image.nginx.image_id
  cpu_set            = "0"
  cpus               = "0.5"
  memory_reservation = 32
}
