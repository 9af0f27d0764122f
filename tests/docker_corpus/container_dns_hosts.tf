# corpus: apply
# corpus: image nginx:latest
# corpus: check container resolver {{.HostConfig.Dns}} = [127.0.0.53]
# corpus: check container resolver {{.HostConfig.DnsSearch}} = [example.internal]
# corpus: check container resolver {{.HostConfig.ExtraHosts}} = [db.internal:127.0.0.2]
# DNS servers, search domains and extra /etc/hosts entries of a container.
resource "docker_image" "nginx" {
  name = "nginx:latest"
}

resource "docker_container" "resolver" {
  name       = "resolver"
  image      = docker_image.nginx.image_id
  dns        = ["127.0.0.53"]
  dns_search = ["example.internal"]

  host {
    host = "db.internal"
    ip   = "127.0.0.2"
  }
}
