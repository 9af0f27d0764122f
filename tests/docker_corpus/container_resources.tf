# corpus: apply
# corpus: image nginx:latest
# corpus: check container limited {{.HostConfig.Memory}} = 134217728
# corpus: check container limited {{.HostConfig.CpuShares}} = 512
# corpus: check container limited {{.HostConfig.MemorySwap}} = 268435456
# A container with memory (in MB) and CPU share limits.
resource "docker_image" "nginx" {
  name = "nginx:latest"
}

resource "docker_container" "limited" {
  name        = "limited"
  image       = docker_image.nginx.image_id
  memory      = 128
  memory_swap = 256
  cpu_shares  = 512
}
