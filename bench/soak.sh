#!/usr/bin/env bash
# Soak test of `orrery serve --every`: a planet of 200 feeds updated in rounds
# for ten minutes while the feeds change, checking that each feed is fetched
# no more often than its schedule allows and that the page follows.
#
#   bench/soak.sh [--minutes N] [--every DURATION] [--feeds N] [--max-age S]
#                 [--churn-every S] [--churn-frac F] [--no-build]
#
# Setup (everything under target/bench/soak/YYYYmmdd-HHMMSS/, `latest` points
# to the last one):
#   - the corpus of bench/run.sh (gen_corpus.py --n 1000 --seed 1 in
#     target/bench/corpus, generated unless bench/check_corpus.py finds it);
#   - two serve.py servers on free loopback ports: A sends the kit's default
#     `Cache-Control: no-cache` (no hint: such feeds are due every round) and
#     fails 5% of the corpus with HTTP 500 (fixed set: those back off); B sends
#     `Cache-Control: max-age=S` (--max-age, default 120 s). Both run with
#     --verbose; each request is logged with its arrival time;
#   - a gen_config.py configuration of the first N feeds (--feeds, default
#     200), the first half subscribed on A, the second half on B, with
#     concurrency = per_host_limit = 8 as in bench/run.sh;
#   - `orrery serve --every DURATION` (default 30s) for --minutes (default 10).
#
# Meanwhile, every --churn-every seconds (default 60) until 3 minutes before
# the end, /_advance?frac=F (default 0.05) changes feeds on both servers; the
# newest title of every changed, subscribed feed is read from the server
# (requests marked `?soak`, left out of the counts). Every 10 s the script
# samples orrery's VmRSS and looks for the pending titles in output/index.html.
#
# Report (printed and written to report.txt):
#   - requests per feed: the most any feed got, by class (no hint, max-age,
#     failing), against the most its schedule allows over the run, and every
#     gap between two requests for a feed that is shorter than its schedule
#     allows. The allowance: no hint, one interval less the longest round
#     (a feed may be fetched anywhere in its round); max-age, the max-age less
#     one second (due times are kept to the second); failing, 1, 2, 4, 8
#     intervals as failures go on, less the longest round;
#   - rounds, rebuilds and feeds left alone as not due (from /metrics);
#   - the page: how many new titles reached index.html, how long they took
#     (from the change to the first sample that saw them) and which never did.
#     A changed feed's new entry may be too old for the page's 60 newest
#     entries; those are checked in the store instead, and the page is checked
#     against the store's 60 newest titles;
#   - orrery's VmRSS: first sample, maximum, last.
#
# Needs the kit in ../shared/bench (or $ORRERY_BENCH_KIT), python3 with
# feedparser (to read the changed feeds' titles) and cargo. The servers and
# orrery are stopped when the script ends, however it ends.

set -euo pipefail

die() {
    echo "bench/soak.sh: $*" >&2
    exit 1
}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

KIT=${ORRERY_BENCH_KIT:-../shared/bench}
MINUTES=10
EVERY=30s
FEEDS=200
MAX_AGE=120
CHURN_EVERY=60
CHURN_FRAC=0.05
BUILD=1
positive() { [[ $2 =~ ^[1-9][0-9]*$ ]] || die "$1 needs a positive number, not '$2'"; }
while [ $# -gt 0 ]; do
    case "$1" in
    --minutes | --feeds | --max-age | --churn-every)
        [ $# -ge 2 ] || die "$1 needs a value"
        positive "$1" "$2"
        case "$1" in
        --minutes) MINUTES=$2 ;;
        --feeds) FEEDS=$2 ;;
        --max-age) MAX_AGE=$2 ;;
        --churn-every) CHURN_EVERY=$2 ;;
        esac
        shift
        ;;
    --every)
        [ $# -ge 2 ] || die "--every needs a duration"
        [[ $2 =~ ^[1-9][0-9]*s$ ]] || die "--every takes whole seconds such as 30s, not '$2'"
        EVERY=$2
        shift
        ;;
    --churn-frac)
        [ $# -ge 2 ] || die "--churn-frac needs a fraction"
        [[ $2 =~ ^0?\.[0-9]+$ ]] || die "--churn-frac takes a fraction such as 0.05, not '$2'"
        CHURN_FRAC=$2
        shift
        ;;
    --no-build) BUILD=0 ;;
    -h | --help)
        sed -n '2,/^$/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
        exit 0
        ;;
    *) die "unknown option '$1' (see --help)" ;;
    esac
    shift
done
[ "$FEEDS" -ge 2 ] || die "--feeds needs at least 2 (one per server)"

