# syntax=docker/dockerfile:1
#
# stripe-billing-mock as a container: the same binary and the same flags and STRIPE_MOCK_* env vars
# as the CLI. Stages: chef (toolchain + cargo-chef) → planner (dependency recipe) → builder (deps
# cooked in their own cached layer, then the crate) → runtime (distroless, Debian 12 like the
# builder, so the glibc the binary was linked against is the one it runs with).
#
#   docker build -t stripe-billing-mock .
#   docker run --rm -p 12111:12111 stripe-billing-mock

ARG RUST_VERSION=1.95.0

FROM rust:${RUST_VERSION}-slim-bookworm AS chef
RUN cargo install cargo-chef --locked --version 0.1.78
WORKDIR /app

FROM chef AS planner
COPY . .
RUN cargo chef prepare --recipe-path recipe.json

FROM chef AS builder
COPY --from=planner /app/recipe.json recipe.json
# Dependencies only: this layer is reused until Cargo.toml or Cargo.lock change.
RUN cargo chef cook --release --locked --recipe-path recipe.json
COPY . .
RUN cargo build --release --locked

# The binary alone, for release archives: `docker buildx build --target binary --output dist .`
FROM scratch AS binary
COPY --from=builder /app/target/release/stripe-billing-mock /

# cc = glibc + libgcc_s, which a Rust binary for *-linux-gnu needs; no shell, no package manager.
FROM gcr.io/distroless/cc-debian12:nonroot AS runtime
COPY --from=builder /app/target/release/stripe-billing-mock /usr/local/bin/stripe-billing-mock
# Fixture documents go here: `-v "$PWD/fixtures:/fixtures:ro" -e STRIPE_MOCK_FIXTURES=/fixtures`
# loads every *.json in it into each new account, as `--fixtures` does for the CLI. Relative
# paths given to flags resolve here too.
WORKDIR /fixtures
# 65532 is distroless's `nonroot` user; a fixed numeric UID lets runAsNonRoot policies verify it.
USER 65532:65532
# Listen on every interface inside the container; the CLI's default (127.0.0.1) would be
# unreachable through a published port. The control plane (/_mock/*) then answers anyone who can
# reach the port: protect it with `-e STRIPE_MOCK_ADMIN_TOKEN=<token>` (sent as
# `Authorization: Bearer <token>`), and let other containers use a service name with
# `-e STRIPE_MOCK_ALLOW_HOST=<name>`. No token is set here, so the image's tests can use it.
ENV STRIPE_MOCK_HOST=0.0.0.0 \
    STRIPE_MOCK_PORT=12111
EXPOSE 12111
# No curl in the image: the binary checks GET /healthz itself, on STRIPE_MOCK_HOST/PORT.
HEALTHCHECK --interval=5s --timeout=3s --start-period=2s --retries=3 \
    CMD ["/usr/local/bin/stripe-billing-mock", "healthcheck"]
# Exec form: the mock is PID 1 and receives SIGTERM from `docker stop` directly, then drains
# in-flight requests and exits 0.
ENTRYPOINT ["/usr/local/bin/stripe-billing-mock"]
