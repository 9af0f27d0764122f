output "url" {
  value = "http://127.0.0.1:${var.http_port}/"
}

output "api_names" {
  value = docker_container.api[*].name
}

output "worker_names" {
  value = docker_container.worker[*].name
}

output "front_config" {
  description = "The configuration rendered for the front."
  value       = local.front_config
}
