# corpus: certs .docker
# An engine on TCP with TLS, the client certificate read from a directory of ca.pem, cert.pem
# and key.pem (Docker's own layout under ~/.docker).
provider "docker" {
  host      = "tcp://127.0.0.1:2376/"
  cert_path = pathexpand("~/.docker")
}

resource "docker_volume" "remote" {
  name = "remote"
}
