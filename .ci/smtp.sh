# Sourced by .ci/run (or by hand: `source .ci/smtp.sh`) before `cargo test`.
#
# Starts three real SMTP servers (tests/support/smtp_sink.py on aiosmtpd) on loopback, each on a
# free port the kernel picks (another program may hold any fixed one):
#   plain, no auth                         Maildir target/smtp/plain     MFAUDIT_TEST_SMTP_PLAIN_PORT
#   STARTTLS required + AUTH alice:s3cret  Maildir target/smtp/starttls  MFAUDIT_TEST_SMTP_STARTTLS_PORT
#   implicit TLS                           Maildir target/smtp/smtps     MFAUDIT_TEST_SMTP_SMTPS_PORT
# with a fresh test CA and a leaf for localhost/127.0.0.1 (generated here, never committed),
# and exports MFAUDIT_TEST_SMTP=1, MFAUDIT_TEST_SMTP_CA=<ca.pem>, MFAUDIT_TEST_SMTP_DIR=<target/smtp>
# and the three ports.
# The tests in tests/email.rs read received messages from $MFAUDIT_TEST_SMTP_DIR/<mode>/new/.
# Sourced, the servers stop with `smtp_stop`, on this shell's exit (EXIT trap, when none is set
# already) and by themselves within a second of this shell exiting (--watch-pid $BASHPID).
# Run as `bash .ci/smtp.sh`, they stay up and the script prints the exports to paste; stop them
# with `kill $(cat target/smtp/pids)`.
# Any failure here is loud: in CI the email tests must run, not skip.

smtp_sourced=0
[ "${BASH_SOURCE[0]}" != "$0" ] && smtp_sourced=1
smtp_root="${CARGO_TARGET_DIR:-$(pwd)/target}/smtp"
smtp_venv="${CARGO_TARGET_DIR:-$(pwd)/target}/smtp-venv"

smtp_stop() {
    if [ -f "$smtp_root/pids" ]; then
        while read -r pid; do kill "$pid" 2>/dev/null; done < "$smtp_root/pids"
        rm -f "$smtp_root/pids"
    fi
}

smtp_start() {
    smtp_stop
    mkdir -p "$smtp_root" || return 1
    if [ ! -x "$smtp_venv/bin/python" ] || ! "$smtp_venv/bin/python" -c 'import aiosmtpd' 2>/dev/null; then
        python3 -m venv "$smtp_venv" || return 1
        "$smtp_venv/bin/pip" install -q aiosmtpd==1.4.6 || return 1
    fi
    (
        cd "$smtp_root" || exit 1
        rm -rf plain starttls smtps ca.* leaf.*
        openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=mfaudit-test-ca \
            -keyout ca.key -out ca.pem 2>/dev/null &&
        openssl req -newkey rsa:2048 -nodes -subj /CN=localhost \
            -keyout leaf.key -out leaf.csr 2>/dev/null &&
        printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > leaf.ext &&
        openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 \
            -extfile leaf.ext -out leaf.pem 2>/dev/null
    ) || { echo "smtp.sh: could not make the test certificates with openssl" >&2; return 1; }

    local py="$smtp_venv/bin/python" sink="tests/support/smtp_sink.py" watch=0
    [ "$smtp_sourced" = 1 ] && watch=$BASHPID
    "$py" "$sink" --port 0 --maildir "$smtp_root/plain" --watch-pid "$watch" \
        > "$smtp_root/plain.log" 2>&1 &
    echo $! > "$smtp_root/pids"
    "$py" "$sink" --port 0 --maildir "$smtp_root/starttls" --watch-pid "$watch" \
        --starttls "$smtp_root/leaf.pem" "$smtp_root/leaf.key" --auth alice:s3cret \
        > "$smtp_root/starttls.log" 2>&1 &
    echo $! >> "$smtp_root/pids"
    "$py" "$sink" --port 0 --maildir "$smtp_root/smtps" --watch-pid "$watch" \
        --smtps "$smtp_root/leaf.pem" "$smtp_root/leaf.key" \
        > "$smtp_root/smtps.log" 2>&1 &
    echo $! >> "$smtp_root/pids"

    local mode
    for mode in plain starttls smtps; do
        local i=0
        until grep -q '^listening on' "$smtp_root/$mode.log" 2>/dev/null; do
            i=$((i + 1))
            if [ "$i" -gt 100 ]; then
                echo "smtp.sh: the $mode SMTP sink did not start:" >&2
                cat "$smtp_root/$mode.log" >&2
                smtp_stop
                return 1
            fi
            sleep 0.1
        done
    done
    smtp_port() { sed -n 's/^listening on .*:\([0-9][0-9]*\)$/\1/p' "$smtp_root/$1.log" | head -n 1; }
    MFAUDIT_TEST_SMTP_PLAIN_PORT="$(smtp_port plain)"
    MFAUDIT_TEST_SMTP_STARTTLS_PORT="$(smtp_port starttls)"
    MFAUDIT_TEST_SMTP_SMTPS_PORT="$(smtp_port smtps)"
    export MFAUDIT_TEST_SMTP_PLAIN_PORT MFAUDIT_TEST_SMTP_STARTTLS_PORT MFAUDIT_TEST_SMTP_SMTPS_PORT
    export MFAUDIT_TEST_SMTP=1
    export MFAUDIT_TEST_SMTP_CA="$smtp_root/ca.pem"
    export MFAUDIT_TEST_SMTP_DIR="$smtp_root"
    if [ "$smtp_sourced" = 1 ] && [ -z "$(trap -p EXIT)" ]; then
        trap smtp_stop EXIT
    fi
    if [ "$smtp_sourced" = 0 ]; then
        echo "export MFAUDIT_TEST_SMTP=1 MFAUDIT_TEST_SMTP_CA=$smtp_root/ca.pem MFAUDIT_TEST_SMTP_DIR=$smtp_root MFAUDIT_TEST_SMTP_PLAIN_PORT=$MFAUDIT_TEST_SMTP_PLAIN_PORT MFAUDIT_TEST_SMTP_STARTTLS_PORT=$MFAUDIT_TEST_SMTP_STARTTLS_PORT MFAUDIT_TEST_SMTP_SMTPS_PORT=$MFAUDIT_TEST_SMTP_SMTPS_PORT"
        echo "# stop with: kill \$(cat $smtp_root/pids)"
    fi
    echo "smtp.sh: SMTP sinks listening on 127.0.0.1:$MFAUDIT_TEST_SMTP_PLAIN_PORT (plain), :$MFAUDIT_TEST_SMTP_STARTTLS_PORT (STARTTLS+AUTH), :$MFAUDIT_TEST_SMTP_SMTPS_PORT (TLS)"
}

smtp_start || { echo "smtp.sh: SMTP test servers unavailable" >&2; return 1 2>/dev/null || exit 1; }
