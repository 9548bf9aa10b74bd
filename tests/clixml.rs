//! `Get-MsolUser | Export-Clixml` files through the binary: fixture F1 (powershell.md §1) written
//! the way Windows PowerShell 5.1 (UTF-16LE + BOM, CRLF) and PowerShell 7 (UTF-8, LF, objects
//! re-exported after Import-Clixml) write it, then the classic reports and the golden P1/P2/P3 bytes.

use crate::support::{Test, tempdir, utf16le_bom, write};

/// powershell.md appendix, `P3.csv.win`.
const P3_CSV_WIN: &str = "\"UserPrincipalName\",\"MFA Status\",\"MFA Methods\"\r\n\"alice@contoso.com\",\"Disabled\",\r\n\"bob@contoso.com\",\"Enforced\",\"PhoneAppOTP PhoneAppNotification\"\r\n\"carol@contoso.com\",\"Enabled\",\"OneWaySMS\"\r\n\"dave@contoso.com\",\"Disabled\",\"PhoneAppOTP\"\r\n\"erin@contoso.com\",\"Disabled\",\r\n\"frank@contoso.com\",\"Disabled\",\r\n";
/// `P1.console.7.unix`.
const P1_CONSOLE_UNIX: &str =
    "\nUserPrincipalName\n-----------------\nbob@contoso.com\ncarol@contoso.com\n\n";
/// `P2.console.7.win` with the Linux newline.
const P2_CONSOLE_UNIX: &str =
    "\nUserPrincipalName\n-----------------\nalice@contoso.com\nfrank@contoso.com\n\n";

const METHOD_LIST: &str = "System.Collections.Generic.List`1[[Microsoft.Online.Administration.StrongAuthenticationMethod, Microsoft.Online.Administration, Version=1.1.166.0, Culture=neutral, PublicKeyToken=null]]";
const REQUIREMENT_LIST: &str = "System.Collections.Generic.List`1[[Microsoft.Online.Administration.StrongAuthenticationRequirement, Microsoft.Online.Administration, Version=1.1.166.0, Culture=neutral, PublicKeyToken=null]]";
const STRING_LIST: &str = "System.Collections.Generic.List`1[[System.String, mscorlib, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089]]";

/// A minimal CLIXML writer with PowerShell's layout: 2-space indentation, object RefIds and
/// type-list RefIds as separate counters in document order, `<TNRef>` for a type list seen before.
struct Clixml {
    lines: Vec<String>,
    depth: usize,
    next_obj: u32,
    type_lists: Vec<Vec<String>>,
    /// Objects re-exported after Import-Clixml carry `Deserialized.` type names.
    deserialized: bool,
}

impl Clixml {
    fn new(deserialized: bool) -> Self {
        Clixml {
            lines: vec![
                r#"<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">"#
                    .into(),
            ],
            depth: 1,
            next_obj: 0,
            type_lists: vec![],
            deserialized,
        }
    }

    fn line(&mut self, s: impl AsRef<str>) {
        self.lines
            .push(format!("{}{}", "  ".repeat(self.depth), s.as_ref()));
    }

    fn name(n: Option<&str>) -> String {
        n.map_or(String::new(), |n| format!(" N=\"{n}\""))
    }

    /// `<Obj N RefId>` and its type list; returns the RefId.
    fn open_obj(&mut self, n: Option<&str>, types: &[&str]) -> u32 {
        let id = self.next_obj;
        self.next_obj += 1;
        self.line(format!("<Obj{} RefId=\"{id}\">", Self::name(n)));
        self.depth += 1;
        let types: Vec<String> = types
            .iter()
            .map(|t| {
                if self.deserialized {
                    format!("Deserialized.{t}")
                } else {
                    t.to_string()
                }
            })
            .collect();
        match self.type_lists.iter().position(|t| *t == types) {
            Some(tn) => self.line(format!("<TNRef RefId=\"{tn}\" />")),
            None => {
                self.line(format!("<TN RefId=\"{}\">", self.type_lists.len()));
                self.depth += 1;
                for t in &types {
                    self.line(format!("<T>{t}</T>"));
                }
                self.depth -= 1;
                self.line("</TN>");
                self.type_lists.push(types);
            }
        }
        id
    }

