#!/usr/bin/env python3
"""Check docs/audit.schema.json against real `mfaudit audit --json` reports.

Usage:

    python3 docs/check_schema.py --run target/release/mfaudit
        Runs the binary on the shipped examples (see SCENARIOS below), validates every report
        against the schema, checks that each object's fields come in the order the schema lists
        them, and checks that the schema rejects reports with a field it does not document, a
        value of the wrong type, a missing field and values outside its enumerations.

    python3 docs/check_schema.py REPORT.json [REPORT.json ...]
        Validates reports written earlier (`mfaudit audit ... --json REPORT.json`) the same way.

    --schema FILE   the schema to check (default: audit.schema.json beside this script)

Needs Python 3.9+ and the `jsonschema` package (4.18 or later, for draft 2020-12):

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install jsonschema
    /tmp/venv/bin/python docs/check_schema.py --run target/release/mfaudit

Run it from anywhere: the examples are found relative to this file. Exit status 0 when every
check passed, 1 when one failed, 2 on bad usage.
"""

import argparse
import copy
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

try:
    import jsonschema
except ImportError:  # pragma: no cover - said plainly instead of a traceback
    sys.exit("check_schema.py needs the jsonschema package: pip install jsonschema")

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
EXAMPLE = REPO / "examples" / "contoso"
MSONLINE = REPO / "examples" / "contoso-msonline" / "exports"

# RFC 3339 as mfaudit writes it (jiff's Display: UTC with Z, up to nine fractional digits); an
# offset is accepted too. jsonschema checks "date-time" only with an extra package: this needs none.
RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$"
)


def format_checker():
    checker = jsonschema.FormatChecker()

    @checker.checks("date-time")
    def _date_time(value):
        return not isinstance(value, str) or bool(RFC3339.match(value))

    @checker.checks("date")
    def _date(value):
        return not isinstance(value, str) or bool(re.match(r"^\d{4}-\d{2}-\d{2}$", value))

    return checker


def validator(schema):
    cls = jsonschema.Draft202012Validator
    cls.check_schema(schema)
    return cls(schema, format_checker=format_checker())


def resolve(schema, node):
    """Follows local `$ref`s (`#/$defs/NAME`) to the node they name."""
    while isinstance(node, dict) and "$ref" in node:
        target = schema
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


def order_problems(schema, node, value, path="$"):
    """Fields out of the schema's order: the report's field order is part of its contract (the
    hand-written user formatter must write serde's order)."""
    node = resolve(schema, node)
    if not isinstance(node, dict):
        return []
    problems = []
    if isinstance(value, dict) and "properties" in node:
        listed = list(node["properties"])
        present = [k for k in value if k in node["properties"]]
        expected = [k for k in listed if k in value]
        if present != expected:
            problems.append(f"{path}: fields in the order {present}, the schema lists {expected}")
        for k, v in value.items():
            if k in node["properties"]:
                problems += order_problems(schema, node["properties"][k], v, f"{path}.{k}")
    if isinstance(value, list) and "items" in node:
        for i, v in enumerate(value):
            problems += order_problems(schema, node["items"], v, f"{path}[{i}]")
    return problems


def problems_of(v, schema, report):
    errors = [
        f"{'/'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message}"
        for e in sorted(v.iter_errors(report), key=lambda e: list(map(str, e.absolute_path)))
    ]
    return errors + order_problems(schema, schema, report)


class Checks:
    def __init__(self):
        self.failed = 0

    def result(self, name, problems):
        if problems:
            self.failed += 1
            print(f"FAIL {name}")
            for p in problems[:20]:
                print(f"     {p}")
            if len(problems) > 20:
                print(f"     ... and {len(problems) - 20} more")
        else:
            print(f"ok   {name}")


def run_audit(binary, args, cwd):
    """`mfaudit audit ARGS --json -`: the report, parsed."""
    cmd = [str(binary), "audit", *map(str, args), "--json", "-"]
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(cmd)} exited {done.returncode}: {done.stderr.decode(errors='replace').strip()}"
        )
    return json.loads(done.stdout)


def copy_directory_exports(into):
    """The example's directory exports only (users, per-user state, registration): no sign-in
    log and no configuration export."""
    into.mkdir(parents=True)
    for f in (EXAMPLE / "exports").iterdir():
        if f.is_file():
            shutil.copy(f, into / f.name)


def edit(path, old, new):
    text = path.read_bytes().decode("utf-8-sig")
    if old not in text:
        raise RuntimeError(f"{path}: {old!r} not found (the example changed?)")
    bom = path.read_bytes().startswith(b"\xef\xbb\xbf")
    path.write_bytes(("\ufeff" if bom else "").encode() + text.replace(old, new).encode())


