#!/usr/bin/env bash
# Measures the docker-compose stack: image size, cold start to every container healthy, and
# each container's memory after an alert went through; then the demo profile: the victim stopped,
# how long until the alert is sent, the container runs again and the fix is verified, and every
# container's memory after that. Uses a throw-away project and .env.
#   bench/compose-stack.sh        (JDK_IMAGE / JRE_IMAGE as for docker compose build; the demo's
#                                  image is built on DEMO_BASE_IMAGE, default JRE_IMAGE)
set -euo pipefail
cd "$(dirname "$0")/.."
project="habench$$"
[ -e .env ] && { echo ".env exists: move it away first (this script writes its own)"; exit 1; }
sed -e 's/^PROMETHEUS_API_KEY=$/PROMETHEUS_API_KEY=bench-key/' -e 's/^PROCESSOR_API_KEY=$/PROCESSOR_API_KEY=bench-history/' .env.example > .env
export INGEST_PUBLISH="127.0.0.1:19095" DOCKER_GID="$(stat -c %g /var/run/docker.sock)" HOMELAB_IMAGE="${HOMELAB_IMAGE:-homelab-alerts:bench}"
dc() { docker-compose -p "$project" "$@"; }
# The legacy builder's deprecation notice on every image is noise; a failed build still shows its log.
build() { local log; log=$(mktemp); dc "$@" build -q 2>"$log" || { cat "$log"; rm -f "$log"; exit 1; }; rm -f "$log"; }
trap 'dc down -v >/dev/null 2>&1; rm -f .env' EXIT
build
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

# The demo: real Prometheus -> Alertmanager -> ingest, the victim stopped, the remediator heals it.
export DEMO_BASE_IMAGE="${DEMO_BASE_IMAGE:-${JRE_IMAGE:-debian:bookworm-slim}}" DEMO_IMAGE="${DEMO_IMAGE:-homelab-alerts-demo:bench}" \
  DEMO_PROMETHEUS_PUBLISH=19090 DEMO_ALERTMANAGER_PUBLISH=19093
trap 'dc --profile demo down -v >/dev/null 2>&1; rm -f .env' EXIT
docker rm -f demo-victim >/dev/null 2>&1 || true
build --profile demo
dc --profile demo up -d >/dev/null 2>&1
query='http://127.0.0.1:19090/api/v1/query?query=up%7Bjob%3D%22containers%22%7D'
until curl -fsS "$query" 2>/dev/null | grep -q '"name":"demo-victim".*,"1"\]'; do sleep 1; done
downs() { dc logs --no-color notifier | grep -c "Sent firing ContainerDown" || true; }
before=$(downs)
docker stop demo-victim >/dev/null
stopped=$(date +%s.%N)
until [ "$(downs)" -gt "$before" ]; do sleep 1; done
echo "demo: victim stopped -> ContainerDown sent: $(echo "$(date +%s.%N) - $stopped" | bc | xargs printf '%.1f') s"
until [ "$(docker inspect -f '{{.State.Running}}' demo-victim)" = true ]; do sleep 1; done
echo "demo: victim stopped -> running again: $(echo "$(date +%s.%N) - $stopped" | bc | xargs printf '%.1f') s"
until dc logs --no-color notifier | grep -q "Sent remediation FIXED"; do sleep 1; done
echo "demo: victim stopped -> fix verified (alert resolved): $(echo "$(date +%s.%N) - $stopped" | bc | xargs printf '%.1f') s"
sleep 5
echo "memory after the demo's alert was handled (RSS of the container's processes, and docker stats):"
for id in $(dc --profile demo ps -q); do
  name=$(docker inspect -f '{{.Name}}' "$id" | sed 's|^/||')
  rss=$(docker top "$id" -o pid,rss | awk 'NR>1 {s+=$2} END {printf "%.0f", s/1024}')
  echo "  $name: RSS ${rss} MiB, $(docker stats --no-stream --format '{{.MemUsage}}' "$id")"
done
