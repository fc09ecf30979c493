#!/usr/bin/env bash
# Entry point: ./build.sh --target=Up (every argument goes to the build host).
#
# Warm start: the host is compiled once into .artifacts/build and reused while nothing under build/ (nor the SDK
# pin) changed, so a run costs a process start, not a `dotnet build`. It is published ReadyToRun for this machine
# (precompiled to native code, so a start JIT-compiles little: about half the start-up time); where that cannot be
# had (the packs cannot be restored offline, .NET has no pack for this machine, or crossgen2 fails) it is compiled as
# a plain build, which works the same and starts slower. The stamp records two things:
#   - the source files with their modification times (also catches deleted and renamed files);
#   - every compiled file with its size and modification time, taken right after the compile. A truncated, deleted
#     or half-written output (a disk that filled up, a copy interrupted) no longer matches, and is rebuilt from
#     scratch instead of crashing every run until someone deletes it by hand.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$root/.artifacts/build"
stamp_file="$out/.stamp"

# How find describes a file: GNU find prints path, size and modification time itself; BSD find (macOS) has no
# -printf, so stat does it there. Without this, macOS would checksum an empty listing and never recompile. The stat
# is asked which it is: a Mac with Homebrew's coreutils first on PATH (but not its findutils) has BSD find and GNU
# stat, whose -f means "file system" and would describe every file without its modification time.
if find "$root" -maxdepth 0 -printf '' >/dev/null 2>&1; then
  describe_compiled=(-printf '%p %s %T@\n'); describe_source=(-printf '%p %T@\n')
elif stat -c '%n' "$root" >/dev/null 2>&1; then
  describe_compiled=(-exec stat -c '%n %s %Y' {} +); describe_source=(-exec stat -c '%n %Y' {} +)
else
  describe_compiled=(-exec stat -f '%N %z %m' {} +); describe_source=(-exec stat -f '%N %m' {} +)
fi

# One find over the sources (path, modification time) and, when asked, the compiled files (path, size, modification
# time; dot-files such as the stamp and the compile lock are not part of the host), as one checksum.
listing() {
  (cd "$root" && find build global.json Directory.Build.props ${1:+.artifacts/build} -type f \( \
      \( -path '.artifacts/build/*' \( -name '.*' -o "${describe_compiled[@]}" \) \) -o \
      \( \( -name '*.cs' -o -name '*.csproj' -o -name '*.props' -o -name '*.targets' -o -name 'global.json' \) \
         -not -path '*/bin/*' -not -path '*/obj/*' "${describe_source[@]}" \) \) 2>/dev/null | LC_ALL=C sort | cksum) || true
}

# Line 1: sources and output together (all a warm start computes). Line 2: sources alone, to tell why they differ.
stamp() { printf '%s\n%s\n' "$(listing with-output)" "$(listing)"; }

# Prints why the host must be compiled, or nothing when it is current and whole.
why_compile() {
  if [[ ! -f "$stamp_file" || ! -x "$out/build" ]]; then echo "no compiled host yet"; return; fi
  local recorded
  recorded="$(<"$stamp_file")"
  [[ "${recorded%%$'\n'*}" == "$(listing with-output)" ]] && return
  if [[ "${recorded#*$'\n'}" != "$(listing)" ]]; then echo "build/ changed"
  else echo "the compiled host in .artifacts/build is damaged or incomplete: rebuilding it from scratch"; fi
}

# The .NET runtime identifier of this machine, for the ReadyToRun publish; nothing where .NET ships no such packs for
# it (another OS, a 32-bit ARM board, Alpine's musl libc), and the host is then compiled without ReadyToRun.
runtime_identifier() {
  local os arch
  case "$(uname -s)" in
    Linux) os=linux; [[ -e /etc/alpine-release ]] && return ;;
    Darwin) os=osx ;;
    *) return ;;
  esac
  case "$(uname -m)" in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) return ;;
  esac
  echo "$os-$arch"
}

compile() {
  local reason="$1"
  if ! command -v dotnet >/dev/null 2>&1; then
    echo "error: the .NET SDK is not installed (dotnet not on PATH). Install the SDK named in global.json: https://dot.net/download" >&2
    exit 1
  fi
  echo "Compiling the build host ($reason)..." >&2
  # No stamp while compiling: an interrupted compile must not look current next time.
  rm -f "$stamp_file"
  local build_incremental=() publish_incremental=()
  if [[ "$reason" == *damaged* ]]; then
    # MSBuild skips copying a file that looks unchanged, so start from an empty output and a full compile (publish has
    # no --no-incremental switch: Rebuild is the target that switch runs).
    find "$out" -mindepth 1 -not -name '.lock' -delete
    build_incremental=(--no-incremental) publish_incremental=("-t:Rebuild;Publish")
  fi
  local log rid
  log="$(mktemp)"
  rid="$(runtime_identifier)"
  # ${a[@]+"${a[@]}"}: macOS's bash 3.2 calls an empty array unbound under set -u.
  if [[ -z "$rid" ]]; then
    echo "note: compiling the build host without ReadyToRun (it starts slower): .NET has no ReadyToRun packs for $(uname -s) $(uname -m)." >&2
  elif dotnet publish "$root/build/Build.csproj" -c Release -o "$out" -nologo -v quiet -p:UseAppHost=true \
      -r "$rid" --self-contained false -p:PublishReadyToRun=true ${publish_incremental[@]+"${publish_incremental[@]}"} >"$log" 2>&1; then
    rm -f "$log"; stamp >"$stamp_file"; return
  elif grep -q 'error NU[0-9]' "$log"; then
    # NuGet could not restore a package: offline, most often, with the ReadyToRun packs (the compiler and the runtime
    # pack for this RID) not downloaded yet. The plain build needs neither.
    echo "note: the ReadyToRun packs for $rid could not be restored (offline?), so the build host is compiled without ReadyToRun (it starts slower): $(grep -o 'error NU[0-9]*:.*' "$log" | head -1)" >&2
  elif grep -q 'error NETSDK1096' "$log"; then
    # The C# compiled, but crossgen2 failed to precompile an assembly (it runs with cross-module options, see
    # build/Build.csproj). ReadyToRun only makes the start faster: the plain build works the same.
    echo "note: ReadyToRun precompilation failed for $rid, so the build host is compiled without ReadyToRun (it starts slower): $(grep -o 'error NETSDK1096:.*' "$log" | head -1)" >&2
  else
    cat "$log" >&2; rm -f "$log"
    echo "error: the build host did not compile (see above)." >&2
    exit 1
  fi
  if ! dotnet build "$root/build/Build.csproj" -c Release -o "$out" -nologo -v quiet -p:UseAppHost=true ${build_incremental[@]+"${build_incremental[@]}"} >"$log" 2>&1; then
    cat "$log" >&2; rm -f "$log"
    echo "error: the build host did not compile (see above)." >&2
    exit 1
  fi
  rm -f "$log"
  stamp >"$stamp_file"
}

reason="$(why_compile)"
if [[ -n "$reason" ]]; then
  mkdir -p "$out"
  if command -v flock >/dev/null 2>&1; then
    # Several ./build.sh at once (CI, tests) compile once; the others wait and reuse the result.
    exec 9>"$out/.lock"
    flock 9
    reason="$(why_compile)"
    [[ -z "$reason" ]] || compile "$reason"
    flock -u 9
  else
    compile "$reason"
  fi
fi

export DATA_PLATFORM_ROOT="$root"
exec "$out/build" "$@"
