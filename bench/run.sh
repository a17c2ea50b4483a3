#!/usr/bin/env bash
# End-to-end benchmark of `orrery update` on the shared synthetic corpus.
#
#   bench/run.sh [--quick] [--runs N] [--feeds 100|1000] [--hosts N] [--concurrency N] [--no-build] [--no-parse-bench]
#
# From a clean checkout this one command:
#   1. builds target/release/orrery;
#   2. generates the corpus (gen_corpus.py --n 1000 --seed 1) into
#      target/bench/corpus, unless bench/check_corpus.py finds it already there;
#   3. for server latency 0 ms and then 50 ms, starts serve.py on a free
#      loopback port, writes a Venus INI config per feed count with
#      gen_config.py (plus the fetch limits, see below), and times with
#      measure.py a cold update (cache and output removed before each run:
#      every feed answers 200) and a warm one (the cache the cold runs left:
#      every feed should answer 304);
#   4. runs the parse and sanitize micro-benchmark
#      (cargo bench -p orrery-feed --bench parse) on the same feeds, in memory;
#   5. prints a table (bench/summarize.py) and flags any run whose exit status,
#      server status counts or failure output is not what the case expects.
#
# Options:
#   --quick           100 feeds, 1 run per case, short micro-benchmark: a smoke test
#   --runs N          runs per case (default 3; the table shows the median, min-max)
#   --feeds 100|1000  only this feed count (default: both)
#   --hosts N         the corpus served on N loopback hosts (serve.py --hosts N,
#                     gen_config.py --hosts N: feed i on 127.0.0.(1 + i mod N)),
#                     with orrery's default fetch limits unless --concurrency is given
#   --concurrency N   requests in flight, overall and to each host (default 8)
#   --no-build        use target/release/orrery as it is (step 1 skipped)
#   --no-parse-bench  skip step 4
#
# Fetch settings: the configs set `concurrency = N` and `per_host_limit = N`
# (N = 8 unless --concurrency says otherwise). 8 is what the reference
# measurements used (8 fetch threads). The whole corpus is on one host and
# orrery's `per_host_limit` defaults to 2, so it must be raised as well, or
# only 2 requests would ever be in flight. With latency L and N in flight,
# a run of F feeds takes at least F x L / N (1000 x 50 ms / 8 = 6.25 s).
#
# Needs the benchmark kit in ../shared/bench (or $ORRERY_BENCH_KIT), python3
# and cargo. Everything it writes goes under target/bench/: the corpus, one
# directory per case under work/ (config, cache, output) and the results of
# this run in results/YYYYmmdd-HHMMSS/ (measure.py JSON lines, orrery's
# stderr, micro-benchmark output, summary.md); results/latest points to it.
# The server is stopped on exit, however the script ends.

set -euo pipefail

die() {
    echo "bench/run.sh: $*" >&2
    exit 1
}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

KIT=${ORRERY_BENCH_KIT:-../shared/bench}
RUNS=3
FEEDS="100 1000"
PARSE_BENCH=1
PARSE_SECONDS=3
CONCURRENCY=8
LIMITS=1
HOSTS=1
BUILD=1
while [ $# -gt 0 ]; do
    case "$1" in
    --quick)
        RUNS=1
        FEEDS=100
        PARSE_SECONDS=0
        ;;
    --runs)
        [ $# -ge 2 ] || die "--runs needs a number"
        [[ $2 =~ ^[1-9][0-9]*$ ]] || die "--runs needs a positive number, not '$2'"
        RUNS=$2
        shift
        ;;
    --feeds)
        [ $# -ge 2 ] || die "--feeds needs 100 or 1000"
        case "$2" in 100 | 1000) FEEDS=$2 ;; *) die "--feeds takes 100 or 1000, not '$2'" ;; esac
        shift
        ;;
    --concurrency)
        [ $# -ge 2 ] || die "--concurrency needs a number"
        [[ $2 =~ ^[1-9][0-9]*$ ]] || die "--concurrency needs a positive number, not '$2'"
        CONCURRENCY=$2
        LIMITS=2
        shift
        ;;
    --hosts)
        [ $# -ge 2 ] || die "--hosts needs a number"
        [[ $2 =~ ^[1-9][0-9]*$ ]] && [ "$2" -le 250 ] || die "--hosts takes 1 to 250, not '$2'"
        HOSTS=$2
        shift
        ;;
    --no-build) BUILD=0 ;;
    --no-parse-bench) PARSE_BENCH=0 ;;
    -h | --help)
        sed -n '2,/^$/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
        exit 0
        ;;
    *) die "unknown option '$1' (see --help)" ;;
    esac
    shift
done

# Over many hosts the per-host limit no longer throttles the run: orrery's
# defaults apply, unless --concurrency asked for limits.
if [ "$HOSTS" -gt 1 ] && [ "$LIMITS" = 1 ]; then
    LIMITS=0
fi

for f in gen_corpus.py serve.py gen_config.py measure.py; do
    [ -f "$KIT/$f" ] || die "the benchmark kit is missing: no $KIT/$f (set ORRERY_BENCH_KIT to its directory)"
done
command -v python3 >/dev/null || die "python3 is needed"

W=$ROOT/target/bench
CORPUS=$W/corpus
SEED=1
R=$W/results/$(date -u +%Y%m%d-%H%M%S)
mkdir -p "$R"
ln -sfn "$R" "$W/results/latest"

