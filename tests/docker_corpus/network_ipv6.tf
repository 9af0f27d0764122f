# A dual-stack network (planned only: the engine here has IPv6 disabled).
resource "docker_network" "dual" {
  name = "dual"
  ipv6 = true

  ipam_config {
    subnet = "fd00:213::/64"
  }

  ipam_config {
    subnet = "10.213.59.0/24"
  }
}
