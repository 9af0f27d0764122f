# PostgreSQL on RDS in the private subnets, reachable only from inside the VPC.

variable "vpc_id" {
  type = string
}

variable "vpc_cidr" {
  type = string
}

variable "subnet_ids" {
  type = list(string)
}

variable "environment" {
  type = string
}

variable "engine" {
  type = string
}

variable "engine_version" {
  type = string
}

variable "instance_class" {
  type = string
}

variable "password" {
  type      = string
  sensitive = true
}

resource "aws_security_group" "db" {
  name        = "chatbot-${var.environment}-db"
  description = "PostgreSQL from the VPC"
  vpc_id      = var.vpc_id

  ingress {
    from_port   = 5432
    to_port     = 5432
    protocol    = "tcp"
    cidr_blocks = [var.vpc_cidr]
  }
}

resource "aws_db_subnet_group" "db" {
  name       = "chatbot-${var.environment}"
  subnet_ids = var.subnet_ids
}

resource "aws_db_instance" "db" {
  identifier              = "chatbot-${var.environment}"
  engine                  = var.engine
  engine_version          = var.engine_version
  instance_class          = var.instance_class
  allocated_storage       = 20
  storage_encrypted       = true
  db_name                 = "chatbot"
  username                = "chatbot"
  password                = var.password
  vpc_security_group_ids  = [aws_security_group.db.id]
  db_subnet_group_name    = aws_db_subnet_group.db.name
  backup_retention_period = 7
  skip_final_snapshot     = true
}

output "endpoint" {
  value = aws_db_instance.db.endpoint
}
