#!/usr/bin/env python3
"""Writes the fictional Contoso tenant as today's exports (Entra admin center and Graph), for
`mfaudit audit examples/contoso`. Run from this folder: `python3 generate.py`. Invented data.

  exports/userRegistrationDetails.json                    Graph beta userRegistrationDetails, two pages
  exports/exportUsers_2026-11-29.csv                      admin center "Download users" (UTF-8 BOM)
  exports/per-user-mfa-state.csv                          a script's save of perUserMfaState
  exports/signins/InteractiveSignIns_2026-11-22_2026-11-29.json   admin center sign-in JSON download
  exports/signins/InteractiveSignIns_2026-11-28_2026-11-29.csv    admin center sign-in CSV ...
  exports/signins/InteractiveSignIns_AuthDetails_2026-11-28_2026-11-29.csv   ... and its AuthDetails
  exports/signins/NonInteractiveSignIns_2026-11-22_2026-11-29.json   the non-interactive download
  exports/config/conditionalAccessPolicies.json           Graph conditionalAccess/policies page
  exports/config/securityDefaults.json                    identitySecurityDefaultsEnforcementPolicy
  exports/config/groups.json                              Graph groups with members expanded
  exports/config/roleAssignments.json                     Graph roleAssignments?$expand=principal
  exports/config/roleEligibilitySchedules.json            Graph (PIM) eligible role assignments
"""
import csv
import io
import json
import os
import datetime

T0 = datetime.datetime(2026, 11, 22, 8, 0, 0, tzinfo=datetime.timezone.utc)

# upn, display name, id suffix, enabled, user type, admin, methods (Graph names), default, per-user state
USERS = [
    ("alice@contoso.com", "Alice Archer", 1, True, "Member", True, ["microsoftAuthenticatorPush", "softwareOneTimePasscode"], "microsoftAuthenticatorPush", "enforced"),
    ("bob@contoso.com", "Bob Baker", 2, True, "Member", False, ["mobilePhone"], "mobilePhone", "enabled"),
    ("carol@contoso.com", "Carol Chen", 3, True, "Member", False, [], "none", "disabled"),
    ("dave@contoso.com", "Dave Diaz", 4, False, "Member", False, [], "none", "disabled"),
    ("erin@contoso.com", "Erin Evans", 5, True, "Member", False, ["microsoftAuthenticatorPush"], "microsoftAuthenticatorPush", "enforced"),
    ("frank@contoso.com", "Frank Fischer", 6, True, "Member", False, ["microsoftAuthenticatorPush", "mobilePhone"], "microsoftAuthenticatorPush", "disabled"),
    ("grace_fabrikam.com#EXT#@contoso.onmicrosoft.com", "Grace (Fabrikam)", 7, True, "Guest", False, ["mobilePhone"], "mobilePhone", "disabled"),
    ("heidi@contoso.com", "Heidi Hall", 8, True, "Member", True, [], "none", "disabled"),
    ("ivan@contoso.com", "Ivan Ivanov", 9, True, "Member", True, ["fido2SecurityKey", "windowsHelloForBusiness"], "none", "disabled"),
    ("judy@contoso.com", "Judy Jones", 10, True, "Member", False, ["softwareOneTimePasscode"], "softwareOneTimePasscode", "enabled"),
    ("mallory@contoso.com", "Mallory Moore", 11, True, "Member", False, ["microsoftAuthenticatorPush"], "microsoftAuthenticatorPush", "enforced"),
    ("zoë@contoso.com", "Zoë Zimmermann", 12, True, "Member", False, ["passKeyDeviceBound"], "none", "disabled"),
    ("oscar@contoso.com", "=HYPERLINK(\"http://example.invalid\",\"<script>alert(1)</script>\")", 13, True, "Member", False, ["email"], "none", "disabled"),
]


def oid(n):
    return "c0470000-0000-4000-8000-%012d" % n


def ts(minutes, fraction=""):
    t = T0 + datetime.timedelta(minutes=minutes)
    return t.strftime("%Y-%m-%dT%H:%M:%S") + fraction + "Z"


