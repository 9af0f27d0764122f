# A managed Docker plugin by its full name (planned only: installing it needs Docker Hub).
resource "docker_plugin" "sample_volume_plugin" {
  name = "docker.io/tiborvass/sample-volume-plugin:latest"
}
