#!/usr/bin/env bash
# Entry point: ./build.sh --target=Up (every argument goes to the build host).
#
# Warm start: the host is compiled once into .artifacts/build and reused while nothing under build/ (nor the SDK
# pin) changed, so a run costs a process start, not a `dotnet build`. The stamp is the list of source files with
# their modification times, which also catches deleted and renamed files.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$root/.artifacts/build"
stamp_file="$out/.sources-stamp"

sources_stamp() {
  (cd "$root" && find build global.json Directory.Build.props -type f \
      \( -name '*.cs' -o -name '*.csproj' -o -name '*.props' -o -name '*.targets' -o -name 'global.json' \) \
      -not -path '*/bin/*' -not -path '*/obj/*' -printf '%p %T@\n' | LC_ALL=C sort | cksum)
}

is_current() {
  [[ -x "$out/build" && -f "$stamp_file" && "$(cat "$stamp_file")" == "$(sources_stamp)" ]]
}

compile() {
  if ! command -v dotnet >/dev/null 2>&1; then
    echo "error: the .NET SDK is not installed (dotnet not on PATH). Install the SDK named in global.json: https://dot.net/download" >&2
    exit 1
  fi
  echo "Compiling the build host (build/ changed)..." >&2
  local log
  log="$(mktemp)"
  if ! dotnet build "$root/build/Build.csproj" -c Release -o "$out" -nologo -v quiet -p:UseAppHost=true >"$log" 2>&1; then
    cat "$log" >&2; rm -f "$log"
    echo "error: the build host did not compile (see above)." >&2
    exit 1
  fi
  rm -f "$log"
  sources_stamp >"$stamp_file"
}

if ! is_current; then
  mkdir -p "$out"
  if command -v flock >/dev/null 2>&1; then
    # Several ./build.sh at once (CI, tests) compile once; the others wait and reuse the result.
    exec 9>"$out/.lock"
    flock 9
    is_current || compile
    flock -u 9
  else
    compile
  fi
fi

export DATA_PLATFORM_ROOT="$root"
exec "$out/build" "$@"
