# corpus: apply
# corpus: image alpine:3.19
# corpus: check container hello {{.State.ExitCode}} = 0
# A container run to completion with its output kept in the state.
resource "docker_image" "alpine" {
  name = "alpine:3.19"
}

resource "docker_container" "hello" {
  name     = "hello"
  image    = docker_image.alpine.image_id
  command  = ["echo", "hello from the corpus"]
  attach   = true
  logs     = true
  must_run = false
}

output "logs" {
  value = docker_container.hello.container_logs
}
