# Applied on a swarm by tests/docker_swarm.rs, which owns the swarm it starts.
# A swarm secret from inline JSON.
resource "docker_secret" "foo" {
  name = "foo"
  data = base64encode("{\"foo\": \"s3cr3t\"}")
}
