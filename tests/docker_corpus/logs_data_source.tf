# corpus: apply
# corpus: image alpine:3.19
# The output of a finished container, read as lines.
resource "docker_image" "alpine" {
  name = "alpine:3.19"
}

resource "docker_container" "greeter" {
  name     = "greeter"
  image    = docker_image.alpine.image_id
  command  = ["echo", "hello"]
  must_run = false
}

data "docker_logs" "greeter" {
  name                     = docker_container.greeter.name
  details                  = false
  discard_headers          = true
  logs_list_string_enabled = true
}

output "greeting" {
  value = data.docker_logs.greeter.logs_list_string
}