def registration_csv():
    out = io.StringIO(newline="")
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(["userPrincipalName", "userDisplayName", "isMfaCapable", "isPasswordlessCapable", "isSsprCapable", "defaultMfaMethod", "methodsRegistered", "lastUpdatedDateTime"])
    for upn, name, n, enabled, utype, admin, methods, default, state in USERS:
        if not enabled:
            continue  # disabled users are absent from Microsoft's registration report
        mfa = any(m not in ("email",) for m in methods)
        pwless = any(m in ("fido2SecurityKey", "windowsHelloForBusiness", "passKeyDeviceBound") for m in methods)
        w.writerow([upn, name, str(mfa), str(pwless), "False", default, json.dumps(methods, separators=(",", ":")), ts(-60 * 24, ".%d" % (1000 + n) + "Z")[:-1]])
    return out.getvalue()


def registration_json():
    """Two Graph beta pages written back to back, as a paging script appends them."""
    rows = []
    for upn, name, n, enabled, utype, admin, methods, default, state in USERS:
        if not enabled:
            continue  # disabled users are absent from Microsoft's registration report
        mfa = any(m not in ("email",) for m in methods)
        rows.append({
            "id": oid(n), "userPrincipalName": upn, "userDisplayName": name, "userType": utype.lower(),
            "isAdmin": admin, "isSsprRegistered": False, "isSsprEnabled": False, "isSsprCapable": False,
            "isMfaRegistered": mfa, "isMfaCapable": mfa,
            "isPasswordlessCapable": any(m in ("fido2SecurityKey", "windowsHelloForBusiness", "passKeyDeviceBound") for m in methods),
            "isSystemPreferredAuthenticationMethodEnabled": True, "systemPreferredAuthenticationMethods": [],
            "userPreferredMethodForSecondaryAuthentication": "", "defaultMfaMethod": default,
            "methodsRegistered": methods, "lastUpdatedDateTime": ts(-60 * 24, ".%d" % (1000 + n)),
        })
    ctx = "https://graph.microsoft.com/beta/$metadata#reports/authenticationMethods/userRegistrationDetails"
    page1 = {"@odata.context": ctx, "@odata.nextLink": "https://graph.microsoft.com/beta/reports/authenticationMethods/userRegistrationDetails?$skiptoken=page2", "value": rows[:7]}
    page2 = {"@odata.context": ctx, "value": rows[7:]}
    return json.dumps(page1, indent=2, ensure_ascii=False) + "\n" + json.dumps(page2, indent=2, ensure_ascii=False) + "\n"


def users_csv():
    out = io.StringIO(newline="")
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(["userPrincipalName", "displayName", "surname", "mail", "givenName", "id", "userType", "jobTitle", "department", "accountEnabled"])
    for upn, name, n, enabled, utype, admin, methods, default, state in USERS:
        w.writerow([upn, name, "", upn if utype == "Member" else "", "", oid(n), utype, "", "", str(enabled)])
    return "\ufeff" + out.getvalue()


def per_user_csv():
    out = io.StringIO(newline="")
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(["UserPrincipalName", "Id", "perUserMfaState"])
    for upn, name, n, enabled, utype, admin, methods, default, state in USERS:
        w.writerow([upn, oid(n), state])
    return out.getvalue()


REQ = "multiFactorAuthentication"
SINGLE = "singleFactorAuthentication"
counter = [0]

# Conditional Access as the sign-ins show it: one enforced policy demanding MFA (Carol, Judy and
# Oscar are excluded from it), one report-only policy that would demand it of them too.
ALL_USERS_MFA = ("6b6e1d1e-1d3c-4e1a-9d7e-000000000001", "Require MFA for all users")
REPORT_ONLY = ("6b6e1d1e-1d3c-4e1a-9d7e-000000000002", "Require MFA for excluded staff (report-only)")
PROVIDER = {"enforced": ("user", "Per-user MFA"), "enabled": ("user", "Per-user MFA")}


def policies(upn, error, requirement):
    """appliedConditionalAccessPolicies and authenticationRequirementPolicies of one sign-in."""
    state = next((u[8] for u in USERS if u[0] == upn), "disabled")
    if requirement == REQ:
        applied = [
            {"id": ALL_USERS_MFA[0], "displayName": ALL_USERS_MFA[1], "enforcedGrantControls": ["Mfa"], "enforcedSessionControls": [],
             "result": "success" if error == 0 else "failure"},
            {"id": REPORT_ONLY[0], "displayName": REPORT_ONLY[1], "enforcedGrantControls": ["Mfa"], "enforcedSessionControls": [],
             "result": "reportOnlyNotApplied"},
        ]
        provider = PROVIDER.get(state, ("multiConditionalAccess", "Conditional Access"))
        return applied, [{"requirementProvider": provider[0], "detail": provider[1]}]
    applied = [
        {"id": ALL_USERS_MFA[0], "displayName": ALL_USERS_MFA[1], "enforcedGrantControls": [], "enforcedSessionControls": [],
         "result": "notApplied"},
        {"id": REPORT_ONLY[0], "displayName": REPORT_ONLY[1], "enforcedGrantControls": ["Mfa"], "enforcedSessionControls": [],
         "result": "reportOnlyFailure" if error == 0 else "reportOnlyNotApplied"},
    ]
    return applied, []


