# The AI chatbot on DigitalOcean (seed 003's "DigitalOcean Deployment"): Droplets in a VPC with an
# SSH key, a cloud firewall opening 22/80/443, a managed PostgreSQL cluster that only the Droplets
# can reach, a load balancer in front when there is more than one Droplet, and the domain's A
# records. Seed 003's disaster-recovery runbook updates the DNS record by hand after a Droplet is
# rebuilt (`doctl compute domain records update`); here the record follows the Droplet: when a
# Droplet is lost, `plinth apply` recreates it and points its record (and the firewall, the
# database's trusted sources and the load balancer) at the new one.
#
# Against the emulator, offline:
#   cargo run --release -p plinth-do-emulator -- --listen 127.0.0.1:8080 --token dev-token &
#   export DIGITALOCEAN_API_URL=http://127.0.0.1:8080 DIGITALOCEAN_TOKEN=dev-token
#   plinth -chdir=examples/chatbot-digitalocean apply -auto-approve

terraform {
  required_providers {
    digitalocean = {
      source  = "digitalocean/digitalocean"
      version = "~> 2.0"
    }
  }
}

provider "digitalocean" {}

locals {
  tag        = "${var.project}-app"
  balanced   = var.droplet_count > 1
  db_sources = [for d in digitalocean_droplet.app : d.id]
}

resource "digitalocean_vpc" "main" {
  name        = "${var.project}-vpc"
  region      = var.region
  ip_range    = var.vpc_range
  description = "The chatbot's private network"
}

resource "digitalocean_ssh_key" "deploy" {
  name       = "${var.project}-deploy"
  public_key = var.ssh_public_key
}

resource "digitalocean_tag" "app" {
  name = local.tag
}

resource "digitalocean_droplet" "app" {
  count = var.droplet_count

  name      = "${var.project}-${count.index + 1}"
  size      = var.droplet_size
  image     = "ubuntu-22-04-x64"
  region    = var.region
  vpc_uuid  = digitalocean_vpc.main.id
  ssh_keys  = [digitalocean_ssh_key.deploy.fingerprint]
  tags      = [digitalocean_tag.app.id]
  user_data = templatefile("${path.module}/user-data.sh.tftpl", {
    database_host = digitalocean_database_cluster.main.private_host
    database_port = digitalocean_database_cluster.main.port
  })
  monitoring = true
}

resource "digitalocean_firewall" "app" {
  name        = "${var.project}-firewall"
  droplet_ids = digitalocean_droplet.app[*].id

  inbound_rule {
    protocol         = "tcp"
    port_range       = "22"
    source_addresses = var.ssh_sources
  }

  inbound_rule {
    protocol         = "tcp"
    port_range       = "80"
    source_addresses = ["0.0.0.0/0", "::/0"]
  }

  inbound_rule {
    protocol         = "tcp"
    port_range       = "443"
    source_addresses = ["0.0.0.0/0", "::/0"]
  }

  outbound_rule {
    protocol              = "tcp"
    port_range            = "1-65535"
    destination_addresses = ["0.0.0.0/0", "::/0"]
  }

  outbound_rule {
    protocol              = "udp"
    port_range            = "53"
    destination_addresses = ["0.0.0.0/0", "::/0"]
  }
}

resource "digitalocean_database_cluster" "main" {
  name                 = "${var.project}-db"
  engine               = "pg"
  version              = "15"
  size                 = var.database_size
  region               = var.region
  node_count           = 1
  private_network_uuid = digitalocean_vpc.main.id
}

# Only the Droplets reach the database.
resource "digitalocean_database_firewall" "main" {
  cluster_id = digitalocean_database_cluster.main.id

  dynamic "rule" {
    for_each = local.db_sources
    content {
      type  = "droplet"
      value = rule.value
    }
  }
}

resource "digitalocean_loadbalancer" "web" {
  count = local.balanced ? 1 : 0

  name        = "${var.project}-lb"
  region      = var.region
  vpc_uuid    = digitalocean_vpc.main.id
  droplet_ids = digitalocean_droplet.app[*].id

  forwarding_rule {
    entry_protocol  = "http"
    entry_port      = 80
    target_protocol = "http"
    target_port     = 80
  }

  healthcheck {
    protocol = "http"
    port     = 80
    path     = "/api/v1/health"
  }
}

resource "digitalocean_domain" "main" {
  name = var.domain
}

# The apex answers with the load balancer when there is one, else with the only Droplet.
resource "digitalocean_record" "apex" {
  domain = digitalocean_domain.main.id
  type   = "A"
  name   = "@"
  value  = local.balanced ? digitalocean_loadbalancer.web[0].ip : digitalocean_droplet.app[0].ipv4_address
  ttl    = 300
}

# One record per Droplet (app-1.example.com, ...), following it when it is rebuilt.
resource "digitalocean_record" "app" {
  count = var.droplet_count

  domain = digitalocean_domain.main.id
  type   = "A"
  name   = digitalocean_droplet.app[count.index].name
  value  = digitalocean_droplet.app[count.index].ipv4_address
  ttl    = 300
}
