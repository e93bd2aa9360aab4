#!/usr/bin/env bash
# Makes the image's base images locally, for machines that cannot pull from Docker Hub:
# Debian bookworm (debootstrap) with Debian's OpenJDK 17, trusting what this machine trusts.
#   deploy/local-base-images.sh            # makes homelab-local/jdk17 and homelab-local/jre17
#   JDK_IMAGE=homelab-local/jdk17 JRE_IMAGE=homelab-local/jre17 docker-compose build
# Needs root, debootstrap and a Debian mirror (MIRROR, default deb.debian.org).
set -euo pipefail
mirror="${MIRROR:-http://deb.debian.org/debian}"
make() { # name, packages
  local name="$1" packages="$2" root
  if docker image inspect "$name" >/dev/null 2>&1; then echo "$name exists"; return; fi
  root="$(mktemp -d)"
  debootstrap --variant=minbase --include="$packages" bookworm "$root" "$mirror" >/dev/null
  # The registries this machine reaches, with the certificates it trusts (a proxy's CA, say).
  cp -a /etc/ssl/certs/. "$root/etc/ssl/certs/"
  if [ -d /usr/local/share/ca-certificates ]; then cp -a /usr/local/share/ca-certificates/. "$root/usr/local/share/ca-certificates/"; fi
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  tar -C "$root" -c . | docker import -c 'ENV LANG=C.UTF-8' - "$name" >/dev/null
  rm -rf "$root"
  echo "made $name"
}
make homelab-local/jre17 openjdk-17-jre-headless,ca-certificates
make homelab-local/jdk17 openjdk-17-jdk-headless,ca-certificates
