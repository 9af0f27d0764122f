# A small plinth configuration that needs no cloud account: `terraform_data` resources keep their
# values in the local state file (plinth.tfstate), so plan, apply, outputs, replacement and
# destroy can be tried anywhere.
#
#   plinth -chdir=examples/quickstart apply -auto-approve
#   plinth -chdir=examples/quickstart apply -auto-approve -var environment=staging
#   plinth -chdir=examples/quickstart destroy -auto-approve

variable "environment" {
  type        = string
  default     = "dev"
  description = "Name of the environment, part of every resource's name."
}

variable "services" {
  type        = map(number)
  description = "Service name to port."
  default = {
    web = 8080
    api = 9090
  }
}

locals {
  prefix = "quickstart-${var.environment}"
}

resource "terraform_data" "network" {
  input = {
    name = "${local.prefix}-network"
    cidr = cidrsubnet("10.0.0.0/16", 8, 1)
  }
}

resource "terraform_data" "service" {
  for_each = var.services

  input = {
    name    = "${local.prefix}-${each.key}"
    port    = each.value
    network = terraform_data.network.output.name
  }
}

# Replaced whenever the set of services changes.
resource "terraform_data" "release" {
  input            = "${local.prefix}: ${length(var.services)} services"
  triggers_replace = sort(keys(var.services))
}

output "network" {
  description = "The network every service joins."
  value       = terraform_data.network.output.name
}

output "endpoints" {
  description = "Where each service listens."
  value = {
    for name, service in terraform_data.service :
    name => "${service.output.name}:${service.output.port}"
  }
}
