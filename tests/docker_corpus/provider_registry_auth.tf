# corpus: apply
# corpus: image ubuntu:precise
# corpus: check image ubuntu:precise {{.Os}} = linux
# corpus: file .docker/config.json {"auths": {"registry-1.docker.io": {"auth": "dXNlcjpwYXNz"}}}
# Registry credentials three ways: a Docker CLI configuration file, its content, and a user name
# with a password. The image is already local, so no registry is asked.
variable "plain_content_of_config_file" {
  type      = string
  default   = "{\"auths\": {\"registry.my.company.com\": {\"auth\": \"dXNlcjpwYXNz\"}}}"
  sensitive = true
}

provider "docker" {
  registry_auth {
    address     = "registry-1.docker.io"
    config_file = pathexpand("~/.docker/config.json")
  }

  registry_auth {
    address             = "registry.my.company.com"
    config_file_content = var.plain_content_of_config_file
  }

  registry_auth {
    address  = "quay.io:8181"
    username = "someuser"
    password = "somepass"
  }
}

resource "docker_image" "ubuntu" {
  name = "ubuntu:precise"
}
