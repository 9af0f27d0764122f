variable "project" {
  description = "Prefix of every container, network and volume name."
  type        = string
  default     = "chatapi"
}

variable "api_replicas" {
  description = "API instances behind the front (seed 004: 3)."
  type        = number
  default     = 3
}

variable "worker_replicas" {
  description = "Queue workers (seed 004: 2)."
  type        = number
  default     = 2
}

variable "http_port" {
  description = "Host port the front publishes."
  type        = number
  default     = 80
}

variable "secret_key" {
  description = "API signing key."
  type        = string
  sensitive   = true
}

variable "smtp_password" {
  type      = string
  sensitive = true
}

variable "settings" {
  description = "Non-secret settings from .env.production."
  type        = map(string)
  default = {
    ENVIRONMENT                 = "production"
    DEBUG                       = "false"
    REDIS_URL                   = "redis://redis:6379/0"
    ACCESS_TOKEN_EXPIRE_MINUTES = "60"
    REFRESH_TOKEN_EXPIRE_DAYS   = "30"
    API_V1_STR                  = "/api/v1"
    LOG_LEVEL                   = "INFO"
  }
}
