# corpus: apply
# corpus: image nginx:latest
# corpus: check container hardened {{.HostConfig.SecurityOpt}} = [no-new-privileges]
# corpus: check container hardened {{.HostConfig.GroupAdd}} = [1000]
# corpus: check container hardened {{.HostConfig.CgroupnsMode}} = private
# Security options, an extra group and a private cgroup namespace.
resource "docker_image" "nginx" {
  name = "nginx:latest"
}

resource "docker_container" "hardened" {
  name          = "hardened"
  image         = docker_image.nginx.image_id
  security_opts = ["no-new-privileges"]
  group_add     = ["1000"]
  cgroupns_mode = "private"
}
