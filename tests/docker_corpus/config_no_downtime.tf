# corpus: file foo.config.json.tpl {"server": {"port": ${port}}}
# A config renamed on every change and replaced before the old one goes, so a service using it
# never points at a missing config.
variable "service_name" {
  type    = string
  default = "web"
}

resource "docker_config" "service_config" {
  name = "${var.service_name}-config-${replace(timestamp(), ":", ".")}"
  data = base64encode(
    templatefile("${path.cwd}/foo.config.json.tpl",
      {
        port = 8080
      }
    )
  )

  lifecycle {
    ignore_changes        = [name]
    create_before_destroy = true
  }
}

resource "docker_service" "service" {
  name = var.service_name

  task_spec {
    container_spec {
      image = "nginx:latest"

      configs {
        config_id   = docker_config.service_config.id
        config_name = docker_config.service_config.name
        file_name   = "/root/configs/configs.json"
      }
    }
  }
}
