# corpus: certs .docker
# An engine on TCP with TLS, the PEM material given inline (here read from files).
provider "docker" {
  host = "tcp://127.0.0.1:2376/"

  ca_material   = file(pathexpand("~/.docker/ca.pem")) # this can be omitted
  cert_material = file(pathexpand("~/.docker/cert.pem"))
  key_material  = file(pathexpand("~/.docker/key.pem"))
}

resource "docker_volume" "remote" {
  name = "remote"
}
