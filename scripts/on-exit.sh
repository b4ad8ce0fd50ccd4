# Sourced by the scripts that start throwaway servers: each registers its clean-up with `on_exit CMD`, and one trap
# runs them all (last registered first) when the calling script exits, also on failure or interruption.
# shellcheck shell=bash

if [ -z "${_on_exit_ready:-}" ]; then
  _on_exit_ready=1
  _on_exit_hooks=()
  on_exit() { _on_exit_hooks=("$1" "${_on_exit_hooks[@]}"); }
  _run_on_exit() {
    local code=$? hook
    for hook in "${_on_exit_hooks[@]}"; do eval "$hook" || true; done
    exit $code
  }
  trap _run_on_exit EXIT INT TERM
fi
