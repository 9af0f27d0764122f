# corpus: apply
# corpus: image nginx:latest
# corpus: check container replica-0 {{range .Config.Env}}{{if eq . "REPLICA=0"}}found{{end}}{{end}} = found
# corpus: check container replica-1 {{range .Config.Env}}{{if eq . "REPLICA=1"}}found{{end}}{{end}} = found
# Numbered replicas of a container, each told its number.
resource "docker_image" "nginx" {
  name = "nginx:latest"
}

resource "docker_container" "replica" {
  count = 2
  name  = "replica-${count.index}"
  image = docker_image.nginx.image_id
  env   = ["REPLICA=${count.index}"]
}
