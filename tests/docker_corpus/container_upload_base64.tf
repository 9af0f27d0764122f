# corpus: apply
# corpus: image nginx:latest
# corpus: exec encoded cat /www/hello.txt = hello from base64
# A file uploaded from base64 content, as binary files are.
resource "docker_image" "nginx" {
  name = "nginx:latest"
}

resource "docker_container" "encoded" {
  name  = "encoded"
  image = docker_image.nginx.image_id

  upload {
    content_base64 = base64encode("hello from base64")
    file           = "/www/hello.txt"
  }
}
