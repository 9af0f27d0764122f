# corpus: image foo-service:v1
# A service pinned to the digest of a local image.
data "docker_image" "foo" {
  name = "foo-service:v1"
}

resource "docker_service" "foo" {
  name = "foo-service"

  task_spec {
    container_spec {
      image = data.docker_image.foo.repo_digest
    }
  }

  endpoint_spec {
    ports {
      target_port = "8080"
    }
  }
}
