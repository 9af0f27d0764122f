# corpus: apply
# corpus: image nginx:latest
# corpus: check container color-blue {{index .Config.Labels "color"}} = blue
# corpus: check container color-green {{index .Config.Labels "color"}} = green
# One container per entry of a set, each labelled with its key.
resource "docker_image" "nginx" {
  name = "nginx:latest"
}

resource "docker_container" "color" {
  for_each = toset(["blue", "green"])
  name     = "color-${each.key}"
  image    = docker_image.nginx.image_id

  labels {
    label = "color"
    value = each.key
  }
}