SERVER_PID=
stop_server() {
    if [ -n "$SERVER_PID" ]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=
    fi
}
trap stop_server EXIT
trap 'exit 130' INT TERM

load() { cut -d' ' -f1-3 /proc/loadavg; }

# Facts about this run, for the summary.
{
    echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')"
    echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo)"
    echo "rustc: $(rustc --version)"
    echo "corpus: gen_corpus.py --n 1000 --seed $SEED"
    echo "runs per case: $RUNS"
    echo "hosts: $HOSTS"
    if [ "$LIMITS" = 0 ]; then
        echo "fetch: orrery's defaults"
    else
        echo "fetch: concurrency $CONCURRENCY, per_host_limit $CONCURRENCY"
    fi
} >"$R/facts.txt"

# shellcheck source=bench/common.sh
. "$ROOT/bench/common.sh"
build_orrery
echo "binary: target/release/orrery built $(date -u -r "$BIN" '+%Y-%m-%d %H:%M UTC')" >>"$R/facts.txt"

ensure_corpus

# start_server LATENCY_MS: sets PORT and SERVER_PID once /_stats answers.
start_server() {
    local tries
    for tries in 1 2 3; do
        PORT=$(free_port)
        python3 "$KIT/serve.py" --root "$CORPUS" --port "$PORT" --latency-ms "$1" --hosts "$HOSTS" \
            --max-seconds 3600 >"$R/serve-$1ms.log" 2>&1 &
        SERVER_PID=$!
        for _ in $(seq 50); do
            if python3 -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$PORT/_stats', timeout=1)" 2>/dev/null; then
                return 0
            fi
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.2
        done
        stop_server
    done
    die "serve.py did not start (see $R/serve-$1ms.log)"
}

# The number of entries in the first N feeds of the corpus.
corpus_entries() {
    python3 -c 'import json, sys; m = json.load(open(sys.argv[1])); print(sum(f["entries"] for f in m["feeds"][: int(sys.argv[2])]))' \
        "$CORPUS/manifest.json" "$1"
}

# run_case LATENCY FEEDS KIND [measure.py options]: one measure.py call; its
# JSON lines go to $R/CASE.jsonl, orrery's stderr to $R/CASE.stderr, and the
# status.json the last run published to $R/CASE.status.json.
run_case() {
    local lat=$1 n=$2 kind=$3
    shift 3
    local case=lat$lat-n$n$SUFFIX-$kind dir=$W/work/lat$lat-n$n$SUFFIX
    echo "-- $case (load $(load))"
    {
        printf '{"case": "%s", "latency_ms": %s, "feeds": %s, "entries": %s, "kind": "%s", "load_before": "%s"}\n' \
            "$case" "$lat" "$n" "$(corpus_entries "$n")" "$kind" "$(load)"
        python3 "$KIT/measure.py" --runs "$RUNS" --label "$case" "$@" \
            --stats-url "http://127.0.0.1:$PORT" \
            -- "$BIN" update --config "$dir/planet.ini" 2>"$R/$case.stderr"
        printf '{"load_after": "%s"}\n' "$(load)"
    } | tee "$R/$case.jsonl" | grep '"median_wall_s"' || true
    cp "$dir/output/status.json" "$R/$case.status.json" 2>/dev/null || true
}

# Cases over several hosts are named (and kept) apart: lat0-n100-h50-cold.
SUFFIX=
[ "$HOSTS" -gt 1 ] && SUFFIX=-h$HOSTS

for lat in 0 50; do
    echo "== serve.py, latency $lat ms"
    start_server "$lat"
    for n in $FEEDS; do
        dir=$W/work/lat$lat-n$n$SUFFIX
        mkdir -p "$dir"
        python3 "$KIT/gen_config.py" --root "$CORPUS" --port "$PORT" --limit "$n" --hosts "$HOSTS" \
            --cache-dir "$dir/cache" --output-dir "$dir/output" --out "$dir/planet.ini"
        if [ "$LIMITS" != 0 ]; then
            sed -i "s/^\[Planet\]\$/[Planet]\nconcurrency = $CONCURRENCY\nper_host_limit = $CONCURRENCY/" "$dir/planet.ini"
            grep -q "^per_host_limit = $CONCURRENCY\$" "$dir/planet.ini" || die "could not set the fetch limits in $dir/planet.ini"
        fi
        run_case "$lat" "$n" cold --before "rm -rf '$dir/cache' '$dir/output'"
        run_case "$lat" "$n" warm
    done
    stop_server
done

if [ "$PARSE_BENCH" = 1 ]; then
    for n in $FEEDS; do
        src=$CORPUS
        if [ "$n" != 1000 ]; then
            # The first N feeds, as hard links: the benchmark reads a whole directory.
            src=$W/corpus-$n
            rm -rf "$src"
            mkdir -p "$src"
            for i in $(seq -f '%04g' 0 $((n - 1))); do cp -al "$CORPUS/$i" "$src/"; done
        fi
        echo "== parse and sanitize, $n feeds (load $(load))"
        # A failed micro-benchmark is reported by summarize.py; the
        # end-to-end figures above are still worth printing.
        {
            echo "load_before: $(load)"
            ORRERY_BENCH_CORPUS=$src ORRERY_BENCH_SECONDS=$PARSE_SECONDS \
                cargo bench -q -p orrery-feed --bench parse 2>&1 || echo "cargo bench failed"
            echo "load_after: $(load)"
        } | tee "$R/parse-$n.txt"
    done
fi

python3 bench/summarize.py "$R" | tee "$R/summary.md"
