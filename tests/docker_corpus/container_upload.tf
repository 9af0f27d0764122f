# corpus: apply
# corpus: image nginx:latest
# corpus: exec configured cat /etc/app.conf = listen=80
# corpus: exec configured stat -c %a /bin/start.sh = 744
# corpus: file files/motd.txt welcome
# corpus: exec configured cat /etc/motd = welcome
# corpus: exec configured stat -c %a /etc/motd = 600
# Files put into a container before it starts: text content, an executable script and a local
# file with its own permissions.
resource "docker_image" "nginx" {
  name = "nginx:latest"
}

resource "docker_container" "configured" {
  name  = "configured"
  image = docker_image.nginx.image_id

  upload {
    content = "listen=80"
    file    = "/etc/app.conf"
  }

  upload {
    content    = "#!/bin/sh\necho started\n"
    file       = "/bin/start.sh"
    executable = true
  }

  upload {
    source      = "${path.module}/files/motd.txt"
    source_hash = filesha256("${path.module}/files/motd.txt")
    file        = "/etc/motd"
    permissions = "0600"
  }
}
