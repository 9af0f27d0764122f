# corpus: apply
# corpus: image nginx:1.25
# corpus: check image nginx:1.25 {{.Os}} = linux
# An image left in place on destroy.
resource "docker_image" "nginx" {
  name         = "nginx:1.25"
  keep_locally = true
}
