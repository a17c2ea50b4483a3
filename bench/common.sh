# Shared by bench/run.sh and bench/soak.sh (sourced, not run). Expects ROOT,
# KIT, BUILD, CORPUS and SEED set, and a die function.

# build_orrery: sets BIN to target/release/orrery, building it unless BUILD=0.
build_orrery() {
    BIN=$ROOT/target/release/orrery
    if [ "$BUILD" = 1 ]; then
        echo "== building target/release/orrery"
        cargo build --release -p orrery
    fi
    [ -x "$BIN" ] || die "no $BIN (run without --no-build)"
}

# ensure_corpus: generates the 1000-feed corpus into $CORPUS unless the one
# there already matches its manifest (bench/check_corpus.py).
ensure_corpus() {
    if python3 bench/check_corpus.py "$CORPUS" 1000 "$SEED" 2>/dev/null; then
        echo "== corpus: $CORPUS is up to date"
    else
        echo "== generating the corpus in $CORPUS"
        rm -rf "$CORPUS"
        python3 "$KIT/gen_corpus.py" --out "$CORPUS" --n 1000 --seed "$SEED" >/dev/null
        python3 bench/check_corpus.py "$CORPUS" 1000 "$SEED" || die "the generated corpus does not match its manifest"
    fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
