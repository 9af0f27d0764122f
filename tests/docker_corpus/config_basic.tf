# Applied on a swarm by tests/docker_swarm.rs, which owns the swarm it starts.
# A swarm config from inline JSON.
resource "docker_config" "foo_config" {
  name = "foo_config"
  data = base64encode("{\"a\": \"b\"}")
}
