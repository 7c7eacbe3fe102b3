#!/usr/bin/env python3
"""The tables of benches/README.md, from the results of the three measurements.

    cargo bench -p benches --bench speed     # target/criterion/<workload>/<variant>/
    cargo bench -p benches --bench allocs    # target/bench-results/allocs.tsv
    bash benches/callgrind.sh                # target/bench-results/instr.tsv
    python3 benches/report.py                # prints one markdown table per workload

Time per unit is criterion's median time per iteration divided by the iteration's
elements (its throughput). Ratios divide by the workload's floor row. A missing
measurement prints as "-". The size sweep's workloads are left out: `cargo run
--release -p benches --example plot` prints their tables and draws benches/sweep.svg.
"""
import csv
import json
import os
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "target")
RESULTS = os.path.join(ROOT, "bench-results")
CRITERION = os.path.join(ROOT, "criterion")


def read_tsv(name):
    path = os.path.join(RESULTS, name)
    if not os.path.exists(path):
        return []
    with open(path, newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def ns_per_unit(ident):
    """Criterion's median time per unit for `workload/variant`, in ns, or None."""
    base = os.path.join(CRITERION, *ident.split("/"), "new")
    try:
        with open(os.path.join(base, "estimates.json")) as f:
            median = json.load(f)["median"]["point_estimate"]
        with open(os.path.join(base, "benchmark.json")) as f:
            elements = json.load(f)["throughput"]["Elements"]
    except (OSError, KeyError, TypeError):
        return None
    return median / elements


def fmt(x, spec):
    return "-" if x is None else format(x, spec)


def main():
    rows = read_tsv("allocs.tsv")
    if not rows:
        sys.exit("no target/bench-results/allocs.tsv: run `cargo bench -p benches --bench allocs` first")
    instr = {r["id"]: float(r["instr_per_unit"]) for r in read_tsv("instr.tsv")}
    workloads = []
    for r in rows:
        w = r["id"].split("/")[0]
        # The size sweep (sweep16 .. sweep64k) has its own tables: the `plot` example.
        if w.startswith("sweep"):
            continue
        if w not in workloads:
            workloads.append(w)
    for w in workloads:
        group = [r for r in rows if r["id"].split("/")[0] == w]
        unit = group[0]["unit"]
        floor_ns = ns_per_unit(f"{w}/floor")
        floor_instr = instr.get(f"{w}/floor")
        print(f"\n**{w}**: {group[0]['title']}; per {unit}\n")
        print(f"| variant | ns/{unit} | x floor (time) | instr/{unit} | x floor (instr) | allocs/{unit} | bytes/{unit} |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for r in group:
            ns = ns_per_unit(r["id"])
            ins = instr.get(r["id"])
            t_ratio = ns / floor_ns if ns is not None and floor_ns else None
            i_ratio = ins / floor_instr if ins is not None and floor_instr else None
            print(
                f"| {r['name']} | {fmt(ns, '.2f')} | {fmt(t_ratio, '.2f')} | {fmt(ins, '.0f')} "
                f"| {fmt(i_ratio, '.2f')} | {float(r['allocs_per_unit']):.2f} | {float(r['bytes_per_unit']):.0f} |"
            )


if __name__ == "__main__":
    main()
