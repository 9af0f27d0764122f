variable "aws_region" {
  description = "The region to deploy to."
  type        = string
  default     = "us-east-1"
}

variable "db_username" {
  description = "The database's master user."
  type        = string
  default     = "gacetachat"
}

variable "db_password" {
  description = "The database's master password (8 characters or more); set TF_VAR_db_password."
  type        = string
  sensitive   = true
}
