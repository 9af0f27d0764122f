# The AI chatbot on AWS, laid out as its deployment guide's "Infrastructure as Code" section
# (seed 003) lays it out: modules `vpc` (public and private subnets across two zones),
# `compute` (one EC2 instance behind a security group opening 22/80/443, its user data rendered
# from a template holding the compose file and the environment), `database` (PostgreSQL 15 on
# RDS, only when `use_rds`) and `monitoring` (an SNS topic with an e-mail subscription and a CPU
# alarm on the instance). The guide's runbook repoints DNS by hand after a server is rebuilt;
# here a Route 53 record follows the instance, so replacing it moves the record too.
#
# The guide reads the compose file from `${path.root}/../docker-compose.prod.yml` (its
# repository's root); this example keeps its copy beside main.tf.

provider "aws" {
  region = var.aws_region
}

module "vpc" {
  source = "./modules/vpc"

  cidr_block  = "10.0.0.0/16"
  environment = var.environment
}

module "compute" {
  source = "./modules/compute"

  vpc_id        = module.vpc.vpc_id
  subnet_id     = module.vpc.public_subnet_id
  instance_type = var.instance_type
  environment   = var.environment

  user_data = templatefile("${path.module}/user-data.sh", {
    docker_compose_file = file("${path.root}/docker-compose.prod.yml")
    env_file            = var.env_file_content
  })
}

module "database" {
  source = "./modules/database"
  count  = var.use_rds ? 1 : 0

  vpc_id      = module.vpc.vpc_id
  vpc_cidr    = module.vpc.cidr_block
  subnet_ids  = module.vpc.private_subnet_ids
  environment = var.environment
  password    = var.db_password

  engine         = "postgres"
  engine_version = "15"
  instance_class = "db.t3.micro"
}

module "monitoring" {
  source = "./modules/monitoring"

  instance_id = module.compute.instance_id
  sns_email   = var.alert_email
  environment = var.environment
}

resource "aws_route53_zone" "main" {
  name          = var.domain
  force_destroy = true
}

# Follows the instance: a replaced instance's new address is written here in the same apply.
resource "aws_route53_record" "app" {
  zone_id = aws_route53_zone.main.zone_id
  name    = "chat.${var.domain}"
  type    = "A"
  ttl     = 60
  records = [module.compute.public_ip]
}
