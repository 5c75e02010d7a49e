# Portale Scuole. The two commands of the README:
#   make demo   start the portal on SQLite with the demo data (http://127.0.0.1:8080;
#               make demo ADDR=127.0.0.1:9090 to listen elsewhere, make demo-reset to start afresh)
#   make test   run every test (PostgreSQL too when PORTALE_TEST_POSTGRES is set)

GO ?= go
ADDR ?= 127.0.0.1:8080

.PHONY: demo demo-reset test assets build bench

# npm fetches the pinned front-end packages; scripts/vendor.mjs then copies the
# files the binary embeds into web/static/vendor (both folders are git-ignored).
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

web/static/vendor/.stamp: node_modules/.package-lock.json scripts/vendor.mjs
	node scripts/vendor.mjs
	touch $@

assets: web/static/vendor/.stamp

build: assets
	$(GO) build -o portalescuole ./cmd/portalescuole

demo: assets
	$(GO) run ./cmd/portalescuole serve --demo --db data/demo.db --addr $(ADDR)

# The demo database is kept between runs (passwords changed in it stay
# changed); this removes it and loads the demo afresh.
demo-reset:
	rm -f data/demo.db data/demo.db-wal data/demo.db-shm
	$(MAKE) demo

# The packages with goroutines run under the race detector (once: not also
# without it); the others run normally.
RACE_PKGS = aggregati allerta load mail store web
RACE_RE = /($(shell echo $(RACE_PKGS) | tr ' ' '|'))(/|$$)

test: assets
	$(GO) vet ./...
	$(GO) test -race -timeout 30m $(addprefix ./,$(addsuffix /...,$(RACE_PKGS)))
	$(GO) test -timeout 30m $$($(GO) list ./... | grep -Ev '$(RACE_RE)')

bench: assets
	$(GO) test -run '^$$' -bench . -benchmem ./...
