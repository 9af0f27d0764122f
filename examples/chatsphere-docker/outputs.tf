output "url" {
  description = "Where nginx answers."
  value       = "http://127.0.0.1:${var.http_port}/"
}

output "network_id" {
  value = docker_network.chatsphere.id
}

output "containers" {
  description = "Container names by service."
  value = {
    backend  = docker_container.backend.name
    frontend = docker_container.frontend.name
    db       = docker_container.db.name
    redis    = docker_container.redis.name
    nginx    = docker_container.nginx.name
  }
}

output "database_url" {
  value     = docker_container.backend.env
  sensitive = true
}

output "image_id" {
  value = docker_image.service.image_id
}
