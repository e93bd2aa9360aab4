# One image for every service: `run --target all` (default), or one of broker, ingest,
# processor, notifier, remediator (docker-compose.yml runs one per container).
#
# The base images are build arguments, so the image builds where Docker Hub cannot be reached:
#   docker build --build-arg JDK_IMAGE=my/jdk17 --build-arg JRE_IMAGE=my/jre17 -t homelab-alerts .
# Any Debian/Ubuntu-like image with a JDK 17 (build) or JRE 17 (run) and bash will do.
ARG JDK_IMAGE=eclipse-temurin:17-jdk
ARG JRE_IMAGE=eclipse-temurin:17-jre

FROM ${JDK_IMAGE} AS build
WORKDIR /src
COPY . .
RUN ./mvnw -B -q -DskipTests package -pl app -am && cp app/target/homelab-alerts.jar /homelab-alerts.jar

FROM ${JRE_IMAGE}
# A system user without a login; the remediator reaches the Docker socket through the group compose adds (DOCKER_GID).
RUN echo 'homelab:x:10001:10001:homelab-alerts:/var/lib/homelab-alerts:/usr/sbin/nologin' >> /etc/passwd \
    && echo 'homelab:x:10001:' >> /etc/group \
    && mkdir -p /var/lib/homelab-alerts/data /opt/homelab-alerts \
    && chown -R 10001:10001 /var/lib/homelab-alerts
COPY --from=build /homelab-alerts.jar /opt/homelab-alerts/homelab-alerts.jar
COPY deploy/healthcheck /opt/homelab-alerts/healthcheck
COPY bin/homelab-alerts /opt/homelab-alerts/homelab-alerts
USER 10001:10001
WORKDIR /var/lib/homelab-alerts
ENV DATA_DIR=/var/lib/homelab-alerts/data \
    HOME=/var/lib/homelab-alerts \
    MANAGEMENT_BIND=0.0.0.0
EXPOSE 9095 9097
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=4 CMD ["/opt/homelab-alerts/healthcheck"]
# The launcher sizes the JVM for a small box (HOMELAB_HEAP, JAVA_OPTS change it) and execs java.
ENTRYPOINT ["/bin/sh", "/opt/homelab-alerts/homelab-alerts"]
CMD ["run", "--target", "all"]
