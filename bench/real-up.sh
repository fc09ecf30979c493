#!/usr/bin/env bash
# Real Up timings, with the real tools, on a machine WITH Docker and internet (a laptop, or the GitHub workflow):
#
#   1. cold Up        no cluster yet (the image cache may already hold images: the script says which)
#   2. warm Up        nothing changed: its wall time, and the commands it ran that change something (expected: none)
#   3. Clean          deletes the cluster this script created (the image cache stays)
#   4. Up after Clean the nodes pull through the image cache, so nothing should come from the internet
#
# Each wall time is printed (one run each: Up takes minutes, so no medians), and appended to $GITHUB_STEP_SUMMARY when
# that is set. With --warm-only it times one Up on the existing platform (step 2 alone): the workflow's second Up.
#
# Usage: bash bench/real-up.sh [--warm-only] [./build.sh options...]   e.g. bash bench/real-up.sh --skip-image-check
#
# It refuses to start a full run when the platform's cluster already exists: steps 1 and 3 would time a warm Up and
# then delete your cluster. Run ./build.sh --target=Clean yourself first if that is what you want.
set -euo pipefail
cd "$(dirname "$0")/.."

warm_only=false
if [[ "${1:-}" == "--warm-only" ]]; then warm_only=true; shift; fi
options=("$@")
# "${options[@]}" of an empty array is an unbound variable under set -u in macOS's bash 3.2: expand it as
# ${options[@]+"${options[@]}"} instead.

if ! command -v docker >/dev/null 2>&1; then
  echo "error: bench/real-up.sh times the real Up, which needs Docker, and docker is not on PATH. Run it on a machine with Docker" >&2
  echo "       (Linux with Docker Engine, or Docker Desktop); bench/overhead.sh measures the build against the stand-in tools instead." >&2
  exit 1
fi
if ! docker info >/dev/null 2>&1; then
  echo "error: Docker does not answer (docker info failed). Start Docker, then run bash bench/real-up.sh again." >&2
  exit 1
fi

# The cluster's name is kind-config.yaml's (the build reads it the same way); kind labels its node containers with it.
cluster="$(sed -n 's/^name: *//p' kind-config.yaml | head -n1 | tr -d '"'"'"' \r')"
[[ -n "$cluster" ]] || { echo "error: kind-config.yaml has no top-level name: line" >&2; exit 1; }
cluster_exists() { [[ -n "$(docker ps --all --quiet --filter "label=io.x-k8s.kind.cluster=$cluster")" ]]; }

logs="$(mktemp -d "${TMPDIR:-/tmp}/real-up-XXXXXX")"
summary=()

# Milliseconds since the epoch. Not `date +%s%N`: macOS's date has no %N (it prints the seconds and a literal N).
now_ms() { python3 -c 'import time; print(int(time.time() * 1000))'; }

# Runs ./build.sh with the given options, its output to the terminal and to a log; prints the wall time.
timed() { # label log [./build.sh options...]
  local label="$1" log="$2" start end status=0
  shift 2
  echo "=== $label: ./build.sh $*"
  start=$(now_ms)
  ./build.sh "$@" 2>&1 | tee "$log" || status=$?
  end=$(now_ms)
  local seconds
  seconds="$(awk -v ms=$((end - start)) 'BEGIN { printf "%.1f", ms / 1000 }')"
  if [[ $status -ne 0 ]]; then
    echo "error: $label failed (exit code $status) after $seconds s; its output is in $log" >&2
    exit "$status"
  fi
  echo "=== $label: $seconds s"
  summary+=("| $label | $seconds s |")
}

