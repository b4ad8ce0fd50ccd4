# Sourced by ./test.sh: the metrics test scrapes `millwright up` with Debian's prometheus (/usr/bin/prometheus);
# install it when it is missing, and fail (never skip) when it cannot be installed. Its service is not started.
# shellcheck shell=bash
if [ ! -x /usr/bin/prometheus ]; then
  log "prometheus is missing; installing Debian's prometheus for the metrics test"
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  if ! { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends prometheus >/dev/null; } || [ ! -x /usr/bin/prometheus ]; then
    log "FAILED: prometheus could not be installed; the metrics test cannot run."
    exit 1
  fi
  # The package starts its own server on :9090; the test runs its own on a free port.
  $SUDO systemctl stop prometheus >/dev/null 2>&1 || $SUDO service prometheus stop >/dev/null 2>&1 || true
fi
