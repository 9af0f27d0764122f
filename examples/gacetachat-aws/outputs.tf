output "vpc_id" {
  value = aws_vpc.main.id
}

output "ecs_cluster_arn" {
  value = aws_ecs_cluster.main.arn
}

output "db_endpoint" {
  value = aws_db_instance.main.endpoint
}
