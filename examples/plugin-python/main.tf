# A third-party provider written in Python, found in a local filesystem mirror (see README.md).

terraform {
  required_providers {
    notes = {
      source  = "example.com/examples/notes"
      version = "~> 0.1"
    }
  }
}

variable "directory" {
  type        = string
  description = "Where the notes provider keeps its files"
  default     = "notes"
}

provider "notes" {
  directory = var.directory
}

resource "notes_note" "welcome" {
  title = provider::notes::slug("Welcome to plinth!")
  body  = "plinth runs Terraform providers unchanged, whatever language they are written in."
}

data "notes_directory" "all" {
  suffix = ".txt"
}

output "note" {
  value = notes_note.welcome.id
}

output "words" {
  value = notes_note.welcome.words
}

output "notes" {
  value = data.notes_directory.all.names
}
