# corpus: apply
# corpus: image nginx:latest
# corpus: check container api {{len .NetworkSettings.Networks}} = 1
# corpus: exec api hostname = api
# A container on a user-defined network, reachable by aliases there.
resource "docker_image" "nginx" {
  name = "nginx:latest"
}

resource "docker_network" "backend" {
  name = "backend"
}

resource "docker_container" "api" {
  name     = "api"
  hostname = "api"
  image    = docker_image.nginx.image_id

  networks_advanced {
    name    = docker_network.backend.name
    aliases = ["api", "api.internal"]
  }
}
