# corpus: apply
# corpus: check volume labelled_volume {{index .Labels "com.example.backup"}} = daily
# A volume with a label.
resource "docker_volume" "labelled" {
  name = "labelled_volume"

  labels {
    label = "com.example.backup"
    value = "daily"
  }
}
