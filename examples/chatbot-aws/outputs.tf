output "instance_id" {
  value = module.compute.instance_id
}

output "public_ip" {
  value = module.compute.public_ip
}

output "url" {
  value = "http://${aws_route53_record.app.fqdn}"
}

output "database_endpoint" {
  value = var.use_rds ? module.database[0].endpoint : null
}
