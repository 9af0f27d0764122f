# corpus: apply
# A swarm config from inline JSON.
resource "docker_config" "foo_config" {
  name = "foo_config"
  data = base64encode("{\"a\": \"b\"}")
}
