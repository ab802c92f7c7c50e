# syntax=docker/dockerfile:1
# The OvenSpace room service and the page it serves.
# Build from the repository root:
#   docker build -f deploy/docker/room.Dockerfile -t ovenspace-room .
# Run with the config mounted (room.web_root: /opt/ovenspace/web) and the
# secrets in the environment:
#   docker run -p 5000:5000 -v $PWD/deploy/compose/ovenspace.yaml:/etc/ovenspace/ovenspace.yaml:ro \
#     -e OVENSPACE_OME_API_TOKEN=... -e OVENSPACE_WEBHOOK_SECRET=... ovenspace-room

FROM debian:12 AS build
# The same -dev packages scripts/deps.sh installs for a build (every library
# the tree's CMake files ask for, even those this target does not link),
# plus npm for the web bundle.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      g++ cmake ninja-build pkg-config \
      libboost1.81-dev libboost-url1.81-dev \
      nlohmann-json3-dev libyaml-cpp-dev libssl-dev libspdlog-dev libcli11-dev \
      libhiredis-dev \
      nodejs npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# The web bundle first: its layer is rebuilt only when web/ changes.
COPY web/package.json web/package-lock.json web/
RUN cd web && npm ci --no-audit --no-fund --loglevel=error
COPY . .
RUN cd web && npm run build
RUN cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DOVS_BUILD_TESTS=OFF -DOVS_WERROR=OFF \
 && cmake --build build --target ovenspace-room \
 && strip build/services/room/ovenspace-room

FROM debian:12-slim
# Runtime libraries only (Boost.URL, yaml-cpp, OpenSSL, spdlog and its fmt,
# hiredis for store: redis) and curl for the health check.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      libboost-url1.81.0 libyaml-cpp0.7 libssl3 libspdlog1.10 libfmt9 libhiredis0.14 \
      ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 ovenspace \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin ovenspace \
 && install -d -o 10001 -g 10001 -m 0700 /var/lib/ovenspace
COPY --from=build /src/build/services/room/ovenspace-room /usr/local/bin/ovenspace-room
COPY --from=build /src/web/dist /opt/ovenspace/web
# room.state_file lives in /var/lib/ovenspace (the service user's, 0700):
# mount a volume there (compose: a named volume, which starts as a copy of
# this directory and its owner; Kubernetes: an emptyDir). The root file
# system stays read-only.
VOLUME /var/lib/ovenspace
# Numeric, so Kubernetes can check runAsNonRoot without a passwd lookup.
USER 10001:10001
# 5000: the page, /api, the WebSocket /ws, /healthz, /readyz.
# 9591: /metrics, when the config's room.metrics binds it beyond loopback.
EXPOSE 5000 9591
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["curl", "--fail", "--silent", "--max-time", "2", "--output", "/dev/null", "http://127.0.0.1:5000/healthz"]
ENTRYPOINT ["/usr/local/bin/ovenspace-room"]
CMD ["--config", "/etc/ovenspace/ovenspace.yaml"]
