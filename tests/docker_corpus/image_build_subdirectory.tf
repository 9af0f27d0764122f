# corpus: apply
# corpus: context app
# corpus: check image web:1.0 {{index .Config.Labels "stage"}} = test
# An image built from a directory beside the configuration, with build labels and no cache.
resource "docker_image" "web" {
  name = "web:1.0"
  build {
    context    = "${path.module}/app"
    dockerfile = "Dockerfile"
    no_cache   = true
    labels = {
      stage = "test"
    }
  }
}
