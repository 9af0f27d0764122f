# corpus: apply
# corpus: check volume ramdisk {{index .Options "type"}} = tmpfs
# corpus: check volume ramdisk {{index .Options "o"}} = size=1m
# A local volume backed by tmpfs through driver options.
resource "docker_volume" "ramdisk" {
  name   = "ramdisk"
  driver = "local"
  driver_opts = {
    type   = "tmpfs"
    device = "tmpfs"
    o      = "size=1m"
  }
}
