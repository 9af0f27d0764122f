variable "names" {
  type = list(string)
}

variable "anything" {}

output "names" {
  value = var.names
}

output "anything" {
  value = var.anything
}

output "upper" {
  value = [for n in var.names : upper(n)]
}
