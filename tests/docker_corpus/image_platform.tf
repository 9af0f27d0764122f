# An image for one platform, pulled again whenever one of the triggers changes.
variable "release" {
  type    = string
  default = "2024-05-01"
}

resource "docker_image" "alpine" {
  name          = "alpine:3.19"
  platform      = "linux/amd64"
  pull_triggers = [var.release]
  force_remove  = true
}