for f in gen_corpus.py serve.py gen_config.py; do
    [ -f "$KIT/$f" ] || die "the benchmark kit is missing: no $KIT/$f (set ORRERY_BENCH_KIT to its directory)"
done
python3 -c 'import feedparser' 2>/dev/null || die "python3 with feedparser is needed"

W=$ROOT/target/bench
CORPUS=$W/corpus
SEED=1
R=$W/soak/$(date -u +%Y%m%d-%H%M%S)
P=$R/planet
mkdir -p "$P"
ln -sfn "$R" "$W/soak/latest"

PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# shellcheck source=bench/common.sh
. "$ROOT/bench/common.sh"
build_orrery

ensure_corpus

# Prefixes each line of stdin with the Unix time it arrived.
STAMP='import sys, time
for line in sys.stdin:
    sys.stdout.write("%.3f %s" % (time.time(), line))
    sys.stdout.flush()'

SECONDS_TOTAL=$((MINUTES * 60))
LIFETIME=$((SECONDS_TOTAL + 600))

# start_server NAME ARGS...: sets PORT_NAME once /_stats answers.
start_server() {
    local name=$1 port pid
    shift
    port=$(free_port)
    python3 "$KIT/serve.py" --root "$CORPUS" --port "$port" --max-seconds "$LIFETIME" --verbose "$@" \
        2> >(python3 -u -c "$STAMP" >"$R/serve-$name.log") &
    pid=$!
    PIDS+=("$pid")
    for _ in $(seq 50); do
        if python3 -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$port/_stats', timeout=1)" 2>/dev/null; then
            printf -v "PORT_$name" '%s' "$port"
            return 0
        fi
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
    done
    die "serve.py $name did not start (see $R/serve-$name.log)"
}

echo "== servers"
start_server A --fail-frac 0.05 --fail-mix 500=1
start_server B --cache-control "max-age=$MAX_AGE"

python3 "$KIT/gen_config.py" --root "$CORPUS" --port "$PORT_A" --limit "$FEEDS" \
    --cache-dir "$P/cache" --output-dir "$P/output" --out "$P/planet.ini"
# The second half of the subscriptions on B; the fetch limits of bench/run.sh.
python3 - "$P/planet.ini" "$PORT_A" "$PORT_B" "$FEEDS" <<'EOF'
import sys
path, a, b, feeds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
out, seen = [], 0
for line in open(path, encoding="utf-8").read().splitlines():
    prefix = f"[http://127.0.0.1:{a}/"
    if line.startswith(prefix):
        if seen >= feeds // 2:
            line = line.replace(f":{a}/", f":{b}/", 1)
        seen += 1
    out.append(line)
    if line == "[Planet]":
        out += ["concurrency = 8", "per_host_limit = 8"]
open(path, "w", encoding="utf-8").write("\n".join(out) + "\n")
EOF

{
    echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')"
    echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
    echo "binary: target/release/orrery built $(date -u -r "$BIN" '+%Y-%m-%d %H:%M UTC')"
    echo "command: orrery serve --every $EVERY for $MINUTES min; $FEEDS feeds ($((FEEDS / 2)) no-cache on A, 5% of the corpus failing with 500; $((FEEDS - FEEDS / 2)) max-age=$MAX_AGE on B); churn $CHURN_FRAC every ${CHURN_EVERY}s"
} >"$R/facts.txt"

LISTEN_PORT=$(free_port)
echo "== orrery serve --every $EVERY for $MINUTES minutes (results in $R)"
"$BIN" serve -c "$P/planet.ini" --listen "127.0.0.1:$LISTEN_PORT" --every "$EVERY" 2>"$R/orrery.log" &
ORRERY=$!
PIDS+=("$ORRERY")

# The sampler and the report: one Python program, written next to the results.
cat >"$R/soak.py" <<'EOF'
"""Samples and reports for bench/soak.sh (see there)."""
import html
import json
import re
import sqlite3
import sys
import time
import urllib.request

import feedparser

R = sys.argv[2]
P = R + "/planet"


def norm(text):
    return " ".join(html.unescape(text).replace("\xa0", " ").split())


def load(name, default):
    try:
        with open(f"{R}/{name}") as f:
            return json.load(f)
    except FileNotFoundError:
        return default


def save(name, value):
    with open(f"{R}/{name}", "w") as f:
        json.dump(value, f, indent=1)


