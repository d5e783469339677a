# reinhardt-auth for Go. `make test` runs every test; `make lint` the checks.
GO        ?= go
PKGS      ?= ./...
FUZZTIME  ?= 10s
BENCHTIME ?= 1s
STATICCHECK_VERSION ?= v0.8.2
BIN       := $(CURDIR)/.bin

FRAMEWORK ?= gin

.PHONY: run test test-migrations test-faults test-short test-go1.27 lint bench bench-compare bench-report loadtest hugebody soak fuzz cover deps tools services services-stop

## run: the showcase auth server (FRAMEWORK=gin|echo|fiber|stdhttp) on the embedded SQLite default
run:
	$(GO) run ./examples/$(FRAMEWORK)

## test: every test with the race detector, after installing what the tests use,
## against a throwaway PostgreSQL and Redis (scripts/services.sh), stopped even on failure
test: deps
	@bash scripts/services.sh start
	@status=0; env $$(cat $(BIN)/deps.env $(BIN)/services.env 2>/dev/null) $(GO) test -race -count=1 -timeout 20m $(PKGS) || status=$$?; \
	bash scripts/services.sh stop; exit $$status

## test-migrations: examples' TestConcurrentStart at 20 rounds per database (make test runs 2):
## the four example servers and authctl migrate started at once on new and Django-made SQLite and
## PostgreSQL databases (about 10 minutes on a shared 2-core machine; see README)
test-migrations: deps
	@bash scripts/services.sh start
	@status=0; env $$(cat $(BIN)/deps.env $(BIN)/services.env 2>/dev/null) REINHARDT_CONCURRENT_STARTS=20 $(GO) test -race -count=1 -timeout 30m -run '^TestConcurrentStart$$' -v ./examples/ || status=$$?; \
	bash scripts/services.sh stop; exit $$status

## test-faults: examples' store-fault tests in full: Redis paused and stopped, PostgreSQL
## killed and paused, each under load on each framework (make test runs one pause and one
## kill), and the AOF crash test; each runs its own redis-server and PostgreSQL (about 5 minutes)
test-faults: deps
	@bash scripts/services.sh start
	@status=0; env $$(cat $(BIN)/deps.env $(BIN)/services.env 2>/dev/null) REINHARDT_FAULTS=all $(GO) test -race -count=1 -timeout 20m -run '^(TestStoreFaults|TestSessionsSurviveRedisCrash)$$' -v ./examples/ || status=$$?; \
	bash scripts/services.sh stop; exit $$status

## services / services-stop: the test PostgreSQL and Redis, by hand (their URLs: .bin/services.env)
services:
	@bash scripts/services.sh start
services-stop:
	@bash scripts/services.sh stop

## test-short: quick run without the race detector or optional services
test-short:
	$(GO) test -short $(PKGS)

## test-go1.27: the short suite on the newest supported Go (go.mod's go line stays at the
## oldest, 1.26); the go command fetches the toolchain through the module proxy
GO127 ?= go1.27.3
test-go1.27:
	GOTOOLCHAIN=$(GO127) $(GO) version
	GOTOOLCHAIN=$(GO127) $(GO) vet $(PKGS)
	GOTOOLCHAIN=$(GO127) $(GO) test -short -count=1 $(PKGS)

## deps: install what the tests need when it is missing (Debian; as root in CI)
deps:
	@mkdir -p $(BIN)
	@bash scripts/deps.sh > $(BIN)/deps.env

## lint: gofmt, go vet and staticcheck must all be clean
lint: tools
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	$(BIN)/staticcheck $(PKGS)

tools:
	@test -x $(BIN)/staticcheck || GOBIN=$(BIN) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

## bench: the library's own benchmarks (comparisons with other libraries live in bench/)
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) $(PKGS)

## bench-compare: every results file of bench/results/ that the benchmarks of this repository
## make, each by scripts/bench-record.sh (interleaved rounds of -count 1, after the machine's
## nproc, Go version, date and load); the session benchmarks against the test services.
## A file whose benchmark is missing is left as it is. Then `make bench-report`.
bench-compare:
	@bash scripts/services.sh start
	env $$(cat $(BIN)/services.env) bash scripts/bench-record.sh bench/results/sessions.txt bench '^Benchmark(Sessions|Harness)$$' 10 1
	bash scripts/bench-record.sh bench/results/jwt.txt bench '^BenchmarkJWT$$' 5 1
	bash scripts/bench-record.sh bench/results/oauth2.txt bench '^BenchmarkOAuth2(Harness)?$$' 6 1
	bash scripts/bench-record.sh bench/results/argon2.txt bench '^BenchmarkArgon2$$' 10 1
	bash scripts/bench-record.sh bench/results/permissions.txt . '^BenchmarkPermissions$$' 10 1 ./core

## bench-report: docs/benchmarks.md's generated tables and the charts of docs/benchmarks/ from
## bench/results/*.txt (bench/cmd/benchreport; the prose around the tables is left as it is)
bench-report:
	cd bench && $(GO) run ./cmd/benchreport -results results -doc ../docs/benchmarks.md -charts ../docs/benchmarks

## loadtest: wrk (one thread, LOADCONNS connections, LOADTIME per run) against each example's
## GET /api/me with one access token, next to minimal apps with the framework's usual JWT
## middleware, with this library's middleware, and with no authentication, LOADROUNDS
## interleaved rounds (bench/results/loadtest.txt); then Argon2id logins per second and 500
## concurrent logins against the hash limiter (bench/results/login.txt). See bench/README.md.
LOADTIME   ?= 10s
LOADROUNDS ?= 5
LOADCONNS  ?= 64
LOGINTIME  ?= 10s
loadtest:
	@command -v wrk >/dev/null || { echo "wrk is not installed: make deps"; exit 1; }
	cd bench && $(GO) run ./loadtest -mode load -time $(LOADTIME) -rounds $(LOADROUNDS) -conns $(LOADCONNS) -out results/loadtest.txt
	cd bench && $(GO) run ./loadtest -mode login -time $(LOGINTIME) -out results/login.txt

## hugebody: the attack suite's 1 MB password (plain and escaped, JSON and form, to the token
## endpoint, the session login and registration) and a 2 MB body against each example, one
## request at a time, HUGEROUNDS interleaved rounds of HUGEN requests per case: the median time
## from the last byte sent to the answer, and the server's CPU per request
## (bench/results/hugebody.txt)
HUGEROUNDS ?= 5
HUGEN      ?= 40
hugebody:
	cd bench && $(GO) run ./loadtest -mode hugebody -rounds $(HUGEROUNDS) -n $(HUGEN) $(if $(HUGEFW),-frameworks $(HUGEFW)) -out results/hugebody.txt

## soak: mixed traffic (logins, JWT requests, refresh, blacklist, session login and logout,
## OAuth2 client credentials, wrong passwords) against the Gin showcase for SOAKTIME; prints
## goroutines, heap in use, open file descriptors and RSS at the start and at the end
## (bench/results/soak.txt). Not part of make test.
SOAKTIME ?= 5m
soak:
	cd bench && $(GO) run ./loadtest -mode soak -time $(SOAKTIME) -out results/soak.txt

## fuzz: every fuzz target for FUZZTIME each
fuzz:
	@bash scripts/fuzz.sh $(FUZZTIME)

## cover: coverage of every package
cover:
	$(GO) test -count=1 -coverprofile=coverage.out $(PKGS) && $(GO) tool cover -func=coverage.out | tail -1
