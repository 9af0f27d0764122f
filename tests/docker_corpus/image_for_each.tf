# corpus: apply
# corpus: image redis:7
# corpus: image postgres:16
# corpus: check image redis:7 {{.Os}} = linux
# Several images from one map of repository to tag.
locals {
  versions = {
    redis    = "7"
    postgres = "16"
  }
}

resource "docker_image" "service" {
  for_each = local.versions
  name     = "${each.key}:${each.value}"
}