def churn(ports):
    """Advances both servers; records the newest title of each changed, subscribed feed."""
    subscribed = set(re.findall(r"^\[(http://[^\]]+)\]$", open(P + "/planet.ini").read(), re.M))
    pending = load("pending.json", [])
    for port in ports:
        base = f"http://127.0.0.1:{port}"
        changed = json.load(urllib.request.urlopen(base + "/_advance?frac=" + sys.argv[4]))
        for path in changed["paths"]:
            url = base + path
            if url not in subscribed:
                continue
            doc = feedparser.parse(urllib.request.urlopen(url + "?soak").read())
            if doc.entries and doc.entries[0].get("title"):
                pending.append({"url": url, "title": doc.entries[0].title, "changed": time.time()})
    save("pending.json", pending)


def sample(pid):
    """VmRSS of orrery, and which pending titles the page now shows."""
    rss = None
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) // 1024
    except FileNotFoundError:
        pass
    samples = load("rss.json", [])
    samples.append([time.time(), rss])
    save("rss.json", samples)
    try:
        page = norm(open(P + "/output/index.html", encoding="utf-8").read())
    except FileNotFoundError:
        return
    pending = load("pending.json", [])
    for item in pending:
        if "on_page" not in item and norm(item["title"]) in page:
            item["on_page"] = time.time()
    save("pending.json", pending)


def requests(name):
    """(time, path, status) of every feed request a server logged."""
    out = []
    pat = re.compile(r'^([0-9.]+) \S+ "GET (/[^ ?"]*) HTTP/[0-9.]+" (\d+)')
    for line in open(f"{R}/serve-{name}.log", encoding="utf-8", errors="replace"):
        m = pat.match(line)
        if m and not m.group(2).startswith("/_"):
            out.append((float(m.group(1)), m.group(2), int(m.group(3))))
    return out


def report(ports, every, max_age, minutes):
    lines = []
    say = lines.append
    subs = re.findall(r"^\[http://127.0.0.1:(\d+)(/[^\]]+)\]$", open(P + "/planet.ini").read(), re.M)
    server_of = {}
    for port, path in subs:
        server_of[(port, path)] = "A" if port == ports[0] else "B"
    by_feed = {}
    for name, port in (("A", ports[0]), ("B", ports[1])):
        for t, path, status in requests(name):
            if (port, path) in server_of:
                by_feed.setdefault((name, path), []).append((t, status))
    every_times = sorted(t for reqs in by_feed.values() for t, _ in reqs)
    # Rounds: requests closer than a third of the interval belong to one round.
    rounds, start, last = [], None, None
    for t in every_times:
        if start is None or t - last > every / 3:
            if start is not None:
                rounds.append((start, last))
            start = t
        last = t
    if start is not None:
        rounds.append((start, last))
    longest = max((b - a for a, b in rounds), default=0.0)
    span = (every_times[-1] - every_times[0]) if every_times else 0.0
    say(f"rounds seen by the servers: {len(rounds)} over {span:.0f} s; longest {longest:.1f} s "
        f"(first, cold: {rounds[0][1] - rounds[0][0]:.1f} s)" if rounds else "no requests")

    classes = {"no hint": [], "max-age": [], "failing": []}
    violations = []
    for (name, path), reqs in sorted(by_feed.items()):
        reqs.sort()
        failing = all(s >= 500 for _, s in reqs)
        klass = "failing" if failing else ("max-age" if name == "B" else "no hint")
        if klass == "failing":
            # Due 1, 2, 4, 8 intervals after the round of the k-th failure.
            period = [min(2 ** k, 8) * every for k in range(len(reqs))]
            allowed_count = 1
            t = 0.0
            for p in period:
                t += p
                if t <= span:
                    allowed_count += 1
            slack = longest
        elif klass == "max-age":
            period = [max(max_age, every)] * len(reqs)
            allowed_count = 1 + int(span // period[0])
            slack = 1.0
        else:
            period = [every] * len(reqs)
            allowed_count = len(rounds)
            slack = longest
        classes[klass].append((len(reqs), allowed_count))
        for k in range(1, len(reqs)):
            gap = reqs[k][0] - reqs[k - 1][0]
            if gap < period[k - 1] - slack:
                violations.append(f"  {name}{path} ({klass}): {gap:.1f} s after the previous request, "
                                  f"schedule allows {period[k - 1] - slack:.1f} s")
    say("requests per feed (most any feed got / most its schedule allows over the run):")
    for klass, rows in classes.items():
        if rows:
            got = max(r[0] for r in rows)
            allowed = max(r[1] for r in rows)
            over = sum(1 for r in rows if r[0] > r[1])
            say(f"  {klass}: {len(rows)} feeds, max {got} requests (allowed {allowed}), "
                f"min {min(r[0] for r in rows)}, {over} feeds over their allowance")
    total = sum(len(r) for r in by_feed.values())
    say(f"  all: {total} requests, max {max((len(r) for r in by_feed.values()), default=0)} for one feed")
    if violations:
        say(f"gaps shorter than the schedule allows: {len(violations)}")
        lines.extend(violations[:20])
    else:
        say("gaps shorter than the schedule allows: none")

    metrics = {}
    try:
        text = open(f"{R}/metrics.txt").read()
        for line in text.splitlines():
            if line and not line.startswith("#"):
                key, _, value = line.rpartition(" ")
                metrics[key] = float(value)
    except FileNotFoundError:
        pass
    updates = {r: int(metrics.get('orrery_updates_total{result="%s"}' % r, 0)) for r in ("ok", "busy", "failed")}
    say(f"rounds (orrery): {updates['ok']} ok, {updates['busy']} busy, {updates['failed']} failed; "
        f"rebuilds: {int(metrics.get('orrery_publishes_total', 0))}; "
        f"feeds left alone as not due: {int(metrics.get('orrery_feeds_not_due_total', 0))}; "
        f"entries added: {int(metrics.get('orrery_entries_added_total', 0))}")

    pending = load("pending.json", [])
    on_page = [p for p in pending if "on_page" in p]
    waits = sorted(p["on_page"] - p["changed"] for p in on_page)
    say(f"page: {len(pending)} new titles from changed feeds; {len(on_page)} reached index.html"
        + (f" after {waits[0]:.0f}-{waits[-1]:.0f} s (median {waits[len(waits) // 2]:.0f} s)" if waits else ""))
    db = sqlite3.connect(f"file:{P}/cache/orrery.db?mode=ro", uri=True)
    stored = {norm(t or "") for (t,) in db.execute("SELECT title FROM entries")}
    missing = [p for p in pending if "on_page" not in p and norm(p["title"]) not in stored]
    say(f"  not on the page but in the store (older than the page's newest entries): "
        f"{sum(1 for p in pending if 'on_page' not in p) - len(missing)}; in neither: {len(missing)}")
    for p in missing[:10]:
        say(f"    {p['url']}: {p['title']!r}")
    page = norm(open(P + "/output/index.html", encoding="utf-8").read())
    top = [norm(t or "") for (t,) in db.execute(
        "SELECT title FROM entries ORDER BY sort_date DESC, first_seen DESC LIMIT 60")]
    absent = [t for t in top if t and t not in page]
    say(f"  the store's 60 newest titles missing from index.html: {len(absent)}")

    rss = [r for _, r in load("rss.json", []) if r is not None]
    if rss:
        say(f"VmRSS (every 10 s, {len(rss)} samples): first {rss[0]} MB, max {max(rss)} MB, last {rss[-1]} MB")
    text = "\n".join(lines)
    print(text)
    with open(f"{R}/report.txt", "w") as f:
        f.write(text + "\n")


if __name__ == "__main__":
    what = sys.argv[1]
    if what == "churn":
        churn(sys.argv[3].split(","))
    elif what == "sample":
        sample(sys.argv[3])
    elif what == "report":
        report(sys.argv[3].split(","), float(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6]))
