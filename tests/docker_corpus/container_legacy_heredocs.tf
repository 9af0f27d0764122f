# corpus: apply
# corpus: image docker:18.09.0-dind
# corpus: exec dind cat /root/.ssh/authorized_keys = ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIcorpus corpus@test
# corpus: check container dind {{index .Config.Cmd 0}} = /bin/sh
# The repository's ssh-protocol example in its older style: a quoted depends_on reference, the
# command as a heredoc inside a list, and a heredoc upload filled from a variable.
variable "pub_key" {
  type    = string
  default = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIcorpus corpus@test"
}

resource "docker_image" "dind" {
  name = "docker:18.09.0-dind"
}

resource "docker_container" "dind" {
  depends_on = [
    "docker_image.dind",
  ]

  name  = "dind"
  image = "docker:18.09.0-dind"

  start = true

  command = ["/bin/sh", "-c",
    <<SH
    set -e
    mkdir -p ~/.ssh
    trap 'exit 0' TERM
    while true; do sleep 1; done
    SH
    ,
  ]

  upload {
    content = <<AUTHORIZED_KEYS
      ${var.pub_key}
      AUTHORIZED_KEYS

    file = "/root/.ssh/authorized_keys"
  }
}
