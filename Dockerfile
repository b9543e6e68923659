# Herald's container image: the five services and heraldctl in one image
# (each Deployment runs /usr/local/bin/herald-<service>).
#
#   scripts/image                    build it (docker, podman or buildah)
#   scripts/check-image-libs BIN...  prove the runtime stage has every shared
#                                    library those binaries load (runs in ctest)
#
# The registry and tag are set in one place: the `images:` of a k8s overlay.
ARG DEBIAN=debian:bookworm

# --- build: the same packages as a developer machine's scripts/bootstrap ----
FROM ${DEBIAN} AS build
WORKDIR /src
COPY scripts/bootstrap scripts/bootstrap
RUN scripts/bootstrap --build-only && rm -rf /var/lib/apt/lists/*
COPY . .
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHERALD_BUILD_TESTS=OFF \
 && cmake --build /build --target \
      herald-scheduler herald-publisher herald-listener herald-campaign herald-analytics heraldctl \
 && cmake --install /build --prefix /out --strip

# --- runtime: the binaries, the shared libraries they load, CA certificates
# (the publisher calls the networks over TLS) and tzdata (posts are scheduled
# in their IANA time zones) --------------------------------------------------
FROM ${DEBIAN}-slim AS runtime
# scripts/check-image-libs reads the package list between these markers.
# herald:runtime-packages begin
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      ca-certificates tzdata \
      libgrpc++1.51 librdkafka1 libhiredis0.14 libprometheus-cpp-pull1.0 \
      libcurl4 libspdlog1.10 libsodium23 libjemalloc2 libjwt0 libmicrohttpd12 \
 && rm -rf /var/lib/apt/lists/*
# herald:runtime-packages end
COPY --from=build /out/bin/ /usr/local/bin/
# Kubernetes runs it as this user with a read-only root filesystem; the
# services write nothing but /tmp (an emptyDir in the manifests).
USER 65532:65532
ENV TZ=UTC
LABEL org.opencontainers.image.title="herald" \
      org.opencontainers.image.description="Herald: social media management and marketing services"
CMD ["/usr/local/bin/heraldctl", "--help"]
