# corpus: apply
# corpus: image nginx:latest
# corpus: check container capable {{.HostConfig.CapAdd}} = [NET_ADMIN]
# corpus: check container capable {{.HostConfig.CapDrop}} = [MKNOD]
# Linux capabilities added to and dropped from a container.
resource "docker_image" "nginx" {
  name = "nginx:latest"
}

resource "docker_container" "capable" {
  name  = "capable"
  image = docker_image.nginx.image_id

  capabilities {
    add  = ["NET_ADMIN"]
    drop = ["MKNOD"]
  }
}
