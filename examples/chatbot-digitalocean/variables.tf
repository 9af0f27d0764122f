variable "project" {
  description = "Prefix of every name."
  type        = string
  default     = "chatbot"
}

variable "region" {
  description = "The DigitalOcean region."
  type        = string
  default     = "nyc3"
}

variable "droplet_count" {
  description = "How many app Droplets; with more than one, a load balancer fronts them."
  type        = number
  default     = 2

  validation {
    condition     = var.droplet_count >= 1
    error_message = "At least one Droplet is needed."
  }
}

variable "droplet_size" {
  description = "The Droplets' size (seed 003: s-1vcpu-2gb)."
  type        = string
  default     = "s-1vcpu-2gb"
}

variable "database_size" {
  description = "The database nodes' size."
  type        = string
  default     = "db-s-1vcpu-1gb"
}

variable "vpc_range" {
  description = "The VPC's private range."
  type        = string
  default     = "10.20.0.0/20"
}

variable "ssh_public_key" {
  description = "The deploy key (OpenSSH format)."
  type        = string
  default     = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGJ0Y2VudHJhbC1wbGludGgtdGVzdC1rZXktMDAwMDAx chatbot@deploy"
}

variable "ssh_sources" {
  description = "Who may reach port 22 (restrict it in production)."
  type        = list(string)
  default     = ["0.0.0.0/0", "::/0"]
}

variable "domain" {
  description = "The domain the chatbot answers on."
  type        = string
  default     = "chatbot.example.com"
}
