# ChatSphere (seed 000): backend, frontend, db, redis and nginx on one network, two named volumes,
# health checks, restart unless-stopped, port 80 published, secrets from sensitive variables.
# Every service is the busybox image built from ./context (run ./prepare.sh first), so each one
# really runs: httpd for the web tiers, sleep for the stores.

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
  service_image = docker_image.service.image_id
  network_name  = docker_network.chatsphere.name
}

resource "docker_image" "service" {
  name = "${var.project}-service:${var.image_tag}"

  build {
    context = "${path.module}/context"
    labels = {
      "org.opencontainers.image.title" = var.project
    }
  }

  triggers = {
    dockerfile = filesha1("${path.module}/context/Dockerfile")
    index      = filesha1("${path.module}/context/www/index.html")
  }
}

resource "docker_network" "chatsphere" {
  name = "${var.project}-net"

  labels {
    label = "com.chatsphere.stack"
    value = var.project
  }
}

resource "docker_volume" "postgres_data" {
  name = "${var.project}-postgres-data"
}

resource "docker_volume" "redis_data" {
  name = "${var.project}-redis-data"
}

resource "docker_container" "db" {
  name    = "${var.project}-db"
  image   = local.service_image
  command = ["sleep", "infinity"]
  restart = "unless-stopped"
  memory  = 2048

  env = [
    "POSTGRES_DB=${var.db_name}",
    "POSTGRES_USER=${var.db_user}",
    "POSTGRES_PASSWORD=${var.db_password}",
  ]

  volumes {
    volume_name    = docker_volume.postgres_data.name
    container_path = "/var/lib/postgresql/data"
  }

  networks_advanced {
    name    = local.network_name
    aliases = ["db"]
  }
}

resource "docker_container" "redis" {
  name    = "${var.project}-redis"
  image   = local.service_image
  command = ["sleep", "infinity"]
  restart = "unless-stopped"

  volumes {
    volume_name    = docker_volume.redis_data.name
    container_path = "/data"
  }

  networks_advanced {
    name    = local.network_name
    aliases = ["redis"]
  }
}

resource "docker_container" "backend" {
  name       = "${var.project}-backend"
  image      = local.service_image
  command    = ["httpd", "-f", "-p", "8000", "-h", "/www"]
  restart    = "unless-stopped"
  memory     = 1024
  cpu_shares = 1024

  env = [
    "DATABASE_URL=postgresql://${var.db_user}:${var.db_password}@db:5432/${var.db_name}",
    "REDIS_URL=redis://redis:6379/0",
    "SECRET_KEY=${var.secret_key}",
    "ENVIRONMENT=production",
    "DEBUG=0",
  ]

  healthcheck {
    test     = ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8000/health"]
    interval = "2s"
    timeout  = "2s"
    retries  = 3
  }
  wait         = var.wait_for_health
  wait_timeout = 60

  networks_advanced {
    name    = local.network_name
    aliases = ["backend"]
  }

  depends_on = [docker_container.db, docker_container.redis]
}

resource "docker_container" "frontend" {
  name       = "${var.project}-frontend"
  image      = local.service_image
  command    = ["httpd", "-f", "-p", "3000", "-h", "/www"]
  restart    = "unless-stopped"
  memory     = 512
  cpu_shares = 512

  env = [
    "REACT_APP_API_URL=http://backend:8000",
    "NODE_ENV=production",
  ]

  networks_advanced {
    name    = local.network_name
    aliases = ["frontend"]
  }

  depends_on = [docker_container.backend]
}

resource "docker_container" "nginx" {
  name    = "${var.project}-nginx"
  image   = local.service_image
  command = ["httpd", "-f", "-p", "80", "-h", "/www"]
  restart = "unless-stopped"

  ports {
    internal = 80
    external = var.http_port
  }

  healthcheck {
    test     = ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1/"]
    interval = "2s"
    timeout  = "2s"
    retries  = 3
  }
  wait = var.wait_for_health

  networks_advanced {
    name    = local.network_name
    aliases = ["nginx"]
  }

  depends_on = [docker_container.frontend, docker_container.backend]
}
