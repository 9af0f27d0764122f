# corpus: apply
# corpus: image nginx:latest
# corpus: check container system {{.HostConfig.Init}} = true
# corpus: check container system {{.Config.Tty}} = true
# corpus: check container system {{.Config.OpenStdin}} = true
# A container with an init process reaping its children, a terminal and an open standard input.
resource "docker_image" "nginx" {
  name = "nginx:latest"
}

resource "docker_container" "system" {
  name       = "system"
  image      = docker_image.nginx.image_id
  init       = true
  tty        = true
  stdin_open = true
}
