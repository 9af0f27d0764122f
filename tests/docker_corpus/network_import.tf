# corpus: apply
# corpus: check network foo {{.Scope}} = local
# The network of the import example.
resource "docker_network" "foo" {
  name = "foo"
}
