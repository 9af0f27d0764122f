variable "aws_region" {
  type    = string
  default = "us-east-1"
}

variable "environment" {
  description = "dev, staging or prod."
  type        = string
  default     = "prod"
}

variable "instance_type" {
  type    = string
  default = "t3.small"
}

variable "env_file_content" {
  description = "The backend's .env.prod."
  type        = string
  default     = "ENV=production\n"
  sensitive   = true
}

variable "use_rds" {
  description = "PostgreSQL on RDS instead of SQLite on the instance."
  type        = bool
  default     = true
}

variable "db_password" {
  description = "The database's master password (8 characters or more); set TF_VAR_db_password."
  type        = string
  sensitive   = true
}

variable "alert_email" {
  type    = string
  default = "ops@example.com"
}

variable "domain" {
  type    = string
  default = "chatbot.example.com"
}
