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

# The seed's windows. They only touch, which AWS accepts; moto counts them as overlapping, so
# the tests against moto set TF_VAR_backup_window=03:00-03:30.
variable "backup_window" {
  description = "The daily backup window (UTC)."
  type        = string
  default     = "03:00-04:00"
}

variable "maintenance_window" {
  description = "The weekly maintenance window (UTC)."
  type        = string
  default     = "sun:04:00-sun:05:00"
}
