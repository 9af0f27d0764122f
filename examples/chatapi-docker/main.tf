# ChatAPI production shape (seed 004): api x3 and worker x2 with count, redis, and an
# nginx-style front whose configuration is rendered by templatefile from the api containers'
# names. Services are the busybox image built from ./context (run ./prepare.sh first); the front
# is busybox httpd, which serves the rendered upstream configuration at /upstreams.conf.

terraform {
  required_providers {
    docker = {
      source  = "kreuzwerker/docker"
      version = "~> 3.0"
    }
  }
}

provider "docker" {}

locals {
  api_port = 80
  env = concat(
    [for key, value in var.settings : "${key}=${value}"],
    [
      "SECRET_KEY=${var.secret_key}",
      "SMTP_PASSWORD=${var.smtp_password}",
    ],
  )
  front_config = templatefile("${path.module}/templates/upstreams.conf.tftpl", {
    project   = var.project
    api_names = docker_container.api[*].name
    api_port  = local.api_port
  })
}

resource "docker_image" "app" {
  name = "${var.project}:latest"

  build {
    context = "${path.module}/context"
  }

  triggers = {
    dockerfile = filesha1("${path.module}/context/Dockerfile")
  }
}

resource "docker_network" "internal" {
  name = "${var.project}-internal"
}

resource "docker_volume" "redis_data" {
  name = "${var.project}-redis-data"
}

resource "docker_container" "redis" {
  name    = "${var.project}-redis"
  image   = docker_image.app.image_id
  command = ["sleep", "infinity"]
  restart = "unless-stopped"
  memory  = 1024

  volumes {
    volume_name    = docker_volume.redis_data.name
    container_path = "/data"
  }

  networks_advanced {
    name    = docker_network.internal.name
    aliases = ["redis"]
  }
}

resource "docker_container" "api" {
  count = var.api_replicas

  name    = "${var.project}-api-${count.index + 1}"
  image   = docker_image.app.image_id
  command = ["httpd", "-f", "-p", tostring(local.api_port), "-h", "/www"]
  restart = "unless-stopped"
  memory  = 4096
  env     = local.env

  healthcheck {
    test     = ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:${local.api_port}/health"]
    interval = "2s"
    timeout  = "2s"
    retries  = 3
  }
  wait = true

  networks_advanced {
    name    = docker_network.internal.name
    aliases = ["api", "api${count.index + 1}"]
  }

  depends_on = [docker_container.redis]
}

resource "docker_container" "worker" {
  count = var.worker_replicas

  name    = "${var.project}-worker-${count.index + 1}"
  image   = docker_image.app.image_id
  command = ["sh", "-c", "echo worker ${count.index + 1} consuming; exec sleep infinity"]
  restart = "unless-stopped"
  memory  = 2048
  env     = local.env

  networks_advanced {
    name = docker_network.internal.name
  }

  depends_on = [docker_container.redis]
}

resource "docker_container" "front" {
  name    = "${var.project}-front"
  image   = docker_image.app.image_id
  restart = "unless-stopped"

  # The rendered configuration travels as an environment variable and is written at start.
  env = ["FRONT_CONFIG=${local.front_config}"]
  command = [
    "sh", "-c",
    "mkdir -p /etc/nginx/conf.d && printf '%s\\n' \"$FRONT_CONFIG\" > /etc/nginx/conf.d/default.conf && cp /etc/nginx/conf.d/default.conf /www/upstreams.conf && exec httpd -f -p 80 -h /www",
  ]

  ports {
    internal = 80
    external = var.http_port
  }

  healthcheck {
    test     = ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1/upstreams.conf"]
    interval = "2s"
    timeout  = "2s"
    retries  = 3
  }
  wait = true

  networks_advanced {
    name = docker_network.internal.name
  }
}