def signin(upn, minute, error=0, reason="Other.", details=None, requirement=REQ, steps=(), home_upn=None, method=None,
           client="Browser", app="Office 365 SharePoint Online", interactive=True):
    counter[0] += 1
    n = next((u[2] for u in USERS if u[0] == upn), 99)
    user_upn = (home_upn or upn).lower()
    applied, required = policies(upn, error, requirement)
    return {
        "id": "a%07d-1111-4222-8333-%012d" % (counter[0], counter[0]),
        "createdDateTime": ts(minute),
        "userDisplayName": next((u[1] for u in USERS if u[0] == upn), "Unknown user"),
        "userPrincipalName": user_upn,
        "userId": oid(n) if n != 99 else "c0470000-0000-4000-8000-999999999999",
        "appId": "00000003-0000-0ff1-ce00-000000000000",
        "appDisplayName": app,
        "ipAddress": "203.0.113.%d" % (n % 250),
        "clientAppUsed": client,
        "correlationId": "c%07d-aaaa-4bbb-8ccc-%012d" % (counter[0], counter[0]),
        "conditionalAccessStatus": ("success" if error == 0 else "failure") if requirement == REQ else "notApplied",
        "isInteractive": interactive,
        "authenticationRequirement": requirement,
        "appliedConditionalAccessPolicies": applied,
        "authenticationRequirementPolicies": required,
        "status": {"errorCode": error, "failureReason": reason, "additionalDetails": details},
        "mfaDetail": {"authMethod": method, "authDetail": None} if method else {},
        "authenticationDetails": [
            {"authenticationStepDateTime": ts(minute), "authenticationMethod": "Password", "authenticationMethodDetail": "Password Hash Sync",
             "succeeded": True, "authenticationStepResultDetail": "Correct password", "authenticationStepRequirement": "Primary authentication"}
        ] + [
            {"authenticationStepDateTime": ts(minute), "authenticationMethod": m, "authenticationMethodDetail": None,
             "succeeded": ok, "authenticationStepResultDetail": detail, "authenticationStepRequirement": "Multifactor authentication"}
            for m, ok, detail in steps
        ],
    }


