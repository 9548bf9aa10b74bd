#!/usr/bin/env python3
"""A real SMTP server on loopback for mfaudit's email tests (aiosmtpd).

Every message it accepts is written to a Maildir: one file per message in DIR/new/, with the
envelope in the X-MailFrom / X-RcptTo headers the Mailbox handler adds.

usage: smtp_sink.py --port N --maildir DIR [--host H] [--starttls CERT KEY] [--smtps CERT KEY]
                    [--auth USER:PASS] [--watch-pid PID]

--port 0 takes a free port (another program may hold any fixed one); the first line printed,
"listening on HOST:PORT", says which.
"""
import argparse
import mailbox
import os
import signal
import socket
import ssl
import sys
import time

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import AuthResult, LoginPassword


def tls_context(cert, key):
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    return ctx


def free_port(host):
    """A port nothing listens on now (the kernel's pick for port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def main():
    p = argparse.ArgumentParser(description="SMTP sink writing a Maildir")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=2525)
    p.add_argument("--maildir", required=True)
    p.add_argument("--starttls", nargs=2, metavar=("CERT", "KEY"))
    p.add_argument("--smtps", nargs=2, metavar=("CERT", "KEY"))
    p.add_argument("--auth", metavar="USER:PASS")
    p.add_argument("--watch-pid", type=int, help="exit when this process is gone")
    a = p.parse_args()

    # The Mailbox handler needs cur/, new/ and tmp/ to exist before the first message.
    mailbox.Maildir(a.maildir, create=True)
    kwargs = {"hostname": a.host, "port": a.port, "server_hostname": "localhost"}
    if a.starttls:
        kwargs.update(tls_context=tls_context(*a.starttls), require_starttls=True)
    if a.smtps:
        kwargs["ssl_context"] = tls_context(*a.smtps)
    if a.auth:
        user, _, password = a.auth.partition(":")

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (isinstance(auth_data, LoginPassword)
                  and auth_data.login.decode() == user
                  and auth_data.password.decode() == password)
            # handled=False: aiosmtpd itself answers 535 on failure (True would leave the client hanging).
            return AuthResult(success=ok, handled=False)

        kwargs.update(authenticator=authenticator, auth_required=True,
                      auth_require_tls=bool(a.starttls or a.smtps))

    # A free port can be taken by someone else between asking and binding: try again.
    for attempt in range(20):
        port = a.port or free_port(a.host)
        kwargs["port"] = port
        controller = Controller(Mailbox(a.maildir), **kwargs)
        try:
            controller.start()
            break
        except Exception as e:  # noqa: BLE001 - any start failure means: another port
            if a.port or attempt == 19:
                raise
            print(f"port {port} was taken ({e}); trying another", file=sys.stderr, flush=True)
    print(f"listening on {a.host}:{port}", flush=True)

    def stop(*_):
        controller.stop()
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while True:
        time.sleep(0.5)
        if a.watch_pid:
            try:
                os.kill(a.watch_pid, 0)
            except ProcessLookupError:
                stop()


if __name__ == "__main__":
    main()
