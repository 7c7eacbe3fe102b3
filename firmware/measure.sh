#!/usr/bin/env bash
# Builds each variant of the firmware, runs it under QEMU and prints its sizes (from
# `size -A`, binutils) and stack figures: the table in README.md.
set -euo pipefail
cd "$(dirname "$0")"
T=thumbv7m-none-eabi
ELF=target/$T/release/firmware
printf '| variant | features | .text | .rodata | flash (.text+.rodata) | .data | .bss | RAM (.data+.bss) | stack, deepest from the top | stack below the task |\n|---|---|---|---|---|---|---|---|---|---|\n'
for v in "dyn (default):" "one-trait:one-trait" "inline-only:inline-only" "static-dispatch:static-dispatch"; do
  name=${v%%:*}; feat=${v#*:}
  cargo build -q --release --target $T ${feat:+--features $feat}
  out=$(timeout 60 qemu-system-arm -cpu cortex-m3 -machine lm3s6965evb -nographic \
    -semihosting-config enable=on,target=native -kernel $ELF 2>/dev/null)
  grep -q '^result: ok$' <<<"$out" || { echo "$name: the run failed" >&2; echo "$out" >&2; exit 1; }
  sec() { size -A $ELF | awk -v s="$1" '$1 == s { print $2 }'; }
  text=$(sec .text); ro=$(sec .rodata); data=$(sec .data); bss=$(sec .bss)
  deep=$(sed -n 's/^stack: deepest \([0-9]*\) bytes from the top (\([0-9]*\) of them.*/\1 \2/p' <<<"$out")
  printf '| %s | `%s` | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$name" "${feat:-}" "$text" "$ro" \
    $((text + ro)) "$data" "$bss" $((data + bss)) ${deep% *} ${deep#* }
done
