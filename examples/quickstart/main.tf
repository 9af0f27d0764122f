# A small plinth configuration that needs no cloud account and no network: `terraform_data`
# resources keep their values in the local state file (plinth.tfstate), a random password and
# deployment id come from the built-in `random` provider, an SSH key pair from `tls`, files
# under generated/ are rendered by the built-in `local` provider, and a `local-exec` step
# reports what was written. Plan, apply, outputs, replacement and destroy can be tried anywhere.
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

# Generated once and kept in state; never printed.
resource "random_password" "database" {
  length           = 20
  override_special = "_-"
}

# Replaced (a new id) whenever the environment changes.
resource "random_id" "deployment" {
  byte_length = 4
  keepers     = { environment = var.environment }
}

# An SSH key pair for the deployment: the private key stays in state and is never printed.
resource "tls_private_key" "deploy" {
  algorithm = "ED25519"
}

resource "local_file" "deploy_key_pub" {
  filename = "${path.module}/generated/${var.environment}/deploy_key.pub"
  content  = tls_private_key.deploy.public_key_openssh
}

resource "local_file" "settings" {
  filename        = "${path.module}/generated/${var.environment}/services.env"
  file_permission = "0644"
  content = join("", [
    for name, service in terraform_data.service :
    "${upper(name)}_ENDPOINT=${service.output.name}:${service.output.port}\n"
  ])
}

resource "local_sensitive_file" "credentials" {
  filename = "${path.module}/generated/${var.environment}/database.env"
  content  = "DATABASE_PASSWORD=${random_password.database.result}\n"
}

# Runs once the files exist, and again whenever they change.
resource "null_resource" "announce" {
  triggers = {
    settings    = local_file.settings.id
    credentials = local_sensitive_file.credentials.id
  }

  provisioner "local-exec" {
    command = "echo \"deployment ${random_id.deployment.hex}: wrote $(wc -l < ${local_file.settings.filename}) service endpoints to ${local_file.settings.filename}\""
  }
}

output "network" {
  description = "The network every service joins."
  value       = terraform_data.network.output.name
}

output "deployment" {
  description = "The deployment's random id."
  value       = random_id.deployment.hex
}

output "database_password" {
  description = "The generated password (shown by `plinth output -raw database_password`)."
  value       = random_password.database.result
  sensitive   = true
}

output "endpoints" {
  description = "Where each service listens."
  value = {
    for name, service in terraform_data.service :
    name => "${service.output.name}:${service.output.port}"
  }
}