def signins():
    s = []
    # alice: push successes, and MFA from a claim in the token
    for d in range(3):
        s.append(signin("alice@contoso.com", d * 1440, details="MFA successfully completed", steps=[("Mobile app notification", True, "MFA successfully completed")], method="Mobile app notification"))
    s.append(signin("alice@contoso.com", 4 * 1440, details="MFA requirement satisfied by claim in the token", steps=[("Previously satisfied", True, "MFA requirement satisfied by claim in the token")]))
    # bob: text message
    s.append(signin("bob@contoso.com", 100, details="MFA successfully completed", steps=[("Text message", True, "MFA successfully completed")], method="Text message"))
    s.append(signin("bob@contoso.com", 2000, error=500121, reason="Authentication failed during strong authentication request.", details="MFA denied; user entered incorrect code", steps=[("Text message", False, "MFA denied; user entered incorrect code")]))
    # carol: single factor only
    s.append(signin("carol@contoso.com", 300, requirement=SINGLE))
    s.append(signin("carol@contoso.com", 3000, requirement=SINGLE))
    # erin: push fatigue, six denied/unanswered pushes in 20 minutes then a success
    for k in range(6):
        detail = "MFA denied; user declined the authentication" if k % 2 == 0 else "MFA denied; user did not respond to mobile app notification"
        s.append(signin("erin@contoso.com", 5000 + 3 * k, error=500121, reason="Authentication failed during strong authentication request.", details=detail, steps=[("Mobile app notification", False, detail)]))
    s.append(signin("erin@contoso.com", 5020, details="MFA successfully completed", steps=[("Mobile app notification", True, "MFA successfully completed")]))
    # frank: reported fraud
    s.append(signin("frank@contoso.com", 6000, error=500121, reason="Authentication failed during strong authentication request.", details="MFA denied; Phone App Reported Fraud", steps=[("Mobile app notification", False, "MFA denied; Phone App Reported Fraud")]))
    # grace (guest, home-form UPN in the logs): voice call
    s.append(signin("grace_fabrikam.com#EXT#@contoso.onmicrosoft.com", 7000, details="MFA successfully completed", steps=[("Voice", True, "MFA successfully completed")], home_upn="Grace@Fabrikam.com"))
    # heidi: admin, not registered, prompted to register
    s.append(signin("heidi@contoso.com", 7100, error=50079, reason="Due to a configuration change made by your administrator, or because you moved to a new location, you must enroll in multi-factor authentication to access this resource.", details="MFA registration prompted"))
    # ivan: FIDO2
    s.append(signin("ivan@contoso.com", 7200, details="MFA successfully completed", steps=[("FIDO2 security key", True, "MFA successfully completed")]))
    # mallory: challenged, never completed
    for k in range(2):
        s.append(signin("mallory@contoso.com", 8000 + 600 * k, error=500121, reason="Authentication failed during strong authentication request.", details="MFA denied; user did not respond to mobile app notification", steps=[("Mobile app notification", False, "MFA denied; user did not respond to mobile app notification")]))
    # zoë: passkey
    s.append(signin("zoë@contoso.com", 8500, details="MFA successfully completed", steps=[("Passkey (device-bound)", True, "MFA successfully completed")]))
    # oscar (excluded from the MFA policy, no MFA method): mail over IMAP gets in, POP3 does not
    s.append(signin("oscar@contoso.com", 8700, requirement=SINGLE, client="IMAP4", app="Office 365 Exchange Online"))
    s.append(signin("oscar@contoso.com", 8760, error=50126, reason="Error validating credentials due to invalid username or password.",
                    requirement=SINGLE, client="POP3", app="Office 365 Exchange Online"))
    # someone not in the directory
    s.append(signin("eve@contoso.com", 9000, error=50126, reason="Error validating credentials due to invalid username or password.", requirement=SINGLE))
    s.sort(key=lambda x: x["createdDateTime"], reverse=True)  # the portal lists newest first
    return s


MAIN_HEADER = ["Date (UTC)", "Request ID", "User agent", "Correlation ID", "User ID", "User", "Username", "User type", "Cross tenant access type", "Incoming token type", "Authentication Protocol", "Unique token identifier", "Original transfer method", "Client credential type", "Token Protection - Sign In Session", "Token Protection - Sign In Session StatusCode", "Application", "Application ID ", "App owner tenant ID", "Resource", "Resource ID ", "Resource tenant ID", "Resource owner tenant ID", "Home tenant ID", "Home tenant name", "IP address", "Location", "Status", "Sign-in error code", "Failure reason", "Client app", "Device ID", "Browser", "Operating System", "Compliant", "Managed", "Join Type", "Multifactor authentication result", "Multifactor authentication auth method", "Multifactor authentication auth detail", "Authentication requirement", "Sign-in identifier", "Session ID", "IP address (seen by resource)", "Through Global Secure Access", "Global Secure Access IP address", "Autonomous system  number", "Flagged for review", "Token issuer type", "Incoming token type", "Token issuer name", "Latency", "Conditional Access", "Managed Identity type", "Associated Resource Id", "Federated Token Id", "Federated Token Issuer"]


def csv_pair():
    rows = [
        signin("judy@contoso.com", 9500, requirement=SINGLE),
        signin("bob@contoso.com", 9600, details="MFA successfully completed", steps=[("Text message", True, "MFA successfully completed")], method="Text message"),
        signin("mallory@contoso.com", 9700, error=500121, reason="Authentication failed during strong authentication request.", details="MFA denied; user declined the authentication", steps=[("Mobile app notification", False, "MFA denied; user declined the authentication")]),
    ]
    main = io.StringIO(newline="")
    w = csv.writer(main, lineterminator="\r\n")
    w.writerow(MAIN_HEADER)
    for r in rows:
        v = {h: "" for h in MAIN_HEADER}
        v.update({"Date (UTC)": r["createdDateTime"], "Request ID": r["id"], "Correlation ID": r["correlationId"], "User ID": r["userId"],
                  "User": r["userDisplayName"], "Username": r["userPrincipalName"], "User type": "Member", "Application": r["appDisplayName"],
                  "IP address": r["ipAddress"], "Location": "Seattle, Washington, US",
                  "Status": "Success" if r["status"]["errorCode"] == 0 else "Failure", "Sign-in error code": str(r["status"]["errorCode"]),
                  "Failure reason": r["status"]["failureReason"], "Client app": "Browser",
                  "Multifactor authentication result": r["status"]["additionalDetails"] or "",
                  "Multifactor authentication auth method": r["mfaDetail"].get("authMethod") or "",
                  "Authentication requirement": "Multifactor authentication" if r["authenticationRequirement"] == REQ else "Single-factor authentication",
                  "Conditional Access": "Success" if r["status"]["errorCode"] == 0 else "Failure"})
        w.writerow([v[h] for h in MAIN_HEADER])
    auth = io.StringIO(newline="")
    w = csv.writer(auth, lineterminator="\r\n")
    w.writerow(["Request ID", "Date", "Authentication method", "Authentication method detail", "Succeeded", "Result detail", "Requirement"])
    for r in rows:
        for st in r["authenticationDetails"]:
            w.writerow([r["id"], st["authenticationStepDateTime"], st["authenticationMethod"], st["authenticationMethodDetail"] or "",
                        "true" if st["succeeded"] else "false", st["authenticationStepResultDetail"], st["authenticationStepRequirement"]])
    return "\ufeff" + main.getvalue(), "\ufeff" + auth.getvalue()


