#!/usr/bin/env bash
# Instructions per unit for each variant, with callgrind: every variant runs alone (the
# `one` example) at the two values of `n` of its workload; the difference in
# instructions divided by the difference in units is the steady-state count per unit,
# free of start-up and setup. Exact and repeatable, unlike time.
#
#   bash benches/callgrind.sh            # every variant but the `send` workload's
#   bash benches/callgrind.sh tiny/      # the variants whose id contains "tiny/"
#   bash benches/callgrind.sh sweep      # the size sweep, every size (sweep16/ .. sweep64k/)
#
# Writes target/bench-results/instr.tsv (for report.py and the `plot` example) and
# prints it. A filtered run replaces only its own rows: the other ids keep the counts
# of the last run that measured them.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "valgrind is needed (apt-get install valgrind)" >&2; exit 2; }

cargo build --release -p benches --example one
BIN=target/release/examples/one
OUT=target/bench-results
mkdir -p "$OUT"
filter=${1:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Total instructions of `one ID N` under callgrind.
instructions() {
  valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" "$BIN" "$1" "$2" 2>"$tmp/err" >/dev/null
  sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$tmp/err"
}

new="$tmp/instr.tsv"
printf 'id\tinstr_per_unit\n' > "$new"
for id in $("$BIN" --list); do
  if [[ -z $filter ]]; then
    # Two tokio workers under valgrind's serialised threads: not an instruction count
    # of the loop alone (parking, stealing); skipped unless asked for.
    [[ $id == send/* ]] && continue
  elif [[ $id != *"$filter"* ]]; then
    continue
  fi
  read -r n0 n1 per < <("$BIN" --diff-n "$id")
  i0=$(instructions "$id" "$n0")
  i1=$(instructions "$id" "$n1")
  per_unit=$(awk -v a="$i0" -v b="$i1" -v d="$(( (n1 - n0) * per ))" 'BEGIN { printf "%.1f", (b - a) / d }')
  printf '%s\t%s\n' "$id" "$per_unit" | tee -a "$new"
done
if [[ -n $filter && -f $OUT/instr.tsv ]]; then
  # The rows of the ids this run did not measure, in their order.
  awk -F'\t' 'NR == FNR { seen[$1] = 1; next } FNR > 1 && !($1 in seen)' "$new" "$OUT/instr.tsv" > "$tmp/kept"
  { head -n 1 "$new"; cat "$tmp/kept"; tail -n +2 "$new"; } > "$OUT/instr.tsv"
else
  cp "$new" "$OUT/instr.tsv"
fi
echo "written: $OUT/instr.tsv"
