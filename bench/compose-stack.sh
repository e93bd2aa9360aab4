#!/usr/bin/env bash
# Measures the docker-compose stack: image size, cold start to every container healthy, and
# each container's memory after an alert went through. Uses a throw-away project and .env.
#   bench/compose-stack.sh        (JDK_IMAGE / JRE_IMAGE as for docker compose build)
set -euo pipefail
cd "$(dirname "$0")/.."
project="habench$$"
[ -e .env ] && { echo ".env exists: move it away first (this script writes its own)"; exit 1; }
sed -e 's/^PROMETHEUS_API_KEY=$/PROMETHEUS_API_KEY=bench-key/' -e 's/^PROCESSOR_API_KEY=$/PROCESSOR_API_KEY=bench-history/' .env.example > .env
export INGEST_PUBLISH="127.0.0.1:19095" DOCKER_GID="$(stat -c %g /var/run/docker.sock)" HOMELAB_IMAGE="${HOMELAB_IMAGE:-homelab-alerts:bench}"
dc() { docker-compose -p "$project" "$@"; }
trap 'dc down -v >/dev/null 2>&1; rm -f .env' EXIT
dc build -q
echo "image $HOMELAB_IMAGE: $(docker image inspect -f '{{.Size}}' "$HOMELAB_IMAGE" | awk '{printf "%.0f MB", $1/1e6}')"
start=$(date +%s.%N)
dc up -d >/dev/null 2>&1
until [ "$(for s in broker ingest processor notifier remediator; do docker inspect -f '{{.State.Health.Status}}' "$(dc ps -q $s)"; done | sort -u)" = healthy ]; do sleep 1; done
echo "cold start to all 5 healthy: $(echo "$(date +%s.%N) - $start" | bc | xargs printf '%.1f') s"
curl -fsS -o /dev/null -H 'X-API-Key: bench-key' -H 'Content-Type: application/json' \
  --data-binary @../shared/fixtures/alertmanager-0.25/firing-group.json http://127.0.0.1:19095/prometheus/webhook 2>/dev/null \
  || curl -fsS -o /dev/null -H 'X-API-Key: bench-key' -H 'Content-Type: application/json' --data-binary @examples/test-alert.json http://127.0.0.1:19095/prometheus/webhook
until dc logs --no-color notifier | grep -q "Sent firing"; do sleep 1; done
sleep 5
echo "memory after one alert went through (docker stats):"
docker stats --no-stream --format '  {{.Name}}: {{.MemUsage}}' $(dc ps -q)
