# Outputs whose types `output -json` reports as Terraform does; the expected types are
# Terraform's own, in ../terraform_types.json (scripts/output-type-goldens.sh).

variable "typed_list" {
  type    = list(string)
  default = ["a", "b"]
}

variable "typed_map" {
  type    = map(number)
  default = { a = 1 }
}

variable "untyped" {
  default = [1, "a"]
}

variable "obj" {
  type    = object({ name = string, size = number, note = optional(string) })
  default = { name = "x", size = 1 }
}

variable "any_var" {
  type    = any
  default = { a = [1, 2] }
}

variable "list_of_any" {
  type    = list(any)
  default = [1, 2]
}

variable "set_var" {
  type    = set(string)
  default = ["b", "a"]
}

variable "cli" {}

locals {
  l = tolist(["x"])
  o = { k = "v" }
}

resource "terraform_data" "x" {
  input = { a = 1 }
}

module "child" {
  source   = "./child"
  names    = ["p", "q"]
  anything = ["r"]
}

output "string" { value = "hello" }
output "number" { value = 1 }
output "bool" { value = true }
output "tuple" { value = [1, "a"] }
output "empty_tuple" { value = [] }
output "empty_object" { value = {} }
output "object" { value = { a = 1, b = "x" } }
output "list" { value = tolist(["a", "b"]) }
output "map" { value = tomap({ a = 1, b = 2 }) }
output "set" { value = toset(["b", "a"]) }
output "typed_list" { value = var.typed_list }
output "typed_map" { value = var.typed_map }
output "untyped" { value = var.untyped }
output "obj" { value = var.obj }
output "obj_attr" { value = var.obj.name }
output "any_var" { value = var.any_var }
output "list_of_any" { value = var.list_of_any }
output "set_var" { value = var.set_var }
output "cli" { value = var.cli }
output "local_list" { value = local.l }
output "local_obj" { value = local.o }
output "for_tuple" { value = [for s in var.typed_list : upper(s)] }
output "for_object" { value = { for s in var.typed_list : s => 1 } }
output "split" { value = split(",", "a,b") }
output "keys_map" { value = keys(var.typed_map) }
output "keys_obj" { value = keys(var.obj) }
output "values_map" { value = values(var.typed_map) }
output "cond" { value = true ? var.typed_list : [] }
output "nested" { value = { l = var.typed_list, t = [1] } }
output "sensitive" {
  value     = "s"
  sensitive = true
}
output "data_output" { value = terraform_data.x.output }
output "data_whole" { value = terraform_data.x }
output "jsondecode" { value = jsondecode("{\"a\":[1,2]}") }
output "index" { value = var.typed_list[0] }
output "splat" { value = var.typed_list[*] }
output "merge" { value = merge({ a = 1 }, { b = "x" }) }
output "merge_maps" { value = merge(var.typed_map, var.typed_map) }
output "concat" { value = concat(["a"], ["b"]) }
output "concat_lists" { value = concat(var.typed_list, ["b"]) }
output "range" { value = range(3) }
output "length" { value = length(var.typed_list) }
output "template" { value = "x${var.typed_list[0]}" }
output "sort" { value = sort(["b", "a"]) }
output "flatten" { value = flatten([["a"], ["b"]]) }
output "lookup" { value = lookup(var.typed_map, "a", 0) }
output "zipmap" { value = zipmap(["a"], [1]) }
output "distinct" { value = distinct(["a", "a"]) }
output "setunion" { value = setunion(["a"], ["b"]) }
output "tostring" { value = tostring(1) }
output "list_of_obj" { value = [{ a = 1 }, { a = 2 }] }
output "tolist_obj" { value = tolist([{ a = 1 }, { a = "x" }]) }
output "coalesce" { value = coalesce("", "a") }
output "compact" { value = compact(["a", ""]) }
output "element" { value = element(var.typed_list, 0) }
output "try" { value = try(var.typed_list, []) }
output "path" { value = path.module }
output "module_list" { value = module.child.names }
output "module_untyped" { value = module.child.anything }
output "module_for" { value = module.child.upper }
output "module_whole" { value = module.child }
output "arithmetic" { value = 1 + 2 }
output "comparison" { value = 1 < 2 }
output "tomap_of_lists" { value = tomap({ a = var.typed_list, b = ["c"] }) }
