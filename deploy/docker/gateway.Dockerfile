# syntax=docker/dockerfile:1
# The OvenSpace gateway: the only part that talks to OvenMediaEngine.
# Build from the repository root:
#   docker build -f deploy/docker/gateway.Dockerfile -t ovenspace-gateway .
# Run with the config mounted and the secrets in the environment:
#   docker run -v $PWD/deploy/compose/ovenspace.yaml:/etc/ovenspace/ovenspace.yaml:ro \
#     -e OVENSPACE_OME_API_TOKEN=... -e OVENSPACE_WEBHOOK_SECRET=... ovenspace-gateway

FROM debian:12 AS build
# The same -dev packages scripts/deps.sh installs for a build (every library
# the tree's CMake files ask for, even those this target does not link).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      g++ cmake ninja-build pkg-config \
      libboost1.81-dev libboost-url1.81-dev \
      nlohmann-json3-dev libyaml-cpp-dev libssl-dev libspdlog-dev libcli11-dev \
      libhiredis-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DOVS_BUILD_TESTS=OFF -DOVS_WERROR=OFF \
 && cmake --build build --target ovenspace-gateway \
 && strip build/services/gateway/ovenspace-gateway

FROM debian:12-slim
# Runtime libraries only (Boost.URL, yaml-cpp, OpenSSL, spdlog and its fmt),
# the CA store for an
# https OME API, and curl for the health check.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      libboost-url1.81.0 libyaml-cpp0.7 libssl3 libspdlog1.10 libfmt9 \
      ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 ovenspace \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin ovenspace
COPY --from=build /src/build/services/gateway/ovenspace-gateway /usr/local/bin/ovenspace-gateway
# Numeric, so Kubernetes can check runAsNonRoot without a passwd lookup.
USER 10001:10001
# 9595: webhooks (POST /v1/admission), /healthz, /readyz.
# 9600: the internal link the room service connects to.
# 9596: /metrics, when the config's gateway.metrics binds it beyond loopback.
EXPOSE 9595 9600 9596
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["curl", "--fail", "--silent", "--max-time", "2", "--output", "/dev/null", "http://127.0.0.1:9595/healthz"]
ENTRYPOINT ["/usr/local/bin/ovenspace-gateway"]
CMD ["--config", "/etc/ovenspace/ovenspace.yaml"]
