# corpus: apply
# corpus: image alpine:3.19
# corpus: check container job {{.State.Status}} = exited
# corpus: check container job {{.State.ExitCode}} = 0
# A one-off job: started once, allowed to finish.
resource "docker_image" "alpine" {
  name = "alpine:3.19"
}

resource "docker_container" "job" {
  name     = "job"
  image    = docker_image.alpine.image_id
  command  = ["true"]
  must_run = false
}
