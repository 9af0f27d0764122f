variable "services" {
  description = "Service name => semantic version (seed 001: <service>:<semver>-<gitsha>)."
  type        = map(string)
  default = {
    "user-service"         = "1.3.0"
    "message-service"      = "2.0.1"
    "presence-service"     = "0.9.4"
    "notification-service" = "1.0.0"
  }

  validation {
    condition     = alltrue([for v in values(var.services) : can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+$", v))])
    error_message = "Every version must be MAJOR.MINOR.PATCH."
  }
}

variable "git_sha" {
  description = "Short commit of the build (git rev-parse --short HEAD)."
  type        = string
  default     = "ab12cd3"

  validation {
    condition     = can(regex("^[0-9a-f]{7,40}$", var.git_sha))
    error_message = "git_sha must be 7 to 40 lowercase hex digits."
  }
}

variable "registry_prefix" {
  description = "Repository prefix, e.g. chat-app/."
  type        = string
  default     = "chat-app/"
}

variable "stable_pointers" {
  description = "Also tag <service>:<major>.<minor> for rollout tools."
  type        = bool
  default     = true
}
