#!/usr/bin/env bash
# Orchestration overhead of ./build.sh, with the stand-in tools of the end-to-end tests (tests/standins) on PATH.
#
#  (a) overhead beyond the tools' own time: ./build.sh --target=HelmfileApply (Up's whole mutating chain) on a cold
#      stand-in machine, minus the time the stand-in calls themselves took. Two measures of "the tools' own time":
#        - in-call: the sum of the durations the stand-ins log (start to end inside each call; excludes python start-up)
#        - replay:  the same calls, same order, same argv and environment, replayed directly from bash against a fresh
#                   cold state in the same iteration (includes each process start, like the real tools would)
#  (b) work skipped when nothing changed: the same target again on the warm machine; mutating calls and wall time.
#      Its baseline, measured in the same iteration: the same warm run with --force, which runs helmfile apply as every
#      warm run did before the build recorded what it applied. The platform's API server is the stand-ins' own
#      (tests/standins/kube-api): the build's reads of nodes, CRDs and its record come from the stand-in state, and every
#      other list is empty (nothing unready), so the warm run's health check passes.
# Each run prints how many tool processes the build started (cold, warm, warm --force).
#
# Usage: bash bench/overhead.sh [runs]   (default 9). Needs python3 with PyYAML (like the stand-ins) and, if the
# build host is not compiled yet, the .NET SDK (one compile before the measurements). Prints medians.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$(pwd)"
runs="${1:-9}"
# Images are not asked of their registries: there is no internet here, and the bench measures the orchestration.
target=--target=HelmfileApply
image_check=--skip-image-check

python3 -c 'import yaml' 2>/dev/null || { echo "error: the stand-ins need python3 with PyYAML (apt-get install python3-yaml)" >&2; exit 1; }

work="$(mktemp -d "${TMPDIR:-/tmp}/overhead-bench-XXXXXX")"
trap 'rm -rf "$work"' EXIT

# A throw-away repository root like the end-to-end tests' one: the real build/ and platform files (cp -a keeps the
# mtimes, so a current .artifacts/build copied along is reused instead of compiled again).
root="$work/root"
mkdir -p "$root"
cp -a build.sh build global.json Directory.Build.props tools.yaml kind-config.yaml helmfile.yaml gateway-api.yaml .env values "$root/"
[[ -d charts ]] && cp -a charts "$root/"
[[ -d .artifacts/build ]] && mkdir -p "$root/.artifacts" && cp -a .artifacts/build "$root/.artifacts/"
rm -rf "$root/build/bin" "$root/build/obj"
# A stand-in helm-diff where EnsureTools keeps it, at the pinned version, so EnsureTools finds it cached (no internet).
diff_version="$(python3 -c 'import yaml,sys; print(str(yaml.safe_load(open(sys.argv[1]))["helm-diff"]["version"]).lstrip("v"))' tools.yaml)"
mkdir -p "$root/.tools/helm-plugins/diff/bin"
printf 'name: diff\nversion: %s\n' "$diff_version" >"$root/.tools/helm-plugins/diff/plugin.yaml"
printf '#!/bin/sh\necho stand-in helm-diff\n' >"$root/.tools/helm-plugins/diff/bin/diff"
chmod +x "$root/.tools/helm-plugins/diff/bin/diff"

# The kind clusters' API server: tests/standins/kube-api, one for the whole bench, as the tests share one. Each machine
# is the directory $work/<machine>, so kind writes http://127.0.0.1:<port>/scenarios/<machine> into its kubeconfig, and
# the server answers the build's in-process reads (nodes, the Gateway API CRD, the applied record) from that machine's
# stand-in state, and every other list empty, so the warm run's quick health check (workloads ready, releases
# deployed) passes.
mkfifo "$work/api-port"
python3 "$repo/tests/standins/kube-api" "$work" >"$work/api-port" 2>"$work/api.log" &
api_pid=$!
trap 'kill "$api_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
read -r -t 30 api_port <"$work/api-port" || { echo "error: tests/standins/kube-api did not start:" >&2; cat "$work/api.log" >&2; exit 1; }

dotnet_dir="$(dirname "$(readlink -f "$(command -v dotnet 2>/dev/null || echo /usr/bin/dotnet)")")"
standins="$repo/tests/standins"

now_ns() { date +%s%N; }

# One machine: a HOME without a kubeconfig yet (kind writes it) and the stand-ins' scenario state.
new_machine() { # dir
  mkdir -p "$1/home/.kube" "$1/state"
}