MFA_SERVER_MAPS = [
    "--mfa-server-columns", "user=Username,time=Date Time,result=Call Result",
    "--mfa-server-blocked-columns", "user=Username,time=Date Time,action=Action,by=Admin,reason=Reason",
    "--mfa-server-bypassed-columns", "user=Username,time=Date Time,length=Bypass Length,by=Admin,reason=Reason",
]


def write_mfa_server_files(into):
    """Plausible MFA Server downloads for three of the example's users."""
    (into / "activity.csv").write_text(
        "Date Time,Username,Call Result\r\n"
        "2019-03-05 08:00:00,bob@contoso.com,SUCCESS_USER_BLOCKED\r\n"
        "2019-03-05 08:10:00,alice@contoso.com,SUCCESS_BYPASSED_AUTH\r\n"
        "2019-03-05 08:20:00,carol@contoso.com,FAILED_PHONE_APP_DENIED\r\n",
        newline="",
    )
    (into / "blocked.csv").write_text(
        "Date Time,Username,Action,Admin,Reason\r\n"
        "2019-03-05 09:00:00,bob@contoso.com,Block,admin@contoso.com,Lost phone\r\n"
        "2019-03-04 08:00:00,carol@contoso.com,Block,,\r\n"
        "2019-03-06 08:00:00,carol@contoso.com,Unblock,admin@contoso.com,Found\r\n",
        newline="",
    )
    (into / "bypassed.csv").write_text(
        "Date Time,Username,Bypass Length,Admin,Reason\r\n"
        "2019-03-05 10:00:00,alice@contoso.com,5 min,admin@contoso.com,Travel\r\n"
        "2019-03-05 11:00:00,dave@contoso.com,,,\r\n",
        newline="",
    )


def scenarios(binary, tmp):
    """(name, report, what the report must show) for every scenario; `what` returns problems."""
    exceptions = ["--exceptions", EXAMPLE / "exceptions.toml"]
    out = []

    def expect(cond, why):
        return [] if cond else [why]

    # 1. The shipped example, as the README's main command runs it.
    main = run_audit(binary, [EXAMPLE / "exports", *exceptions], REPO)
    out.append(("the shipped example (examples/contoso with its exceptions)", main,
                expect(main["changes"] is None, "changes should be null without --history")))

    # 2. --history twice on the same inputs: the second report's changes is an object.
    db = tmp / "history.db"
    first = run_audit(binary, [EXAMPLE / "exports", *exceptions, "--history", db], REPO)
    second = run_audit(binary, [EXAMPLE / "exports", *exceptions, "--history", db], REPO)
    out.append(("--history, first run", first,
                expect(first["changes"] is None, "changes should be null on the first run")))
    out.append(("--history, second run on the same inputs", second,
                expect(isinstance(second["changes"], dict) and len(second["trend"]) == 2,
                       "changes should be an object and the trend two runs long")))

    # 3. No sign-in log: the directory exports alone.
    dir_only = tmp / "directory-only"
    copy_directory_exports(dir_only)
    no_log = run_audit(binary, [dir_only], tmp)
    out.append(("no sign-in log (the example's directory exports alone)", no_log,
                expect(no_log["summary"]["activity_inputs"] == 0
                       and no_log["without_mfa"]["signins_without_mfa"] is None
                       and all(u["enforcement"]["observed"] is None for u in no_log["users"]),
                       "without a sign-in log the activity counts should be unknown (null)")))

    # 4. The MSOnline example (Get-MsolUser JSON from 5.1 and 7, CLIXML).
    msol = run_audit(binary, [MSONLINE], REPO)
    out.append(("the MSOnline example (examples/contoso-msonline)", msol, []))

    # 5. Sign-in logs alone: users known only from the logs, policies seen only in the logs.
    logs_only = run_audit(binary, [EXAMPLE / "exports" / "signins"], REPO)
    out.append(("sign-in logs alone (no directory, no policy export)", logs_only,
                expect(any(p["state"] is None for p in logs_only["policies"]),
                       "a policy seen only in the logs should have state null")))

    # 6. MFA Server activity and histories through column maps: users[].mfa_server filled.
    server = tmp / "mfa-server"
    copy_directory_exports(server)
    write_mfa_server_files(server)
    mfas = run_audit(binary, [server, *MFA_SERVER_MAPS], tmp)
    out.append(("MFA Server activity, Blocked and Bypassed User Histories", mfas,
                expect(all(u["mfa_server"] is not None for u in mfas["users"]),
                       "every user should have mfa_server with both histories read")))

    # 7. History with something to say: a per-user state change, a rename, a disabled account,
    #    flags raised (the second run adds the sign-in logs and the configuration).
    db2 = tmp / "history-changes.db"
    run_audit(binary, [dir_only, "--history", db2], tmp)
    changed = tmp / "changed"
    shutil.copytree(EXAMPLE / "exports", changed)
    edit(changed / "per-user-mfa-state.csv", "000000000001,enforced", "000000000001,disabled")
    for name in ["exportUsers_2026-11-29.csv", "per-user-mfa-state.csv", "userRegistrationDetails.json"]:
        edit(changed / name, "bob@contoso.com", "robert@contoso.com")
    edit(changed / "exportUsers_2026-11-29.csv", "000000000003,Member,,,True", "000000000003,Member,,,False")
    later = run_audit(binary, [changed, *exceptions, "--history", db2], tmp)
    c = later["changes"] or {}
    out.append(("--history with changes (state, rename, disabled, flags, exceptions)", later,
                expect(all(c.get(k) for k in ["state_changed", "users_renamed", "users_disabled",
                                                "flags_raised", "exceptions_added"]),
                       "each of these change lists should have an entry")))
    return out


