# corpus: apply
# corpus: image alpine:3.19
# corpus: check container worker {{.Config.WorkingDir}} = /tmp
# corpus: check container worker {{range .Config.Env}}{{if eq . "APP_MODE=worker"}}found{{end}}{{end}} = found
# A container with its own command, environment and working directory.
resource "docker_image" "alpine" {
  name = "alpine:3.19"
}

resource "docker_container" "worker" {
  name        = "worker"
  image       = docker_image.alpine.image_id
  command     = ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]
  env         = ["APP_MODE=worker", "LOG_LEVEL=debug"]
  working_dir = "/tmp"
}