    fn close(&mut self, tag: &str) {
        self.depth -= 1;
        self.line(format!("</{tag}>"));
    }

    fn open(&mut self, tag: &str) {
        self.line(format!("<{tag}>"));
        self.depth += 1;
    }

    fn prim(&mut self, tag: &str, n: &str, text: &str) {
        if text.is_empty() {
            self.line(format!("<{tag} N=\"{n}\" />"));
        } else {
            self.line(format!("<{tag} N=\"{n}\">{text}</{tag}>"));
        }
    }

    fn nil(&mut self, n: &str) {
        self.line(format!("<Nil N=\"{n}\" />"));
    }

    fn reference(&mut self, n: &str, id: u32) {
        self.line(format!("<Ref N=\"{n}\" RefId=\"{id}\" />"));
    }

    fn text(&self, newline: &str) -> String {
        let mut lines = self.lines.clone();
        lines.push("</Objs>".into());
        lines.join(newline)
    }
}

struct F1User {
    upn: &'static str,
    block: bool,
    /// `None` is `$null`.
    methods: Option<&'static [&'static str]>,
    states: Option<&'static [&'static str]>,
}

const F1: [F1User; 6] = [
    F1User {
        upn: "alice@contoso.com",
        block: false,
        methods: Some(&[]),
        states: Some(&[]),
    },
    F1User {
        upn: "bob@contoso.com",
        block: false,
        methods: Some(&["PhoneAppOTP", "PhoneAppNotification"]),
        states: Some(&["Enforced"]),
    },
    F1User {
        upn: "carol@contoso.com",
        block: false,
        methods: Some(&["OneWaySMS"]),
        states: Some(&["Enabled"]),
    },
    F1User {
        upn: "dave@contoso.com",
        block: true,
        methods: Some(&["PhoneAppOTP"]),
        states: Some(&[]),
    },
    F1User {
        upn: "erin@contoso.com",
        block: true,
        methods: Some(&[]),
        states: Some(&[]),
    },
    F1User {
        upn: "frank@contoso.com",
        block: false,
        methods: None,
        states: None,
    },
];

