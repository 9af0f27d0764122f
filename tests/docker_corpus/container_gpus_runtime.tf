# A container asking for every GPU on a host with the NVIDIA runtime (planned only: this
# machine has neither).
resource "docker_container" "trainer" {
  name    = "trainer"
  image   = "nvidia/cuda:12.2.0-base-ubuntu22.04"
  gpus    = "all"
  runtime = "nvidia"
}
