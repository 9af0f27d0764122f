# corpus: apply
# corpus: check network private {{.Internal}} = true
# corpus: check network private {{.Attachable}} = true
# corpus: check network private {{index .Labels "com.example.env"}} = test
# corpus: check network private {{index .Options "com.docker.network.driver.mtu"}} = 1400
# An internal, attachable network with a label and a driver option.
resource "docker_network" "private" {
  name       = "private"
  driver     = "bridge"
  internal   = true
  attachable = true
  options = {
    "com.docker.network.driver.mtu" = "1400"
  }

  labels {
    label = "com.example.env"
    value = "test"
  }
}
