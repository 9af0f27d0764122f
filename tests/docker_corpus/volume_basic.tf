# corpus: apply
# corpus: check volume shared_volume {{.Driver}} = local
# The docker_volume page's example: a named volume.
resource "docker_volume" "shared_volume" {
  name = "shared_volume"
}
