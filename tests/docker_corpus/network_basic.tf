# corpus: apply
# corpus: check network my_network {{.Driver}} = bridge
# corpus: check network my_network {{.Internal}} = false
# The docker_network page's example: a bridge network by name.
resource "docker_network" "private_network" {
  name = "my_network"
}
