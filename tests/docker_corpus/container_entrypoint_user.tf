# corpus: apply
# corpus: image alpine:3.19
# corpus: check container app {{.Config.User}} = 1000:1000
# corpus: check container app {{.Config.Hostname}} = app-host
# corpus: check container app {{.Config.Domainname}} = example.internal
# A container with an entrypoint, a user, a host name and a domain name.
resource "docker_image" "alpine" {
  name = "alpine:3.19"
}

resource "docker_container" "app" {
  name       = "app"
  image      = docker_image.alpine.image_id
  entrypoint = ["sh", "-c"]
  command    = ["trap 'exit 0' TERM; while true; do sleep 1; done"]
  user       = "1000:1000"
  hostname   = "app-host"
  domainname = "example.internal"
}
