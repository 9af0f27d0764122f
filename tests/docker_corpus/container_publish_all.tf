# A container publishing every exposed port on random host ports and removed when it stops
# (planned only: the image exposes no port and a removed container cannot be refreshed).
resource "docker_container" "ephemeral" {
  name              = "ephemeral"
  image             = "nginx:latest"
  publish_all_ports = true
  rm                = true
  start             = true
}
