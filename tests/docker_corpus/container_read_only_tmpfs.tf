# corpus: apply
# corpus: image nginx:latest
# corpus: check container locked {{.HostConfig.ReadonlyRootfs}} = true
# corpus: check container locked {{index .HostConfig.Tmpfs "/www"}} = rw,size=1m
# A read-only root file system with a writable tmpfs.
resource "docker_image" "nginx" {
  name = "nginx:latest"
}

resource "docker_container" "locked" {
  name      = "locked"
  image     = docker_image.nginx.image_id
  read_only = true
  tmpfs = {
    "/www" = "rw,size=1m"
  }
}
