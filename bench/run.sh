#!/usr/bin/env bash
# Benchmark harness (issue 7): generates a seeded synthetic tenant, then measures mfaudit, a bare
# serde_json pass over the same files (the practical floor) and jq (what an administrator would
# reach for), all in one run on the same files. Prints wall time, MB/s, peak RSS and the ratios.
#
#   bench/run.sh            the standard run: 200k users + 300k sign-ins, and 100k/200k/400k
#                           sign-ins for linearity (release build; several minutes)
#   bench/run.sh --large    also 1M users + 3M sign-ins (long: tens of minutes, ~13 GB of files)
#   REPEAT=N                rounds (each runs every command of a table once), best wall time
#                           kept (default 2; smoke 1)
#   bench/run.sh --smoke    a tiny run (< 1 min, debug build) that checks the generator and the
#                           harness work; what `.ci/run` could call
#
# Needs jq and GNU time (/usr/bin/time): `sudo apt-get install jq time`. Scratch files go to
# $CARGO_TARGET_DIR/bench/ (target/bench/ when it is not set; deleted with `cargo clean`). Results are
# also written to bench/results.md there.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
# Cargo's own rule: CARGO_TARGET_DIR when set (relative to here), else target/.
TARGET=${CARGO_TARGET_DIR:-target}
[[ $TARGET = /* ]] || TARGET=$ROOT/$TARGET
SCRATCH=$TARGET/bench
SEED=${SEED:-20250501}
REPEAT=${REPEAT:-2}
MODE=standard
LARGE=0
for arg in "$@"; do
    case $arg in
        --smoke) MODE=smoke ;;
        --large) LARGE=1 ;;
        -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
        *) echo "bench/run.sh: unknown argument $arg (try --help)" >&2; exit 2 ;;
    esac
done

if [[ ! -x /usr/bin/time ]]; then
    echo "bench/run.sh: GNU time is needed at /usr/bin/time for peak memory: sudo apt-get install time" >&2
    exit 1
fi
HAVE_JQ=1
if ! command -v jq >/dev/null 2>&1; then
    HAVE_JQ=0
    if [[ $MODE != smoke ]]; then
        echo "bench/run.sh: jq is needed for the jq baseline: sudo apt-get install jq" >&2
        exit 1
    fi
    echo "note: jq not installed; the smoke run skips the jq baseline (sudo apt-get install jq)" >&2
fi

if [[ $MODE == smoke ]]; then
    REPEAT=1
    PROFILE_DIR=debug
    cargo build --quiet --locked --bin mfaudit --example gen_tenant --example bare_parse
else
    PROFILE_DIR=release
    cargo build --quiet --locked --release --bin mfaudit --example gen_tenant --example bare_parse
fi
BIN=$TARGET/$PROFILE_DIR
MFAUDIT=$BIN/mfaudit
GEN=$BIN/examples/gen_tenant
BARE=$BIN/examples/bare_parse

mkdir -p "$SCRATCH"
RESULTS=$SCRATCH/results.md
: >"$RESULTS"

say() { printf '%s\n' "$*" | tee -a "$RESULTS"; }

# gen DIR USERS SIGNINS SHAPES — generate unless the same files are already there.
gen() {
    local dir=$1 users=$2 signins=$3 shapes=$4
    local stamp="--users $users --signins $signins --seed $SEED --shapes $shapes"
    # Regenerate when the generator's source changed, too.
    local version
    version=$(sha1sum examples/gen_tenant.rs | cut -c1-12)
    if [[ -f $dir/.stamp && $(cat "$dir/.stamp") == "$stamp $version" ]]; then
        return
    fi
    rm -rf "$dir"
    mkdir -p "$dir"
    echo "generating $dir ($stamp)" >&2
    # shellcheck disable=SC2086
    "$GEN" $stamp --out "$dir" >/dev/null
    echo "$stamp $version" >"$dir/.stamp"
}

bytes_of() { stat -c %s "$@" | awk '{s+=$1} END {printf "%.0f", s}'; }
warm() { cat "$@" >/dev/null; }

declare -A WALL RSS STATUS
# The commands of the table being measured: run in rounds (each command once per round, REPEAT
# rounds), so that a slow spell of the shared machine falls on every command alike and the ratios
# compare commands timed in the same minutes.
QUEUE_NAMES=()
QUEUE_BYTES=()
QUEUE_CMDS=()

# measure NAME BYTES CMD... — queues one command of the current table (see run_queue).
measure() {
    local name=$1 bytes=$2
    shift 2
    local shown
    shown=$(printf '%q ' "$@")
    say "\$ ${shown//$ROOT\//}"
    QUEUE_NAMES+=("$name")
    QUEUE_BYTES+=("$bytes")
    QUEUE_CMDS+=("$shown")
}

# run_queue — REPEAT rounds of the queued commands, stdout to files in the scratch folder; best
# wall time and highest peak memory per command; a table row each.
run_queue() {
    local tfile=$SCRATCH/time.$$ n=${#QUEUE_NAMES[@]} r i rc w m
    local -a wall rss code
    for ((i = 0; i < n; i++)); do wall[i]=""; rss[i]=0; code[i]=0; done
    for ((r = 0; r < REPEAT; r++)); do
        for ((i = 0; i < n; i++)); do
            [[ ${code[i]} -ne 0 ]] && continue
            set +e
            eval "/usr/bin/time -f '%e %M' -o \"\$tfile\" ${QUEUE_CMDS[i]}" >"$SCRATCH/out.$$.$i" 2>"$SCRATCH/err.$$.$i"
            rc=$?
            set -e
            read -r w m < <(tail -n 1 "$tfile")
            if [[ -z ${wall[i]} ]] || awk -v a="$w" -v b="${wall[i]}" 'BEGIN { exit !(a < b) }'; then wall[i]=$w; fi
            ((m > rss[i])) && rss[i]=$m
            code[i]=$rc
        done
    done
    for ((i = 0; i < n; i++)); do
        local name=${QUEUE_NAMES[i]} out=$SCRATCH/out.$$.$i err=$SCRATCH/err.$$.$i
        WALL[$name]=${wall[i]}
        RSS[$name]=${rss[i]}
        if [[ ${code[i]} -ne 0 ]]; then
            # The error line, without the debug dump of the arguments some stubs print.
            STATUS[$name]="exit ${code[i]}: $(grep -v '^Command exited' "$err" | head -n 1 | sed -e 's/^mfaudit: error: //' -e 's/^[A-Z][A-Za-z]*(.*): //' | cut -c1-120)"
            printf '| %-34s | %8s | %8s | %9s | %s |\n' "$name" "-" "-" "-" "${STATUS[$name]}" >>"$SCRATCH/table.$$"
        else
            STATUS[$name]=ok
            local mbs
            mbs=$(awk -v b="${QUEUE_BYTES[i]}" -v t="${wall[i]}" 'BEGIN { if (t > 0) printf "%.0f", b / 1e6 / t; else print "inf" }')
            printf '| %-34s | %8s | %8s | %9s | %s |\n' "$name" "${wall[i]}" "$mbs" \
                "$(awk -v k="${rss[i]}" 'BEGIN { printf "%.1f", k / 1024 }')" \
                "$(head -c 120 "$out" | head -n 1)" >>"$SCRATCH/table.$$"
        fi
        rm -f "$out" "$err"
    done
    rm -f "$tfile"
    QUEUE_NAMES=()
    QUEUE_BYTES=()
    QUEUE_CMDS=()
}

table_start() {
    : >"$SCRATCH/table.$$"
    say ""
    say "### $1"
    say ""
}
table_end() {
    run_queue
    say ""
    say "| target                             | wall (s) |     MB/s |  RSS (MB) | result |"
    say "|------------------------------------|---------:|---------:|----------:|--------|"
    tee -a "$RESULTS" <"$SCRATCH/table.$$"
    rm -f "$SCRATCH/table.$$"
}

ratio() { # ratio LABEL NUMERATOR DENOMINATOR TARGET-TEXT
    local a=${WALL[$2]:-} b=${WALL[$3]:-}
    if [[ ${STATUS[$2]:-} != ok || ${STATUS[$3]:-} != ok ]]; then
        say "- $1: not measurable (${2}: ${STATUS[$2]:-not run}; ${3}: ${STATUS[$3]:-not run})"
    else
        say "- $1: $(awk -v a="$a" -v b="$b" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "inf" }') ($4)"
    fi
}

# run_set LABEL DIR — every measurement on one generated tenant.
run_set() {
    local label=$1 dir=$2
    local users=$dir/users/msonline-5.1.json
    local reg=$dir/users/userRegistrationDetails.json
    local graph_users=$dir/users/graph-users.json
    local states=$dir/users/per-user-mfa-state.csv
    local signins
    signins=$(find "$dir/signins" -name PT1H.json | head -n 1)
    local ub sb
    ub=$(bytes_of "$users")
    sb=$(bytes_of "$signins")
    warm "$users" "$signins"
    table_start "$label: $(head -n 1 "$dir/manifest.txt" | sed 's/^# //') — users file $((ub / 1000000)) MB (UTF-16LE), sign-ins $((sb / 1000000)) MB"
    measure "$label methods" "$ub" "$MFAUDIT" --quiet methods -o "$SCRATCH/MFA_Report.csv" "$users"
    measure "$label registered" "$ub" "$MFAUDIT" --quiet registered --format csv -o "$SCRATCH/registered.csv" "$users"
    measure "$label unregistered" "$ub" "$MFAUDIT" --quiet unregistered --format csv -o "$SCRATCH/unregistered.csv" "$users"
    measure "$label bare msol51" "$ub" "$BARE" msol51 "$users"
    measure "$label audit" "$((ub + sb))" "$MFAUDIT" --quiet audit --json "$SCRATCH/audit.json" "$users" "$signins"
    if [[ -f $reg ]]; then
        local rb
        rb=$(bytes_of "$reg")
        warm "$reg" "$graph_users" "$states"
        measure "$label audit (registration)" "$((rb + sb))" "$MFAUDIT" --quiet audit --json "$SCRATCH/audit-reg.json" "$reg" "$signins"
        # The six answers on stdout only, no per-user JSON file.
        measure "$label audit (registration, stdout)" "$((rb + sb))" "$MFAUDIT" --quiet audit "$reg" "$signins"
        measure "$label merge 3 sources" "$(bytes_of "$reg" "$graph_users" "$states")" "$MFAUDIT" --quiet methods -o "$SCRATCH/merged.csv" "$reg" "$graph_users" "$states"
    fi
    measure "$label inspect sign-ins" "$sb" "$MFAUDIT" --quiet inspect "$signins"
    measure "$label bare sign-ins" "$sb" "$BARE" signins "$signins"
    if [[ $HAVE_JQ == 1 ]]; then
        measure "$label jq upn" "$sb" jq -r '.properties.userPrincipalName' "$signins"
    fi
    table_end
    say ""
    ratio "$label methods / bare msol51" "$label methods" "$label bare msol51" "how far the classic report is from the floor"
    ratio "$label jq / audit" "$label jq upn" "$label audit" "issue 4 target: >= 6 (directory: the 5.1 users file)"
    ratio "$label audit / bare sign-ins" "$label audit" "$label bare sign-ins" "issue 4 target: <= 2 (directory: the 5.1 users file)"
    if [[ -f $reg ]]; then
        ratio "$label jq / audit (registration)" "$label jq upn" "$label audit (registration)" "issue 4 target: >= 6"
        ratio "$label audit (registration) / bare sign-ins" "$label audit (registration)" "$label bare sign-ins" "issue 4 target: <= 2"
        ratio "$label jq / audit (registration, stdout)" "$label jq upn" "$label audit (registration, stdout)" "issue 4 target: >= 6 (no --json)"
        ratio "$label audit (registration, stdout) / bare sign-ins" "$label audit (registration, stdout)" "$label bare sign-ins" "issue 4 target: <= 2 (no --json)"
    fi
    ratio "$label jq / bare sign-ins" "$label jq upn" "$label bare sign-ins" "the floor's headroom over jq"
}

say "# mfaudit benchmark — $(date -u +%Y-%m-%dT%H:%M:%SZ)"
say ""
say "- machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(awk '/MemTotal/ { printf "%.1f GB", $2 / 1048576 }' /proc/meminfo) RAM, $(uname -sr)"
say "- build: $PROFILE_DIR ($(rustc --version)), seed $SEED, git $(git rev-parse --short HEAD 2>/dev/null || echo '?'), generator $(sha1sum examples/gen_tenant.rs | cut -c1-12)"
say "- load average at start: $(cut -d' ' -f1-3 /proc/loadavg); wall time is the best of $REPEAT rounds (each round runs every command of a table once), memory the peak RSS (GNU time %M)"
say "- jq: $( [[ $HAVE_JQ == 1 ]] && jq --version || echo 'not installed')"

if [[ $MODE == smoke ]]; then
    T=$SCRATCH/smoke
    rm -rf "$T" "$T-again"
    "$GEN" --users 300 --signins 1000 --seed "$SEED" --out "$T" >/dev/null
    "$GEN" --users 300 --signins 1000 --seed "$SEED" --out "$T-again" >/dev/null
    # The generator must be deterministic and must have written every shape.
    if ! diff -r -q "$T" "$T-again" >/dev/null; then
        echo "smoke: FAILED: the same seed gave different files" >&2
        exit 1
    fi
    files=$(grep -vc '^#' "$T/manifest.txt")
    if [[ $files -ne 13 ]]; then
        echo "smoke: FAILED: expected 13 generated files, manifest lists $files" >&2
        exit 1
    fi
    while IFS=$'\t' read -r path size records; do
        [[ $path == \#* ]] && continue
        if [[ $size -eq 0 || $records -eq 0 ]]; then
            echo "smoke: FAILED: $path is empty" >&2
            exit 1
        fi
    done <"$T/manifest.txt"
    # Every JSON file parses (jq reads JSON Lines and concatenated pages alike).
    if [[ $HAVE_JQ == 1 ]]; then
        for f in "$T"/users/*.json "$T"/signins/*.json "$(find "$T/signins" -name PT1H.json)"; do
            [[ $f == *msonline-5.1.json ]] && continue
            jq -e . "$f" >/dev/null || { echo "smoke: FAILED: $f is not valid JSON" >&2; exit 1; }
        done
        iconv -f UTF-16LE -t UTF-8 "$T/users/msonline-5.1.json" | jq -e 'length == 300' >/dev/null \
            || { echo "smoke: FAILED: msonline-5.1.json does not hold 300 users" >&2; exit 1; }
    fi
    "$BARE" msol51 "$T/users/msonline-5.1.json" >/dev/null
    "$BARE" signins "$(find "$T/signins" -name PT1H.json)" >/dev/null
    run_set smoke "$T"
    say ""
    say "smoke: generator deterministic, 13 shapes written, harness ran (failures of mfaudit commands above are reported, not fatal)"
    exit 0
fi

gen "$SCRATCH/t200k-300k" 200000 300000 msol51,azure-monitor,regdetails,users,states
run_set "200k/300k" "$SCRATCH/t200k-300k"

# Linearity: the same 200k users, 100k / 200k / 400k sign-ins.
# The users do not depend on the sign-in count, so the 200k/300k users file serves every size.
for n in 100000 200000 400000; do
    gen "$SCRATCH/t200k-$((n / 1000))k" 200000 "$n" azure-monitor
done
table_start "linearity: 200k users (registration details), 100k / 200k / 400k sign-ins"
for n in 100 200 400; do
    d=$SCRATCH/t200k-${n}k
    s=$(find "$d/signins" -name PT1H.json | head -n 1)
    u=$SCRATCH/t200k-300k/users/userRegistrationDetails.json
    warm "$s" "$u"
    measure "${n}k audit" "$(bytes_of "$u" "$s")" "$MFAUDIT" --quiet audit --json "$SCRATCH/audit.json" "$u" "$s"
    measure "${n}k bare sign-ins" "$(bytes_of "$s")" "$BARE" signins "$s"
    measure "${n}k jq upn" "$(bytes_of "$s")" jq -r '.properties.userPrincipalName' "$s"
done
table_end
say ""
for what in audit "bare sign-ins" "jq upn"; do
    ratio "$what 200k/100k" "200k $what" "100k $what" "linear: <= 2"
    ratio "$what 400k/200k" "400k $what" "200k $what" "linear: <= 2"
done

if [[ $LARGE == 1 ]]; then
    REPEAT=1 # one run each: the files are ~13 GB and jq alone takes minutes
    gen "$SCRATCH/t1m-3m" 1000000 3000000 msol51,azure-monitor,regdetails,users,states
    run_set "1M/3M" "$SCRATCH/t1m-3m"
fi

say ""
say "results written to ${RESULTS#$ROOT/}"
