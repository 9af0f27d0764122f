# corpus: apply
# corpus: check volume 524b0457aa2a87dd2b75c74c3e4e53f406974249e63ab3ed9bf21e5644f9dc7d {{.Scope}} = local
# The volume of the import example, named like an anonymous volume.
resource "docker_volume" "foo" {
  name = "524b0457aa2a87dd2b75c74c3e4e53f406974249e63ab3ed9bf21e5644f9dc7d"
}