# The stand-ins are python3 scripts: their bytecode is compiled once into the bench's own directory (never into the
# clone), as the tests' is (CompiledBuildRoot.PythonBytecodeDirectory), instead of compiling standin.py again in every
# call. The replay runs with the same environment, so both sides of the overhead get the same cheaper calls.
run_build() { # machine-dir log-file [option...] -> prints wall ms; the build must succeed
  local dir="$1" log="$2" start end
  shift 2
  start=$(now_ns)
  if ! env -i PATH="$standins:/usr/bin:/bin:$dotnet_dir" HOME="$dir/home" KUBECONFIG="$dir/home/.kube/config" \
      STANDIN_STATE="$dir/state" STANDIN_LOG="$log" STANDIN_API_SERVER="http://127.0.0.1:$api_port/scenarios/${dir##*/}" PYTHONPYCACHEPREFIX="$work/pycache" LANG=C.UTF-8 \
      DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 bash "$root/build.sh" "$target" "$image_check" "$@" >"$dir/out.txt" 2>&1; then
    echo "error: ./build.sh $target $* failed against the stand-ins:" >&2; cat "$dir/out.txt" >&2; exit 1
  fi
  end=$(now_ns)
  echo $(((end - start) / 1000000))
}

# Reads a stand-in log: sum of in-call durations (ms), mutating calls, and (with a replay dir) a bash script that
# replays the calls directly, each with its recorded cwd, argv and environment, pointed at the replay machine.
analyse() { # log [replay-dir replay-script]
  python3 - "$@" <<'PY'
import json, shlex, sys
log = sys.argv[1]
calls = [json.loads(line) for line in open(log) if line.strip()]

def words(argv):
    out, skip = [], False
    for a in argv:
        if skip: skip = False
        elif a.startswith("-"): skip = a in {"--context", "--kube-context", "--file", "-f", "--filename", "--config", "--name",
                                             "-n", "--namespace", "--wait", "--format", "-o", "--output"}
        else: out.append(a)
    return out

def mutating(c):   # as tests/Build.Tests/EndToEnd/StandinCall.IsMutating
    w = words(c["argv"]); first = w[0] if w else ""
    return {"kind": first in {"create", "delete", "export", "load"},
            "kubectl": first in {"apply", "create", "delete", "patch", "replace", "label", "annotate", "scale", "edit"},
            "helm": first in {"install", "upgrade", "uninstall", "rollback"},
            "helmfile": first in {"apply", "sync", "destroy", "delete"},
            "docker": first in {"run", "rm", "create"} or (first == "network" and w[1:2] != ["inspect"])}[c["tool"]]

in_call_ms = sum(c["duration"] for c in calls) * 1000
print(f"{in_call_ms:.0f} {sum(map(mutating, calls))} {len(calls)}")
if len(sys.argv) > 3:
    replay_dir, script = sys.argv[2], sys.argv[3]
    with open(script, "w") as f:
        for c in calls:
            env = dict(c["env"])
            env.update(HOME=f"{replay_dir}/home", KUBECONFIG=f"{replay_dir}/home/.kube/config",
                       STANDIN_STATE=f"{replay_dir}/state", STANDIN_LOG="/dev/null")
            assignments = " ".join(shlex.quote(f"{k}={v}") for k, v in env.items())
            f.write(f"(cd {shlex.quote(c['cwd'])} && env -i {assignments} {shlex.quote(c['tool'])} "
                    f"{' '.join(map(shlex.quote, c['argv']))}) >/dev/null 2>&1; "
                    # Some calls fail on purpose (e.g. `kubectl get crd` before the CRDs exist); each must fail alike.
                    f"[[ $? == {c['exit']} ]] || {{ echo 'replayed call exited differently:' {shlex.quote(c['tool'] + ' ' + ' '.join(c['argv']))} >&2; exit 1; }}\n")
PY
}

same_state() { # dir-a dir-b: the same files with the same content, release timestamps and container ids aside
  python3 - "$1" "$2" <<'PY'
import json, os, sys
def read(d):
    files = {}
    for name in sorted(os.listdir(d)):
        if name == "api_requests":  # the build's in-process reads, which its API server logs; the replay starts processes only
            continue
        text = open(os.path.join(d, name)).read()
        if name == "releases":
            text = json.dumps([{k: v for k, v in r.items() if k != "updated"} for r in json.loads(text or "[]")])
        elif name == "containers.json":  # docker run gives each container a random id (the image cache's mirrors)
            text = json.dumps({n: {k: v for k, v in c.items() if k != "id"} for n, c in json.loads(text or "{}").items()}, sort_keys=True)
        files[name] = text
    return files
sys.exit(0 if read(sys.argv[1]) == read(sys.argv[2]) else 1)
PY
}

replay() { # script -> prints wall ms
  local start end
  start=$(now_ns)
  if ! PATH="$standins:/usr/bin:/bin" bash "$1"; then
    echo "error: replaying $1 failed (a stand-in call did not succeed outside the build)" >&2; return 1
  fi
  end=$(now_ns)
  echo $(((end - start) / 1000000))
}

echo "warming up (compiles the build host if build/ changed, starts it once)..." >&2
new_machine "$work/warmup"
run_build "$work/warmup" "$work/warmup/calls.jsonl" >/dev/null

