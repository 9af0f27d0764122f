# corpus: apply
# corpus: image nginx
# corpus: image nginx:1.17.6
# The image data source: a local image by name, with and without a tag.
data "docker_image" "latest" {
  name = "nginx"
}

data "docker_image" "specific" {
  name = "nginx:1.17.6"
}

output "same_image" {
  value = data.docker_image.latest.id == data.docker_image.specific.id
}
