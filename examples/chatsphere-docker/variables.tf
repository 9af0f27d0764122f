variable "project" {
  description = "Prefix of every container, network and volume name."
  type        = string
  default     = "chatsphere"
}

variable "image_tag" {
  description = "Tag of the locally built service image."
  type        = string
  default     = "1.0.0"
}

variable "http_port" {
  description = "Host port nginx publishes (80 in production; tests pick a free one)."
  type        = number
  default     = 80
}

variable "wait_for_health" {
  description = "Whether apply waits until the health-checked services (backend, nginx) are healthy."
  type        = bool
  default     = true
}

variable "db_name" {
  type    = string
  default = "chatsphere"
}

variable "db_user" {
  type    = string
  default = "chatsphere_user"
}

variable "db_password" {
  description = "Database password (e.g. TF_VAR_db_password=$(openssl rand -base64 32))."
  type        = string
  sensitive   = true
}

variable "secret_key" {
  description = "Backend signing key."
  type        = string
  sensitive   = true
}