# The commands a run changed something with. At normal verbosity the build echoes (`> command`) only the commands that
# change something and the long streamed ones (kind create cluster, kubectl wait, helmfile apply); read-only queries are
# not echoed. This classifies the echoed lines as bench/overhead.sh and the end-to-end tests do (verb after the flags).
mutating_commands() { # log
  python3 - "$1" <<'PY'
import re, sys
flags_with_values = {"--context", "--kube-context", "--file", "-f", "--filename", "--config", "--name", "-n", "--namespace",
                     "--format", "-o", "--output", "--timeout", "--for"}
def words(argv):
    out, skip = [], False
    for a in argv:
        if skip: skip = False
        elif a.startswith("-"): skip = a in flags_with_values
        else: out.append(a)
    return out
def mutating(tool, w):
    first = w[0] if w else ""
    return {"kind": first in {"create", "delete", "export", "load"},
            "kubectl": first in {"apply", "create", "delete", "patch", "replace", "label", "annotate", "scale", "edit"},
            "helm": first in {"install", "upgrade", "uninstall", "rollback"},
            "helmfile": first in {"apply", "sync", "destroy", "delete"},
            "docker": first in {"run", "rm", "create", "start", "stop", "exec"} or (first in {"network", "volume"} and w[1:2] not in (["inspect"], ["ls"]))
            }.get(tool, False)
# The console wraps at 80 columns when its output is not a terminal: a line that starts at column 0 and whose first
# word would not have fitted on the line before is the rest of that line.
WIDTH = 80
lines = [re.sub(r"\x1b\[[0-9;]*m", "", l).rstrip("\n").rstrip() for l in open(sys.argv[1], errors="replace")]
echoed, i = [], 0
while i < len(lines):
    if lines[i].startswith("> "):
        command = lines[i]
        while i + 1 < len(lines) and lines[i + 1] and not lines[i + 1][0].isspace() and not lines[i + 1].startswith("> ") \
                and len(lines[i]) + 1 + len(lines[i + 1].split()[0]) > WIDTH:
            i += 1
            command += " " + lines[i]
        echoed.append(command[2:])
    i += 1
for command in echoed:
    argv = command.split()
    if argv and mutating(argv[0], words(argv[1:])): print(command)
PY
}

warm_up() {
  timed "warm Up (nothing changed)" "$logs/warm-up.log" --target=Up ${options[@]+"${options[@]}"}
  local changed count
  changed="$(mutating_commands "$logs/warm-up.log")"
  count="$(grep -c . <<<"$changed" || true)"
  echo "=== warm Up ran $count command(s) that change something${changed:+:}"
  [[ -n "$changed" ]] && sed 's/^/      /' <<<"$changed"
  summary+=("| warm Up: commands that changed something | $count |")
  if grep -q "helmfile apply skipped" "$logs/warm-up.log"; then summary+=("| warm Up: helmfile apply | skipped (inputs unchanged) |"); fi
}

report() {
  echo
  echo "Wall times (one run each; logs in $logs):"
  printf '%s\n' "| step | wall time / count |" "|---|---|" ${summary[@]+"${summary[@]}"}
  if [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
    local title="Up timings (bench/real-up.sh)"
    $warm_only && title="Warm Up timing (bench/real-up.sh --warm-only)"
    { echo "### $title"; echo
      printf '%s\n' "| step | wall time / count |" "|---|---|" ${summary[@]+"${summary[@]}"}; } >>"$GITHUB_STEP_SUMMARY"
  fi
}

if $warm_only; then
  cluster_exists || { echo "error: --warm-only times an Up on the existing platform, and kind cluster '$cluster' does not exist. Run ./build.sh --target=Up first." >&2; exit 1; }
  warm_up
  report
  exit 0
fi

if cluster_exists; then
  echo "error: kind cluster '$cluster' already exists, so the first Up would not be cold, and this script's Clean would delete it." >&2
  echo "       Run ./build.sh --target=Clean yourself first (it deletes the cluster and everything in it), then run bash bench/real-up.sh again." >&2
  exit 1
fi

cache_volumes="$(docker volume ls --quiet --filter label=data-platform.image-cache | grep -c . || true)"
echo "=== image cache before the cold Up: $cache_volumes mirror volume(s) ($([[ $cache_volumes -gt 0 ]] && echo "warm: the cold Up pulls what they hold from them" || echo "cold: everything comes from the internet"))"
summary+=("| image cache before the cold Up | $cache_volumes mirror volume(s) |")

timed "cold Up" "$logs/cold-up.log" --target=Up ${options[@]+"${options[@]}"}
warm_up
timed "Clean" "$logs/clean.log" --target=Clean
timed "Up after Clean (image cache warm)" "$logs/up-after-clean.log" --target=Up ${options[@]+"${options[@]}"}
report
