# The import example: a container of an image by name with a published port (planned only, the
# host port being fixed).
resource "docker_container" "foo" {
  name  = "foo"
  image = "nginx"

  ports {
    internal = "80"
    external = "8080"
  }
}
