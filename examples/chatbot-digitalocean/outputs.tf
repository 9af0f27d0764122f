output "droplet_addresses" {
  description = "Each Droplet's public address."
  value       = { for d in digitalocean_droplet.app : d.name => d.ipv4_address }
}

output "entry_address" {
  description = "Where the domain's apex points: the load balancer, or the only Droplet."
  value       = digitalocean_record.apex.value
}

output "database_uri" {
  description = "The database's private connection URI (sensitive)."
  value       = digitalocean_database_cluster.main.private_uri
  sensitive   = true
}
