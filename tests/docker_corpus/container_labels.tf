# corpus: apply
# corpus: image nginx:latest
# corpus: check container labelled {{index .Config.Labels "com.example.team"}} = platform
# corpus: check container labelled {{index .Config.Labels "com.example.tier"}} = web
# Labels on a container.
resource "docker_image" "nginx" {
  name = "nginx:latest"
}

resource "docker_container" "labelled" {
  name  = "labelled"
  image = docker_image.nginx.image_id

  labels {
    label = "com.example.team"
    value = "platform"
  }

  labels {
    label = "com.example.tier"
    value = "web"
  }
}