def noninteractive():
    """Token refreshes: single-factor and successful, yet never "without MFA" (the session's MFA,
    if any, was met at the interactive sign-in)."""
    s = []
    for upn, minute in [("alice@contoso.com", 30), ("alice@contoso.com", 1470), ("carol@contoso.com", 330), ("ivan@contoso.com", 7230)]:
        r = signin(upn, minute, requirement=SINGLE, app="Microsoft Teams", client="Mobile Apps and Desktop clients", interactive=False)
        r["authenticationDetails"] = [
            {"authenticationStepDateTime": ts(minute), "authenticationMethod": "Previously satisfied", "authenticationMethodDetail": None,
             "succeeded": True, "authenticationStepResultDetail": "First factor requirement satisfied by claim in the token",
             "authenticationStepRequirement": "Primary authentication"}
        ]
        s.append(r)
    s.sort(key=lambda x: x["createdDateTime"], reverse=True)
    return s


GLOBAL_ADMIN = "62e90394-69f5-4237-9190-012177145e10"
EXCLUSIONS_GROUP = "9a0c0000-0000-4000-8000-000000000001"
GRAPH = "https://graph.microsoft.com/v1.0/$metadata#"


def conditional_access():
    """The tenant's policies: MFA for everyone but the exclusions group (Carol, Judy, Oscar), a
    report-only policy for that group, legacy clients blocked (the group excluded again), and
    phishing-resistant MFA for Global Administrators."""
    def policy(n, name, state, users, apps=None, clients=("all",), grant=None):
        return {
            "id": "6b6e1d1e-1d3c-4e1a-9d7e-%012d" % n, "displayName": name, "state": state,
            "createdDateTime": "2026-01-15T09:00:00Z", "modifiedDateTime": "2026-10-01T09:00:00Z",
            "conditions": {
                "users": dict({"includeUsers": [], "excludeUsers": [], "includeGroups": [], "excludeGroups": [],
                               "includeRoles": [], "excludeRoles": [], "includeGuestsOrExternalUsers": None,
                               "excludeGuestsOrExternalUsers": None}, **users),
                "applications": apps or {"includeApplications": ["All"], "excludeApplications": [], "includeUserActions": [],
                                         "includeAuthenticationContextClassReferences": []},
                "clientAppTypes": list(clients), "platforms": None, "locations": None,
                "signInRiskLevels": [], "userRiskLevels": [], "servicePrincipalRiskLevels": [],
            },
            "grantControls": grant, "sessionControls": None,
        }
    mfa = {"operator": "OR", "builtInControls": ["mfa"], "customAuthenticationFactors": [], "termsOfUse": [], "authenticationStrength": None}
    policies = [
        policy(1, "Require MFA for all users", "enabled", {"includeUsers": ["All"], "excludeGroups": [EXCLUSIONS_GROUP]}, grant=mfa),
        policy(2, "Require MFA for excluded staff (report-only)", "enabledForReportingButNotEnforced",
               {"includeGroups": [EXCLUSIONS_GROUP]}, grant=mfa),
        policy(3, "Block legacy authentication", "enabled", {"includeUsers": ["All"], "excludeGroups": [EXCLUSIONS_GROUP]},
               clients=("exchangeActiveSync", "other"),
               grant={"operator": "OR", "builtInControls": ["block"], "customAuthenticationFactors": [], "termsOfUse": [], "authenticationStrength": None}),
        policy(4, "Phishing-resistant MFA for Global Administrators", "enabled", {"includeRoles": [GLOBAL_ADMIN]},
               grant={"operator": "OR", "builtInControls": [], "customAuthenticationFactors": [], "termsOfUse": [],
                      "authenticationStrength": {"id": "00000000-0000-0000-0000-000000000004", "displayName": "Phishing-resistant MFA",
                                                 "policyType": "builtIn", "requirementsSatisfied": "mfa",
                                                 "allowedCombinations": ["windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor"]}}),
    ]
    return {"@odata.context": GRAPH + "identity/conditionalAccess/policies", "value": policies}


