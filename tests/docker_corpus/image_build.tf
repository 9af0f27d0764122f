# corpus: apply
# corpus: context .
# corpus: check image zoo {{index .Config.Labels "author"}} = zoo
# corpus: check image zoo:develop {{index .Config.Labels "author"}} = zoo
# An image built from the working directory, with a second tag, a build argument and a label.
resource "docker_image" "zoo" {
  name = "zoo"
  build {
    context = "."
    tag     = ["zoo:develop"]
    build_args = {
      foo : "zoo"
    }
    label = {
      author : "zoo"
    }
  }
}
