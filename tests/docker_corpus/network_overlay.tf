# An attachable overlay network for swarm services (planned only).
resource "docker_network" "overlay" {
  name       = "overlay"
  driver     = "overlay"
  attachable = true
}