results="$work/results.tsv"
for i in $(seq "$runs"); do
  m="$work/run$i" r="$work/replay$i"
  new_machine "$m"; new_machine "$r"
  cold_wall=$(run_build "$m" "$m/cold.jsonl")
  warm_wall=$(run_build "$m" "$m/warm.jsonl")
  grep -q "helmfile apply skipped" "$m/out.txt" || { echo "error: the warm run did not skip helmfile apply:" >&2; cat "$m/out.txt" >&2; exit 1; }
  read -r cold_calls_ms cold_mutating cold_count < <(analyse "$m/cold.jsonl" "$r" "$m/cold-replay.sh")
  read -r warm_calls_ms warm_mutating warm_count < <(analyse "$m/warm.jsonl" "$r" "$m/warm-replay.sh")
  # Replayed in the same iteration, cold then warm on the same replay machine, as the build ran them.
  cold_replay=$(replay "$m/cold-replay.sh")
  warm_replay=$(replay "$m/warm-replay.sh")
  # The replay did the same work only if it left the same machine behind (clusters, CRDs, releases, network).
  # (helm list's `updated` is when each ran, and docker's container ids are random: both are left out of the comparison.)
  if ! same_state "$m/state" "$r/state"; then
    echo "error: the bash replay left a different stand-in state than the build:" >&2; diff -r "$m/state" "$r/state" >&2; exit 1
  fi
  # The baseline, after the state comparison (it redeploys, which the replay does not): the same warm run, forced.
  forced_wall=$(run_build "$m" "$m/forced.jsonl" --force)
  read -r forced_calls_ms forced_mutating forced_count < <(analyse "$m/forced.jsonl")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$cold_wall" "$cold_calls_ms" "$cold_replay" "$cold_mutating" "$cold_count" \
    "$warm_wall" "$warm_calls_ms" "$warm_replay" "$warm_mutating" "$warm_count" "$forced_wall" "$forced_calls_ms" "$forced_mutating" "$forced_count" >>"$results"
  echo "run $i/$runs: cold ${cold_wall} ms, ${cold_count} processes (replay ${cold_replay} ms); warm ${warm_wall} ms, ${warm_count} processes (replay ${warm_replay} ms); warm --force ${forced_wall} ms, ${forced_count} processes" >&2
done

python3 - "$results" "$runs" <<'PY'
import statistics, sys
rows = [list(map(float, line.split("\t"))) for line in open(sys.argv[1]) if line.strip()]
col = lambda i: [r[i] for r in rows]
med = lambda xs: statistics.median(xs)
def report(name, wall, calls, replay, mutating, count):
    w, c, r = col(wall), col(calls), col(replay)
    print(f"{name}:")
    print(f"  wall time of ./build.sh --target=HelmfileApply     median {med(w):7.0f} ms")
    print(f"  tool processes (stand-in calls)                     {med(col(count)):.0f} (mutating: {med(col(mutating)):.0f}; per run: {' '.join(str(int(x)) for x in col(count))})")
    print(f"  tools' own time, in-call (sum of logged durations)  median {med(c):7.0f} ms")
    print(f"  tools' own time, replayed directly from bash        median {med(r):7.0f} ms")
    print(f"  overhead = wall - in-call durations                 median {med([a - b for a, b in zip(w, c)]):7.0f} ms")
    print(f"  overhead = wall - bash replay                       median {med([a - b for a, b in zip(w, r)]):7.0f} ms")
print(f"runs: {sys.argv[2]} (medians over runs; each run: a cold machine, then the same target again warm)\n")
report("cold (no cluster, no CRDs, nothing deployed)", 0, 1, 2, 3, 4)
print()
report("warm (nothing changed since the cold run)", 5, 6, 7, 8, 9)
print()
print(f"work skipped when nothing changed: mutating calls {med(col(3)):.0f} cold -> {med(col(8)):.0f} warm; "
      f"wall time {med(col(0)):.0f} ms cold -> {med(col(5)):.0f} ms warm")
print()
print("warm Up, against its baseline in the same runs (the same warm run with --force: helmfile apply runs as it always did):")
print(f"  mutating calls          --force {med(col(12)):.0f} -> warm {med(col(8)):.0f}")
print(f"  tool processes          --force {med(col(13)):.0f} -> warm {med(col(9)):.0f}")
print(f"  wall time               --force {med(col(10)):7.0f} ms -> warm {med(col(5)):7.0f} ms")
print(f"  tools' own time, in-call --force {med(col(11)):7.0f} ms -> warm {med(col(6)):7.0f} ms")
print(f"  wall / tools' in-call   --force {med([a / max(b, 1) for a, b in zip(col(10), col(11))]):.0f}x -> warm {med([a / max(b, 1) for a, b in zip(col(5), col(6))]):.0f}x")
print("  (with the stand-ins every call takes milliseconds; with the real tools the skipped helmfile apply is minutes)")
PY
