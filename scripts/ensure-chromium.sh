# Sourced by ./test.sh: browser tests drive Debian's chromium through Playwright (executablePath=/usr/bin/chromium);
# install it when it is missing, and fail (never skip) when it cannot be installed.
# shellcheck shell=bash
if [ ! -x /usr/bin/chromium ]; then
  log "chromium is missing; installing Debian's chromium for the browser tests"
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  if ! { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null; } || [ ! -x /usr/bin/chromium ]; then
    log "FAILED: chromium could not be installed; the browser tests cannot run."
    exit 1
  fi
fi
