output "release_tags" {
  description = "Service => <service>:<semver>-<gitsha>."
  value       = { for service, image in docker_image.release : service => image.name }
}

output "stable_tags" {
  value = { for service, image in docker_image.stable : service => image.name }
}

output "image_ids" {
  value = { for service, image in docker_image.release : service => image.image_id }
}
