# corpus: apply
# corpus: image nginx:latest
# corpus: check container mounted {{len .Mounts}} = 2
# corpus: exec mounted cat /cache/ready = no
# Mounts of a volume and of a tmpfs.
resource "docker_image" "nginx" {
  name = "nginx:latest"
}

resource "docker_volume" "cache" {
  name = "cache"
}

resource "docker_container" "mounted" {
  name    = "mounted"
  image   = docker_image.nginx.image_id
  command = ["sh", "-c", "echo no > /cache/ready; trap 'exit 0' TERM; while true; do sleep 1; done"]

  mounts {
    type   = "volume"
    source = docker_volume.cache.name
    target = "/cache"
  }

  mounts {
    type   = "tmpfs"
    target = "/scratch"
    tmpfs_options {
      size_bytes = 1048576
    }
  }
}
