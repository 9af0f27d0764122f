# corpus: apply
# corpus: context .
# corpus: file src/index.html hello
# corpus: file src/app.conf port=80
# corpus: check image zoo {{.Os}} = linux
# An image rebuilt whenever a file under src/ changes.
resource "docker_image" "zoo" {
  name = "zoo"
  build {
    context = "."
  }
  triggers = {
    dir_sha1 = sha1(join("", [for f in fileset(path.module, "src/**") : filesha1(f)]))
  }
}