def security_defaults():
    return {"@odata.context": GRAPH + "policies/identitySecurityDefaultsEnforcementPolicy/$entity",
            "id": "00000000-0000-0000-0000-000000000005", "displayName": "Security Defaults",
            "description": "Security defaults is a set of basic identity security mechanisms recommended by Microsoft.",
            "isEnabled": False}


def groups():
    def member(upn):
        n = next(u[2] for u in USERS if u[0] == upn)
        return {"@odata.type": "#microsoft.graph.user", "id": oid(n), "userPrincipalName": upn}
    return {"@odata.context": GRAPH + "groups(id,displayName,members(id,userPrincipalName))", "value": [
        {"id": EXCLUSIONS_GROUP, "displayName": "MFA exclusions",
         "members": [member("carol@contoso.com"), member("judy@contoso.com"), member("oscar@contoso.com")]},
    ]}


def role_assignments():
    def assignment(k, upn):
        n = next(u[2] for u in USERS if u[0] == upn)
        return {"id": "ra-%d" % k, "roleDefinitionId": GLOBAL_ADMIN, "principalId": oid(n), "directoryScopeId": "/",
                "principal": {"@odata.type": "#microsoft.graph.user", "id": oid(n), "userPrincipalName": upn}}
    return {"@odata.context": GRAPH + "roleManagement/directory/roleAssignments(principal())",
            "value": [assignment(1, "alice@contoso.com"), assignment(2, "heidi@contoso.com")]}


def role_eligibility():
    n = next(u[2] for u in USERS if u[0] == "ivan@contoso.com")
    return {"@odata.context": GRAPH + "roleManagement/directory/roleEligibilitySchedules", "value": [
        {"id": "re-1", "principalId": oid(n), "roleDefinitionId": GLOBAL_ADMIN, "directoryScopeId": "/",
         "memberType": "Direct", "status": "Provisioned",
         "scheduleInfo": {"startDateTime": "2026-01-01T00:00:00Z", "expiration": {"type": "noExpiration"}}}]}


def main():
    os.makedirs("exports/signins", exist_ok=True)
    with open("exports/userRegistrationDetails.json", "w", encoding="utf-8", newline="") as f:
        f.write(registration_json())
    with open("exports/exportUsers_2026-11-29.csv", "w", encoding="utf-8", newline="") as f:
        f.write(users_csv())
    with open("exports/per-user-mfa-state.csv", "w", encoding="utf-8", newline="") as f:
        f.write(per_user_csv())
    with open("exports/signins/InteractiveSignIns_2026-11-22_2026-11-29.json", "w", encoding="utf-8", newline="") as f:
        f.write(json.dumps(signins(), indent=2, ensure_ascii=False))
    with open("exports/signins/NonInteractiveSignIns_2026-11-22_2026-11-29.json", "w", encoding="utf-8", newline="") as f:
        f.write(json.dumps(noninteractive(), indent=2, ensure_ascii=False))
    os.makedirs("exports/config", exist_ok=True)
    for name, value in [("conditionalAccessPolicies", conditional_access()), ("securityDefaults", security_defaults()),
                        ("groups", groups()), ("roleAssignments", role_assignments()),
                        ("roleEligibilitySchedules", role_eligibility())]:
        with open("exports/config/%s.json" % name, "w", encoding="utf-8", newline="") as f:
            f.write(json.dumps(value, indent=2, ensure_ascii=False) + "\n")
    main_csv, auth_csv = csv_pair()
    with open("exports/signins/InteractiveSignIns_2026-11-28_2026-11-29.csv", "w", encoding="utf-8", newline="") as f:
        f.write(main_csv)
    with open("exports/signins/InteractiveSignIns_AuthDetails_2026-11-28_2026-11-29.csv", "w", encoding="utf-8", newline="") as f:
        f.write(auth_csv)


if __name__ == "__main__":
    main()
