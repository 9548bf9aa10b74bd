#!/usr/bin/env python3
"""Writes the fictional Contoso tenant as Get-MsolUser exports, byte for byte in the shapes
Windows PowerShell 5.1 and PowerShell 7 produce (see ../../../shared/docs/powershell.md §6-7):

  msol-ps51.json    ConvertTo-Json | Out-File  (UTF-16LE with BOM, CRLF, 5.1's key-aligned layout)
  msol-ps7.json     ConvertTo-Json             (UTF-8 without BOM, 2-space layout, ISO dates)
  msol-ps51.clixml  Export-Clixml              (UTF-16LE with BOM, CRLF, no trailing newline)

and the reports PowerShell wrote from them under expected/. Run it from this folder:
`python3 generate.py`. The data is invented; any resemblance to a real tenant is an accident.
"""
import json
import os

# UserPrincipalName, BlockCredential, methods [(MethodType, IsDefault)] or None, states or None,
# DisplayName, UserType (0 Member / 2 Guest as the numbers MSOnline JSON carries), IsLicensed
USERS = [
    ("alice@contoso.com", False, [], [], "Alice Archer", "Member", True),
    ("bob@contoso.com", False, [("PhoneAppOTP", False), ("PhoneAppNotification", True)], ["Enforced"], "Bob Baker", "Member", True),
    ("carol@contoso.com", False, [("OneWaySMS", True)], ["Enabled"], "Carol Chen", "Member", True),
    ("dave@contoso.com", True, [("PhoneAppOTP", True)], [], "Dave Diaz", "Member", False),
    ("erin@contoso.com", True, [], [], "Erin Evans", "Member", False),
    ("frank@contoso.com", False, None, None, "Frank Fischer", "Member", True),
    ("zoë@contoso.com", False, [], [], "Zoë Zimmermann", "Member", True),
    ("grace_fabrikam.com#EXT#@contoso.onmicrosoft.com", False, [("TwoWayVoiceMobile", True)], ["Enabled"], "Grace (Fabrikam)", "Guest", False),
    ("heidi@contoso.com", None, [("PhoneAppNotification", True)], [], "Heidi Hall", "Member", True),
    ("ivan@contoso.com", False, [("PhoneAppNotification", True), ("PhoneAppOTP", False), ("OneWaySMS", False)], [], "Ivan \"The Admin\" Ivanov", "Member", True),
]
OBJECT_IDS = ["%08x-0000-4000-8000-%012x" % (0xC0470000 + i, i) for i in range(len(USERS))]
WHEN_CREATED_MS = 1694859875000  # 2023-09-16T10:24:35Z
REMEMBER_MS = 1574164800000      # 2019-11-19T12:00:00Z
USER_TYPE_NUMBER = {"Member": 0, "Guest": 2}


def ms_date(ms):
    return "\\/Date(%d)\\/" % ms


def iso(ms):
    import datetime
    return datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def user_obj(i, u, ps51):
    upn, block, methods, states, name, utype, licensed = u
    date = ms_date if ps51 else iso
    ext = "System.Runtime.Serialization.ExtensionDataObject"
    o = {
        "ExtensionData": {},
        "BlockCredential": block,
        "DisplayName": name,
        "IsLicensed": licensed,
        "LastPasswordChangeTimestamp": "@@" + date(WHEN_CREATED_MS + 86400000 * i),
        "ObjectId": OBJECT_IDS[i],
        "StrongAuthenticationMethods": None if methods is None else [
            {"ExtensionData": ext, "IsDefault": d, "MethodType": t} for t, d in methods],
        "StrongAuthenticationRequirements": None if states is None else [
            {"ExtensionData": ext, "RelyingParty": "*", "RememberDevicesNotIssuedBefore": "@@" + date(REMEMBER_MS), "State": s}
            for s in states],
        "UserPrincipalName": upn,
        "UserType": USER_TYPE_NUMBER[utype],
        "WhenCreated": "@@" + date(WHEN_CREATED_MS),
    }
    return o


