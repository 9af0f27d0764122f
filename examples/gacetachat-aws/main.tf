# GacetaChat on AWS, as its deployment guide (seed 002) writes it: a VPC with DNS support, an
# ECS cluster with a Fargate capacity provider strategy, and an encrypted PostgreSQL 15 database
# with 7-day backups and fixed backup and maintenance windows. The guide references a security
# group and a DB subnet group without showing them; they are completed here: two private
# subnets in two zones, and a security group that lets only the VPC reach PostgreSQL.

provider "aws" {
  region = var.aws_region
}

# VPC and Networking
resource "aws_vpc" "main" {
  cidr_block           = "10.0.0.0/16"
  enable_dns_hostnames = true
  enable_dns_support   = true

  tags = {
    Name = "gacetachat-vpc"
  }
}

data "aws_availability_zones" "available" {
  state = "available"
}

resource "aws_subnet" "private" {
  count             = 2
  vpc_id            = aws_vpc.main.id
  cidr_block        = cidrsubnet(aws_vpc.main.cidr_block, 8, count.index + 10)
  availability_zone = data.aws_availability_zones.available.names[count.index]

  tags = {
    Name = "gacetachat-private-${count.index}"
  }
}

resource "aws_security_group" "rds" {
  name        = "gacetachat-rds"
  description = "PostgreSQL from inside the VPC"
  vpc_id      = aws_vpc.main.id

  ingress {
    from_port   = 5432
    to_port     = 5432
    protocol    = "tcp"
    cidr_blocks = [aws_vpc.main.cidr_block]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }

  tags = {
    Name = "gacetachat-rds"
  }
}

resource "aws_db_subnet_group" "main" {
  name       = "gacetachat-db"
  subnet_ids = aws_subnet.private[*].id

  tags = {
    Name = "gacetachat-db"
  }
}

# ECS Cluster
resource "aws_ecs_cluster" "main" {
  name = "gacetachat-cluster"

  capacity_providers = ["FARGATE"]

  default_capacity_provider_strategy {
    capacity_provider = "FARGATE"
    weight           = 1
  }
}

# RDS Database
resource "aws_db_instance" "main" {
  identifier             = "gacetachat-db"
  engine                 = "postgres"
  engine_version         = "15.4"
  instance_class         = "db.t3.micro"
  allocated_storage      = 20
  storage_encrypted      = true
  
  db_name  = "gacetachat"
  username = var.db_username
  password = var.db_password
  
  vpc_security_group_ids = [aws_security_group.rds.id]
  db_subnet_group_name   = aws_db_subnet_group.main.name
  
  backup_retention_period = 7
  backup_window          = var.backup_window
  maintenance_window     = var.maintenance_window
  
  skip_final_snapshot = true
}