/// Fixture F1 as `Get-MsolUser | Export-Clixml` (default -Depth 2) writes it: each user's .NET
/// properties under `<Props>` at depth 1, so the lists are `List`1` objects whose items' own
/// properties are written at depth 0 (primitives as themselves, ExtensionData as its ToString).
/// erin's method list is written as a `<Ref>` to alice's: the shape PowerShell writes when two
/// users share one (empty) list instance.
fn f1_clixml(deserialized: bool, newline: &str) -> String {
    let mut w = Clixml::new(deserialized);
    let mut alice_methods = None;
    for (i, u) in F1.iter().enumerate() {
        w.open_obj(
            None,
            &["Microsoft.Online.Administration.User", "System.Object"],
        );
        w.line("<ToString>Microsoft.Online.Administration.User</ToString>");
        w.open("Props");
        w.open_obj(
            Some("ExtensionData"),
            &[
                "System.Runtime.Serialization.ExtensionDataObject",
                "System.Object",
            ],
        );
        w.line("<ToString>System.Runtime.Serialization.ExtensionDataObject</ToString>");
        w.close("Obj");
        w.open_obj(
            Some("AlternateEmailAddresses"),
            &[STRING_LIST, "System.Object"],
        );
        w.line("<LST />");
        w.close("Obj");
        w.prim(
            "B",
            "BlockCredential",
            if u.block { "true" } else { "false" },
        );
        w.nil("City");
        w.prim(
            "S",
            "DisplayName",
            &u.upn.split('@').next().unwrap_or_default().to_uppercase(),
        );
        w.prim("B", "IsLicensed", "true");
        w.prim("DT", "LastPasswordChangeTimestamp", "2024-01-15T10:30:00Z");
        w.prim(
            "G",
            "ObjectId",
            &format!("0b838a0a-f67c-448b-8731-ee3ddb18a60{i}"),
        );
        match u.methods {
            None => w.nil("StrongAuthenticationMethods"),
            Some([]) if u.upn.starts_with("erin") => {
                w.reference("StrongAuthenticationMethods", alice_methods.unwrap_or(0))
            }
            Some(methods) => {
                let id = w.open_obj(
                    Some("StrongAuthenticationMethods"),
                    &[METHOD_LIST, "System.Object"],
                );
                if u.upn.starts_with("alice") {
                    alice_methods = Some(id);
                }
                if methods.is_empty() {
                    w.line("<LST />");
                } else {
                    w.open("LST");
                    for (k, m) in methods.iter().enumerate() {
                        w.open_obj(
                            None,
                            &[
                                "Microsoft.Online.Administration.StrongAuthenticationMethod",
                                "System.Object",
                            ],
                        );
                        w.line("<ToString>Microsoft.Online.Administration.StrongAuthenticationMethod</ToString>");
                        w.open("Props");
                        w.prim(
                            "S",
                            "ExtensionData",
                            "System.Runtime.Serialization.ExtensionDataObject",
                        );
                        w.prim("B", "IsDefault", if k == 0 { "true" } else { "false" });
                        w.prim("S", "MethodType", m);
                        w.close("Props");
                        w.close("Obj");
                    }
                    w.close("LST");
                }
                w.close("Obj");
            }
        }
        match u.states {
            None => w.nil("StrongAuthenticationRequirements"),
            Some(states) => {
                w.open_obj(
                    Some("StrongAuthenticationRequirements"),
                    &[REQUIREMENT_LIST, "System.Object"],
                );
                if states.is_empty() {
                    w.line("<LST />");
                } else {
                    w.open("LST");
                    for s in states {
                        w.open_obj(
                            None,
                            &[
                                "Microsoft.Online.Administration.StrongAuthenticationRequirement",
                                "System.Object",
                            ],
                        );
                        w.line("<ToString>Microsoft.Online.Administration.StrongAuthenticationRequirement</ToString>");
                        w.open("Props");
                        w.prim(
                            "S",
                            "ExtensionData",
                            "System.Runtime.Serialization.ExtensionDataObject",
                        );
                        w.prim("S", "RelyingParty", "*");
                        w.prim(
                            "DT",
                            "RememberDevicesNotIssuedBefore",
                            "2019-11-19T12:00:00Z",
                        );
                        w.prim("S", "State", s);
                        w.close("Props");
                        w.close("Obj");
                    }
                    w.close("LST");
                }
                w.close("Obj");
            }
        }
        w.nil("StrongAuthenticationUserDetails");
        w.prim("S", "UserPrincipalName", u.upn);
        w.open_obj(
            Some("UserType"),
            &[
                "Microsoft.Online.Administration.UserType",
                "System.Enum",
                "System.ValueType",
                "System.Object",
            ],
        );
        w.line("<ToString>Member</ToString>");
        w.line("<I32>0</I32>");
        w.close("Obj");
        w.prim("DT", "WhenCreated", "2023-09-16T10:24:35Z");
        w.close("Props");
        w.close("Obj");
    }
    w.text(newline)
}

/// The F1 file as Windows PowerShell 5.1 writes it, and as PowerShell 7 re-exports it.
fn f1_files(dir: &std::path::Path) -> [std::path::PathBuf; 2] {
    [
        write(dir, "users51.xml", utf16le_bom(&f1_clixml(false, "\r\n"))),
        write(dir, "users7.xml", f1_clixml(true, "\n")),
    ]
}

