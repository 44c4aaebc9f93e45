# A static fleetcheck in a distroless image: the binary only, run as a
# non-root user. Build: docker build -t fleetcheck .
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# CGO_ENABLED=0: the SQLite store is pure Go, so the binary needs no libc.
RUN CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o /out/fleetcheck ./cmd/fleetcheck

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/fleetcheck /fleetcheck
USER 65532:65532
ENTRYPOINT ["/fleetcheck"]