def js_compact(value):
    """JavaScriptSerializer: no whitespace; ' < > & escaped as \\u00XX; dates pre-escaped (@@)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("'", "\\u0027").replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    # Dates were written as "@@\\/Date(..)\\/": json.dumps doubled the backslashes; undo that.
    return text.replace('"@@\\\\/Date(', '"\\/Date(').replace(')\\\\/"', ')\\/"')


def ps51_pretty(compact):
    """PowerShell 5.1's re-indenting pass over JavaScriptSerializer output (powershell.md §6.3)."""
    out = []
    pos = 0

    def string_at(i):
        j = i + 1
        while compact[j] != '"':
            j += 2 if compact[j] == "\\" else 1
        return compact[i:j + 1], j + 1

    def scalar_at(i):
        j = i
        while j < len(compact) and compact[j] not in ",]}":
            j += 1
        return compact[i:j], j

    def container(i, base, extra):
        # compact[i] is '{' or '['; the bracket itself has been written by the caller.
        is_obj = compact[i] == "{"
        close = "}" if is_obj else "]"
        i += 1
        out.append("\r\n")
        ind = base + " " * extra + "    "
        first = True
        while compact[i] != close:
            if not first:
                i += 1  # the comma
                out.append(",\r\n")
            first = False
            out.append(ind)
            if is_obj:
                key, i = string_at(i)
                out.append(key)
                i += 1  # colon
                out.append(":  ")
                n = len(key) + 3
                c = compact[i]
                if c in "{[":
                    out.append(c)
                    i = container(i, ind, n)
                elif c == '"':
                    s, i = string_at(i)
                    out.append(s)
                else:
                    s, i = scalar_at(i)
                    out.append(s)
            else:
                c = compact[i]
                if c in "{[":
                    out.append(c)
                    i = container(i, ind, 0)
                elif c == '"':
                    s, i = string_at(i)
                    out.append(s)
                else:
                    s, i = scalar_at(i)
                    out.append(s)
        out.append("\r\n" + base + " " * extra + close)
        return i + 1

    if compact[0] not in "{[":
        return compact
    out.append(compact[0])
    container(0, "", 0)
    return "".join(out)


def ps7_pretty(value, nl):
    text = json.dumps(value, ensure_ascii=False, indent=2)
    text = text.replace('"@@', '"')
    return text.replace("\n", nl)


def xml_text(s):
    s = "".join("_x%04X_" % ord(c) if ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F else c for c in s)
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clixml():
    lines = ['<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">']
    ref = [0]
    tn = {}

    def next_ref():
        r = ref[0]
        ref[0] += 1
        return r

    def type_names(key, names, indent):
        if key in tn:
            lines.append(indent + '<TNRef RefId="%d" />' % tn[key])
        else:
            tn[key] = len(tn)
            lines.append(indent + '<TN RefId="%d">' % tn[key])
            for n in names:
                lines.append(indent + "  <T>%s</T>" % n)
            lines.append(indent + "</TN>")

    asm = "Microsoft.Online.Administration, Version=1.1.183.66, Culture=neutral, PublicKeyToken=31bf3856ad364e35"
    for i, u in enumerate(USERS):
        upn, block, methods, states, name, utype, licensed = u
        lines.append('  <Obj RefId="%d">' % next_ref())
        type_names("user", ["Microsoft.Online.Administration.User", "System.Object"], "    ")
        lines.append("    <ToString>Microsoft.Online.Administration.User</ToString>")
        lines.append("    <Props>")
        p = "      "
        lines.append(p + ('<Nil N="BlockCredential" />' if block is None else '<B N="BlockCredential">%s</B>' % str(block).lower()))
        lines.append(p + '<S N="DisplayName">%s</S>' % xml_text(name))
        lines.append(p + '<B N="IsLicensed">%s</B>' % str(licensed).lower())
        lines.append(p + '<G N="ObjectId">%s</G>' % OBJECT_IDS[i])
        for prop, items, kind in (("StrongAuthenticationMethods", methods, "StrongAuthenticationMethod"),
                                  ("StrongAuthenticationRequirements", states, "StrongAuthenticationRequirement")):
            if items is None:
                lines.append(p + '<Nil N="%s" />' % prop)
                continue
            lines.append(p + '<Obj N="%s" RefId="%d">' % (prop, next_ref()))
            type_names("list-" + kind, ["System.Collections.Generic.List`1[[Microsoft.Online.Administration.%s, %s]]" % (kind, asm), "System.Object"], p + "  ")
            lines.append(p + "  <LST>")
            for item in items:
                q = p + "    "
                lines.append(q + '<Obj RefId="%d">' % next_ref())
                type_names(kind, ["Microsoft.Online.Administration.%s" % kind, "System.Object"], q + "  ")
                lines.append(q + "  <ToString>Microsoft.Online.Administration.%s</ToString>" % kind)
                lines.append(q + "  <Props>")
                lines.append(q + '    <S N="ExtensionData">System.Runtime.Serialization.ExtensionDataObject</S>')
                if kind == "StrongAuthenticationMethod":
                    t, d = item
                    lines.append(q + '    <B N="IsDefault">%s</B>' % str(d).lower())
                    lines.append(q + '    <S N="MethodType">%s</S>' % t)
                else:
                    lines.append(q + '    <S N="RelyingParty">*</S>')
                    lines.append(q + '    <DT N="RememberDevicesNotIssuedBefore">2019-11-19T12:00:00Z</DT>')
                    lines.append(q + '    <S N="State">%s</S>' % item)
                lines.append(q + "  </Props>")
                lines.append(q + "</Obj>")
            lines.append(p + "  </LST>")
            lines.append(p + "</Obj>")
        lines.append(p + '<S N="UserPrincipalName">%s</S>' % xml_text(upn))
        lines.append(p + '<Obj N="UserType" RefId="%d">' % next_ref())
        type_names("usertype", ["Microsoft.Online.Administration.UserType", "System.Enum", "System.ValueType", "System.Object"], p + "  ")
        lines.append(p + "  <ToString>%s</ToString>" % utype)
        lines.append(p + "  <I32>%d</I32>" % USER_TYPE_NUMBER[utype])
        lines.append(p + "</Obj>")
        lines.append(p + '<DT N="WhenCreated">2023-09-16T10:24:35Z</DT>')
        lines.append("    </Props>")
        lines.append("  </Obj>")
    lines.append("</Objs>")
    return "\r\n".join(lines)


