# corpus: apply
# corpus: network main
# The docker_network data source: a network made outside the configuration, by name.
data "docker_network" "main" {
  name = "main"
}

output "main_driver" {
  value = data.docker_network.main.driver
}

output "main_scope" {
  value = data.docker_network.main.scope
}
