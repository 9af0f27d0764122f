# corpus: apply
# corpus: check network ipam {{(index .IPAM.Config 0).Subnet}} = 10.213.58.0/24
# corpus: check network ipam {{(index .IPAM.Config 0).Gateway}} = 10.213.58.1
# corpus: check network ipam {{(index .IPAM.Config 0).IPRange}} = 10.213.58.128/25
# A network with its own subnet, gateway, allocation range and a reserved address.
resource "docker_network" "ipam" {
  name = "ipam"

  ipam_config {
    subnet   = "10.213.58.0/24"
    gateway  = "10.213.58.1"
    ip_range = "10.213.58.128/25"
    aux_address = {
      router = "10.213.58.2"
    }
  }
}