def export_csv_line(fields):
    return ",".join("" if f is None else '"' + f.replace('"', '""') + '"' for f in fields) + "\r\n"


def p3_row(u):
    upn, block, methods, states, *_ = u
    status = " ".join(states) if states else "Disabled"
    names = [t for t, _ in methods] if methods else []
    return [upn, status, " ".join(names) if names else None]


def table(rows, ps51):
    if not rows:
        return ""
    nl = "\r\n" if ps51 else "\n"
    width = max([len("UserPrincipalName")] + [len(r) for r in rows])
    pad = (lambda s: s.ljust(width)) if ps51 else (lambda s: s)
    text = nl + pad("UserPrincipalName") + nl + pad("-" * 17) + nl + "".join(pad(r) + nl for r in rows) + nl
    return text + (nl if ps51 else "")


def ascii_bytes(text):
    return "".join(c if ord(c) < 128 else "?" * (len(c.encode("utf-16-le")) // 2) for c in text).encode("ascii")


def main():
    os.makedirs("exports", exist_ok=True)
    ps51 = ps51_pretty(js_compact([user_obj(i, u, True) for i, u in enumerate(USERS)]))
    with open("exports/msol-ps51.json", "wb") as f:
        f.write(b"\xff\xfe" + (ps51 + "\r\n").encode("utf-16-le"))  # Out-File adds a newline
    with open("exports/msol-ps7.json", "wb") as f:
        f.write((ps7_pretty([user_obj(i, u, False) for i, u in enumerate(USERS)], "\n") + "\n").encode("utf-8"))
    with open("exports/msol-ps51.clixml", "wb") as f:
        f.write(b"\xff\xfe" + clixml().encode("utf-16-le"))

    os.makedirs("expected", exist_ok=True)
    p3 = export_csv_line(["UserPrincipalName", "MFA Status", "MFA Methods"]) + "".join(export_csv_line(p3_row(u)) for u in USERS)
    with open("expected/MFA_Report.csv", "wb") as f:
        f.write(p3.encode("utf-8"))
    with open("expected/MFA_Report.ps51.csv", "wb") as f:
        f.write(ascii_bytes(p3))
    registered = [u[0] for u in USERS if u[2] and u[1] is False]
    unregistered = [u[0] for u in USERS if not u[2] and u[1] is False]
    for name, rows in (("registered", registered), ("unregistered", unregistered)):
        with open("expected/%s.ps51.txt" % name, "wb") as f:
            f.write(ascii_bytes(table(rows, True)))
        with open("expected/%s.txt" % name, "wb") as f:
            f.write(table(rows, False).encode("utf-8"))
        with open("expected/%s.csv" % name, "wb") as f:
            f.write((export_csv_line(["UserPrincipalName"]) + "".join(export_csv_line([r]) for r in rows)).encode("utf-8"))


if __name__ == "__main__":
    main()
