# One image for every service: `run --target all` (default) or one of ingest, processor, notifier, remediator.
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY . .
RUN ./mvnw -B -q -DskipTests package -pl app -am

FROM eclipse-temurin:17-jre
RUN useradd --system --home /var/lib/homelab-alerts homelab && mkdir -p /var/lib/homelab-alerts && chown homelab /var/lib/homelab-alerts
COPY --from=build /src/app/target/homelab-alerts.jar /opt/homelab-alerts/homelab-alerts.jar
USER homelab
WORKDIR /var/lib/homelab-alerts
ENV DATA_DIR=/var/lib/homelab-alerts/data
EXPOSE 9095
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=50", "-jar", "/opt/homelab-alerts/homelab-alerts.jar"]
CMD ["run", "--target", "all"]
