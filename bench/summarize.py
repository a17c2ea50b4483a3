#!/usr/bin/env python3
"""Markdown summary of one bench/run.sh results directory.

    python3 bench/summarize.py target/bench/results/latest

Reads facts.txt, CASE.jsonl (a case line, measure.py's run and summary lines,
a load line), CASE.stderr, CASE.status.json and parse-N.txt. Each end-to-end
case is checked against what it must show: exit status 0 on every run,
nothing on stderr (orrery prints failed feeds there), the server answering
every feed 200 (cold) or 304 (warm), and a published status.json where every
subscription is ok and the entries stored add up to the corpus's count. A
check that fails is listed under the table instead of being averaged away.
"""
import glob
import json
import os
import re
import statistics
import sys

# measure.py's advice: past this share of the client's wall time, the Python
# server is part of what is being measured.
SERVER_CPU_SHARE = 0.2


def read_case(path):
    meta, runs, summary = {}, [], {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.startswith("{"):
                continue
            row = json.loads(line)
            if "case" in row or "load_after" in row:
                meta.update(row)
            elif "median_wall_s" in row:
                summary = row
            elif "wall_s" in row:
                runs.append(row)
    return meta, runs, summary


def failed_feeds(stderr_path):
    try:
        with open(stderr_path, encoding="utf-8", errors="replace") as f:
            return [line.rstrip("\n") for line in f if line.strip()]
    except OSError:
        return []


def check_status(meta, path):
    """What the published status.json says against the corpus manifest."""
    try:
        with open(path, encoding="utf-8") as f:
            subs = json.load(f).get("subscriptions", [])
    except (OSError, ValueError) as e:
        return [f"no readable status.json: {e}"]
    problems = []
    bad = [s.get("url") for s in subs if not s.get("ok")]
    if len(subs) != meta["feeds"]:
        problems.append(f"status.json lists {len(subs)} subscriptions, want {meta['feeds']}")
    if bad:
        problems.append(f"{len(bad)} subscriptions not ok, first: {bad[0]}")
    stored = sum(s.get("entries_stored") or 0 for s in subs)
    if "entries" in meta and stored != meta["entries"]:
        problems.append(f"{stored} entries stored, the corpus has {meta['entries']}")
    return problems


def check(meta, runs, stderr_lines):
    """The ways this case differs from what it must show."""
    problems = []
    if not runs:
        return ["no run completed"]
    want = "200" if meta["kind"] == "cold" else "304"
    for r in runs:
        if r["rc"] != 0:
            problems.append(f"run {r['run']}: exit status {r['rc']}")
        status = r.get("server", {}).get("status", {})
        if status != {want: meta["feeds"]}:
            problems.append(f"run {r['run']}: server answered {status}, want {{{want}: {meta['feeds']}}}")
    if stderr_lines:
        problems.append(f"{len(stderr_lines)} lines on stderr, first: {stderr_lines[0]}")
    return problems


def case_row(meta, runs, summary):
    n = meta["feeds"]
    wall = summary["median_wall_s"]
    statuses = {}
    for r in runs:
        for code, count in r.get("server", {}).get("status", {}).items():
            statuses.setdefault(code, []).append(count)
    status = ", ".join(f"{statistics.median(c):g}×{code}" for code, c in sorted(statuses.items()))
    server_cpu = summary.get("median_server_cpu_s", 0.0)
    feeds_s = f"{n / wall:,.0f}" if meta["kind"] == "cold" and wall > 0 else ""
    return (
        f"| {n} | {meta['latency_ms']} ms | {meta['kind']} | **{wall:.3f}** "
        f"({summary['min_wall_s']:.3f}–{summary['max_wall_s']:.3f}) | {summary['median_cpu_s']:.2f} "
        f"| {summary['median_max_rss_mb']:.1f} | {feeds_s} | {status} | {server_cpu:.2f} "
        f"| {meta.get('load_before', '?').split()[0]} → {meta.get('load_after', '?').split()[0]} |"
    )


PARSE_LINE = re.compile(r"^(parse-only|orrery-feed|decode|feed-rs|sanitize)\s+([\d.]+) MB/s(.*)$")


def parse_rows(path):
    rows, load = [], {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith(("load_before:", "load_after:")):
                key, value = line.split(":", 1)
                load[key] = value.split()[0] if value.split() else "?"
            m = PARSE_LINE.match(line)
            if m:
                rows.append((m.group(1), float(m.group(2)), m.group(3).strip()))
    return rows, load


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: summarize.py RESULTS_DIR")
    res = sys.argv[1]
    out = []
    try:
        with open(os.path.join(res, "facts.txt"), encoding="utf-8") as f:
            out += [f"- {line.strip()}" for line in f if line.strip()]
    except OSError:
        pass
    out += [
        "",
        "| feeds | latency | run | wall s, median (min–max) | CPU s | peak RSS MB | feeds/s "
        "| server answers | server CPU s | load 1-min before → after |",
        "| ---: | ---: | --- | ---: | ---: | ---: | ---: | --- | ---: | --- |",
    ]
    problems = []
    cases = []
    for path in glob.glob(os.path.join(res, "*.jsonl")):
        meta, runs, summary = read_case(path)
        if "case" in meta:
            cases.append((meta, runs, summary))
    cases.sort(key=lambda c: (c[0]["feeds"], c[0]["latency_ms"], c[0]["kind"]))
    for meta, runs, summary in cases:
        stderr_lines = failed_feeds(os.path.join(res, meta["case"] + ".stderr"))
        if summary:
            out.append(case_row(meta, runs, summary))
            share = summary.get("median_server_cpu_s", 0.0) / max(summary["median_wall_s"], 1e-9)
            if share > SERVER_CPU_SHARE:
                problems.append(
                    f"{meta['case']}: the server used {share:.0%} of the wall time in CPU; "
                    "it competes with orrery for the 2 cores"
                )
        found = check(meta, runs, stderr_lines)
        found += check_status(meta, os.path.join(res, meta["case"] + ".status.json"))
        problems += [f"{meta['case']}: {p}" for p in found]
    parse_files = sorted(glob.glob(os.path.join(res, "parse-*.txt")), key=lambda p: int(re.sub(r"\D", "", os.path.basename(p)) or 0))
    if parse_files:
        out += ["", "| feeds | stage | MB/s | detail | load 1-min before → after |", "| ---: | --- | ---: | --- | --- |"]
        for path in parse_files:
            n = re.sub(r"\D", "", os.path.basename(path))
            rows, load = parse_rows(path)
            if not rows:
                problems.append(f"{os.path.basename(path)}: no figures (see the file)")
            for name, mbs, detail in rows:
                out.append(
                    f"| {n} | {name} | **{mbs:,.1f}** | {detail} "
                    f"| {load.get('load_before', '?')} → {load.get('load_after', '?')} |"
                )
    out.append("")
    if problems:
        out.append("Problems:")
        out += [f"- {p}" for p in problems]
    else:
        out.append(
            "Checks: every run exited 0 with nothing on stderr and got only 200s (cold) or 304s (warm); "
            "every subscription is ok and every corpus entry is stored."
        )
    print("\n".join(out))


if __name__ == "__main__":
    main()
