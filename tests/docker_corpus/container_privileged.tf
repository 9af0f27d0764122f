# A privileged container (planned only: the engine here may not grant every capability).
resource "docker_container" "system" {
  name       = "system"
  image      = "nginx:latest"
  privileged = true
}
