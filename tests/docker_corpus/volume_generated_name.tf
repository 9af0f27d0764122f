# A volume whose name the engine chooses (planned only: its name would carry no prefix).
resource "docker_volume" "anonymous" {}

output "volume_name" {
  value = docker_volume.anonymous.name
}
