#!/bin/bash
# Seed 003's single-server deployment: Docker and the chatbot's compose stack.
set -euo pipefail
curl -fsSL https://get.docker.com | sh
mkdir -p /opt/chatbot
cat > /opt/chatbot/docker-compose.prod.yml <<'COMPOSE'
${docker_compose_file}
COMPOSE
cat > /opt/chatbot/.env.prod <<'ENV'
${env_file}
ENV
cd /opt/chatbot && docker compose -f docker-compose.prod.yml up -d
