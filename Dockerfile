# syntax=docker/dockerfile:1
# passrole in a container: a static (musl) binary on a minimal base, run as a non-root user.
#   docker build -t passrole .
#   docker run --rm -v "$PWD:/src:ro" passrole scan .
# The base has no shell and no package manager; it has /tmp and a `nonroot` user (65532).

FROM rust:1-alpine AS build
# Alpine's Rust targets musl and links statically by default; musl-dev has the C runtime objects.
RUN apk add --no-cache musl-dev
WORKDIR /build
COPY . .
RUN cargo build --release --locked --bin passrole --config profile.release.strip=true \
    && ./target/release/passrole --version

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /build/target/release/passrole /usr/local/bin/passrole
ENV PATH=/usr/local/bin
USER nonroot
WORKDIR /src
ENTRYPOINT ["passrole"]
CMD ["scan", "."]
