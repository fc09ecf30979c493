#!/usr/bin/env bash
# Warm start of ./build.sh against the stock bootstrap (`dotnet run --project build/Build.csproj`), measured side by
# side in the same run. Both run the same no-op (Cake's dry run of Up), so the difference is start-up alone.
# Usage: bench/warm-start.sh [runs]   (default 15). Prints medians and the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-15}"
args=(--target=Up --dryrun)

time_ms() { # prints the wall time of one run of "$@" in milliseconds
  local start end
  start=$(date +%s%N)
  "$@" >/dev/null 2>&1
  end=$(date +%s%N)
  echo $(((end - start) / 1000000))
}

median() { python3 -c 'import sys, statistics; print(int(statistics.median(int(x) for x in sys.argv[1:])))' "$@"; }

echo "warming up (compiles both once)..."
./build.sh "${args[@]}" >/dev/null
dotnet run --project build/Build.csproj -- "${args[@]}" >/dev/null

stock=() warm=()
for _ in $(seq "$runs"); do
  # Interleaved, so machine load affects both alike.
  stock+=("$(time_ms dotnet run --project build/Build.csproj -- "${args[@]}")")
  warm+=("$(time_ms ./build.sh "${args[@]}")")
done
s=$(median "${stock[@]}"); w=$(median "${warm[@]}")
echo "runs: $runs"
echo "stock bootstrap (dotnet run --project build/Build.csproj): median ${s} ms"
echo "./build.sh warm start:                                   median ${w} ms"
python3 -c "import sys; s,w=map(int,sys.argv[1:]); print(f'ratio warm/stock: {w/s:.2f} (target: 0.07 or less)')" "$s" "$w"