def rejections(report):
    """(name, a broken copy of `report`) pairs the schema must refuse."""
    out = []

    def broken(name, change):
        r = copy.deepcopy(report)
        change(r)
        out.append((name, r))

    broken("an unknown field in a user", lambda r: r["users"][0].__setitem__("nickname", "Al"))
    broken("a count given as a string", lambda r: r["users"][0].__setitem__("challenges", "4"))
    broken("a null where the count is always known", lambda r: r["summary"].__setitem__("users_total", None))
    broken("a user without mfa_server", lambda r: r["users"][0].pop("mfa_server"))
    broken("an unknown field in summary.enforcement",
           lambda r: r["summary"]["enforcement"].__setitem__("users_blocked", 0))
    broken("an unknown field at the top level", lambda r: r.__setitem__("extra", []))
    broken("a flag not in the list", lambda r: r["users"][0]["flags"].append("has-mfa"))
    broken("a per_user_state in lower case", lambda r: r["users"][0].__setitem__("per_user_state", "enforced"))
    broken("an unknown mfa_required value",
           lambda r: r["users"][0]["enforcement"].__setitem__("mfa_required", "sometimes"))
    broken("an unknown exception class",
           lambda r: r["exceptions"][0].__setitem__("class", "vip"))
    broken("an unknown exception state",
           lambda r: r["exceptions"][0].__setitem__("state", "pending"))
    broken("an unknown input kind", lambda r: r["inputs"][0].__setitem__("kind", "excel"))
    broken("a time that is not RFC 3339", lambda r: r.__setitem__("generated_at", "12/02/2026 16:42"))
    broken("another schema name", lambda r: r.__setitem__("schema", "mfaudit.audit/2"))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("reports", nargs="*", type=Path, help="reports written by mfaudit audit --json")
    ap.add_argument("--run", type=Path, metavar="BINARY", help="run BINARY on the shipped examples")
    ap.add_argument("--schema", type=Path, default=HERE / "audit.schema.json")
    args = ap.parse_args()
    if not args.reports and not args.run:
        ap.print_usage(sys.stderr)
        sys.exit(2)

    schema = json.loads(args.schema.read_text(encoding="utf-8"))
    v = validator(schema)
    checks = Checks()
    reports = []

    for path in args.reports:
        report = json.loads(path.read_text(encoding="utf-8"))
        reports.append(report)
        checks.result(f"valid: {path}", problems_of(v, schema, report))

    if args.run:
        binary = args.run.resolve()
        with tempfile.TemporaryDirectory(prefix="mfaudit-schema-") as tmp:
            for name, report, extra in scenarios(binary, Path(tmp)):
                reports.append(report)
                checks.result(f"valid: {name}", problems_of(v, schema, report) + extra)

    # The rejections need a report with users and exceptions: the first one that has both.
    base = next((r for r in reports if r.get("users") and r.get("exceptions")), None)
    if base is None:
        print("skip rejections: no report with users and exceptions to break")
    else:
        for name, report in rejections(base):
            refused = bool(list(v.iter_errors(report)))
            checks.result(f"rejected: {name}", [] if refused else ["the schema accepted it"])

    print(f"{checks.failed} failed" if checks.failed else "all checks passed")
    sys.exit(1 if checks.failed else 0)


if __name__ == "__main__":
    main()