#[test]
fn f1_methods_is_the_golden_p3_csv() {
    let dir = tempdir();
    for file in f1_files(dir.path()) {
        Test::new()
            .arg("methods")
            .arg(&file)
            .run()
            .stderr_is("")
            .ok()
            .stdout_is(P3_CSV_WIN);
    }
}

#[test]
fn f1_registered_and_unregistered() {
    let dir = tempdir();
    for file in f1_files(dir.path()) {
        Test::new()
            .arg("registered")
            .arg(&file)
            .run()
            .ok()
            .stdout_is(P1_CONSOLE_UNIX);
        Test::new()
            .arg("unregistered")
            .arg(&file)
            .run()
            .ok()
            .stdout_is(P2_CONSOLE_UNIX);
    }
}

#[test]
fn f1_file_is_shaped_like_powershell_writes_it() {
    let text = f1_clixml(false, "\r\n");
    assert!(text.starts_with(
        "<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\">\r\n  <Obj RefId=\"0\">\r\n    <TN RefId=\"0\">\r\n      <T>Microsoft.Online.Administration.User</T>\r\n"
    ));
    assert!(text.ends_with("    </Props>\r\n  </Obj>\r\n</Objs>"));
    assert!(text.contains("<Ref N=\"StrongAuthenticationMethods\" RefId=\"3\" />"));
    assert!(text.contains("<TNRef RefId=\"0\" />"));
    assert!(text.contains("<Nil N=\"StrongAuthenticationMethods\" />"));
}

#[test]
fn truncated_file_exits_2_naming_the_file() {
    let dir = tempdir();
    let text = f1_clixml(false, "\r\n");
    let cut = &text[..text.len() / 2];
    let file = write(dir.path(), "cut.xml", utf16le_bom(cut));
    let out = Test::new().arg("methods").arg(&file).run();
    out.code(2).utf8();
    let err = &out.stderr;
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains(&file.display().to_string()), "{err}");
    assert!(err.contains("malformed CLIXML"), "{err}");
    assert!(err.contains("truncated"), "{err}");
}

#[test]
fn dtd_file_exits_2_naming_the_file() {
    let dir = tempdir();
    let text = f1_clixml(true, "\n").replacen(
        "<Objs",
        "<!DOCTYPE Objs [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">]>\n<Objs",
        1,
    );
    let file = write(dir.path(), "dtd.xml", text);
    let out = Test::new().arg("registered").arg(&file).run();
    out.code(2).utf8();
    let err = &out.stderr;
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains(&format!(
            "{}:1:1: DTD is not allowed in CLIXML",
            file.display()
        )),
        "{err}"
    );
}

#[test]
fn depth_one_export_is_lost_data_exit_2() {
    let dir = tempdir();
    // `Export-Clixml -Depth 1`: the lists are written as their ToString, the type name.
    let text = format!(
        "{}\r\n  <Obj RefId=\"0\">\r\n    <TN RefId=\"0\">\r\n      <T>Microsoft.Online.Administration.User</T>\r\n      <T>System.Object</T>\r\n    </TN>\r\n    <ToString>Microsoft.Online.Administration.User</ToString>\r\n    <Props>\r\n      <B N=\"BlockCredential\">false</B>\r\n      <S N=\"StrongAuthenticationMethods\">{METHOD_LIST}</S>\r\n      <S N=\"UserPrincipalName\">alice@contoso.com</S>\r\n    </Props>\r\n  </Obj>\r\n</Objs>",
        r#"<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">"#
    );
    let file = write(dir.path(), "depth1.xml", utf16le_bom(&text));
    let out = Test::new().arg("methods").arg(&file).run();
    out.code(2).utf8();
    let err = &out.stderr;
    assert!(
        err.contains(&format!(
            "{}:2:3: StrongAuthenticationMethods holds the type name",
            file.display()
        )),
        "{err}"
    );
    assert!(err.contains("Export-Clixml -Depth 4"), "{err}");
}
