# An engine reached over SSH (`docker system dial-stdio` on the far side), with extra options for
# the ssh command. Nothing is contacted until a resource needs the engine.
provider "docker" {
  host     = "ssh://user@127.0.0.1:22"
  ssh_opts = ["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null"]
}

resource "docker_network" "over_ssh" {
  name = "over_ssh"
}