EOF

START=$(date +%s)
NEXT_CHURN=$((START + CHURN_EVERY))
LAST_CHURN=$((START + SECONDS_TOTAL - 180))
while :; do
    NOW=$(date +%s)
    [ $((NOW - START)) -lt "$SECONDS_TOTAL" ] || break
    kill -0 "$ORRERY" 2>/dev/null || die "orrery stopped early (see $R/orrery.log)"
    python3 "$R/soak.py" sample "$R" "$ORRERY"
    if [ "$NOW" -ge "$NEXT_CHURN" ] && [ "$NOW" -le "$LAST_CHURN" ]; then
        python3 "$R/soak.py" churn "$R" "$PORT_A,$PORT_B" "$CHURN_FRAC"
        NEXT_CHURN=$((NEXT_CHURN + CHURN_EVERY))
    fi
    echo "   $((NOW - START)) s: $(grep -c 'updated' "$R/orrery.log" || true) rounds, VmRSS $(awk '/VmRSS/ {print int($2 / 1024) " MB"}' "/proc/$ORRERY/status" 2>/dev/null)"
    sleep 10
done
python3 -c "import urllib.request as u; print(u.urlopen('http://127.0.0.1:$LISTEN_PORT/metrics').read().decode())" >"$R/metrics.txt"
kill "$ORRERY"
wait "$ORRERY" || die "orrery serve did not stop cleanly (see $R/orrery.log)"

echo "== report"
cat "$R/facts.txt"
python3 "$R/soak.py" report "$R" "$PORT_A,$PORT_B" "${EVERY%s}" "$MAX_AGE" "$MINUTES"
