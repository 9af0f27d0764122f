# corpus: apply
# corpus: image nginx:latest
# corpus: check container pinned {{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}} = 10.213.57.10
# A container at a fixed address on a network with its own subnet.
resource "docker_image" "nginx" {
  name = "nginx:latest"
}

resource "docker_network" "fixed" {
  name = "fixed"
  ipam_config {
    subnet  = "10.213.57.0/24"
    gateway = "10.213.57.1"
  }
}

resource "docker_container" "pinned" {
  name  = "pinned"
  image = docker_image.nginx.image_id

  networks_advanced {
    name         = docker_network.fixed.name
    ipv4_address = "10.213.57.10"
  }
}
