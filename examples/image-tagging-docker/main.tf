# Seed 001's tagging scheme: every service image is tagged <service>:<semver>-<gitsha>, plus an
# optional stable pointer <service>:<major>.<minor>. Images build locally from ./context (run
# ./prepare.sh first); the build args carry the version into the image's labels.

terraform {
  required_providers {
    docker = {
      source  = "kreuzwerker/docker"
      version = "~> 3.0"
    }
  }
}

provider "docker" {}

locals {
  release_tags = {
    for service, version in var.services :
    service => "${var.registry_prefix}${service}:${version}-${var.git_sha}"
  }
  stable_tags = var.stable_pointers ? {
    for service, version in var.services :
    service => "${var.registry_prefix}${service}:${join(".", slice(split(".", version), 0, 2))}"
  } : {}
}

resource "docker_image" "release" {
  for_each = local.release_tags

  name         = each.value
  keep_locally = false

  build {
    context = "${path.module}/context"
    build_args = {
      SERVICE = each.key
      VERSION = var.services[each.key]
      GIT_SHA = var.git_sha
    }
    labels = {
      "org.opencontainers.image.title"    = each.key
      "org.opencontainers.image.version"  = var.services[each.key]
      "org.opencontainers.image.revision" = var.git_sha
    }
  }

  triggers = {
    git_sha = var.git_sha
  }
}

resource "docker_image" "stable" {
  for_each = local.stable_tags

  name = each.value

  build {
    context = "${path.module}/context"
    labels = {
      "org.opencontainers.image.title"   = each.key
      "org.opencontainers.image.version" = var.services[each.key]
    }
  }

  triggers = {
    release = docker_image.release[each.key].image_id
  }
}
