#!/usr/bin/env bash
# Makes sure the programs the tests talk to are installed, installing the
# Debian packages when they are missing and this user may (root with
# apt-get). Prints environment assignments for the test run on stdout:
# REINHARDT_REQUIRE_DJANGO=1 when Django is there, so that its round-trip
# tests cannot silently skip (then a missing psycopg2 or MySQLdb, Django's
# PostgreSQL and MariaDB drivers, fails those databases' interop tests
# rather than skipping them), and REINHARDT_REQUIRE_CHROMIUM=1 when
# Chromium is, for the showcase's browser tests. Both are required under
# CI=true. Progress goes to stderr.
set -uo pipefail
log() { echo "deps: $*" >&2; }

have_django() { /usr/bin/python3 -c 'import django, argon2, bcrypt' >/dev/null 2>&1; }
have_py() { /usr/bin/python3 -c "import $1" >/dev/null 2>&1; }
have_chromium() { command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; }

# Django with the hashers' libraries; simplejwt (which brings DRF) for the
# token interop tests; psycopg2 and MySQLdb for Django's side of the
# PostgreSQL and MariaDB ones; pyotp for core/mfa's TOTP interop test.
pkgs=()
have_django || pkgs+=(python3-django python3-argon2 python3-bcrypt)
have_py rest_framework_simplejwt.token_blacklist || pkgs+=(python3-djangorestframework-simplejwt)
have_py psycopg2 || pkgs+=(python3-psycopg2)
have_py MySQLdb || pkgs+=(python3-mysqldb)
have_py pyotp || pkgs+=(python3-pyotp)
# Debian's Chromium, which the showcase's browser tests drive (chromedp).
have_chromium || pkgs+=(chromium)
# wrk, the HTTP load generator of `make loadtest` (bench/loadtest).
command -v wrk >/dev/null 2>&1 || pkgs+=(wrk)

if [ ${#pkgs[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing ${pkgs[*]}"
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update -qq && apt-get install -y -qq "${pkgs[@]}"; } >&2 || log "apt-get failed"
  else
    log "missing ${pkgs[*]} and cannot install them (not root or no apt-get)"
  fi
fi

if have_django; then
  echo "REINHARDT_REQUIRE_DJANGO=1"
  for m in psycopg2 MySQLdb; do
    have_py "$m" || log "Django cannot import $m: its interop tests on that database will fail"
  done
elif [ "${CI:-}" = "true" ]; then
  log "CI=true and Django is not available: its interop tests will fail"
  echo "REINHARDT_REQUIRE_DJANGO=1"
fi

if have_chromium; then
  echo "REINHARDT_REQUIRE_CHROMIUM=1"
elif [ "${CI:-}" = "true" ]; then
  log "CI=true and Chromium is not available: the browser tests will fail"
  echo "REINHARDT_REQUIRE_CHROMIUM=1"
fi
