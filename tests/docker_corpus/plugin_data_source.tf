# corpus: validate-only reads an installed plugin, and none can be installed here
# A plugin looked up by alias and by id.
data "docker_plugin" "by_alias" {
  alias = "sample-volume-plugin:latest"
}

data "docker_plugin" "by_id" {
  id = "e9a9db917b3bfd6706b5d3a66d4bceb9f"
}
