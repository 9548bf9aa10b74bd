//! The data the page's script renders every table from: each user once, compactly (repeated
//! texts such as states, method lists, results and flag sets as indexes into tables), and the
//! rows of the tables whose cells are not the user's own fields (who got in without MFA, who an
//! exclusion removes, the changes). It sits in a `<script type="application/json">` block, so
//! every `<` is written `\u003c`: no text from an input can end the block.
//!
//! The user row, in order: upn, display name, enabled, registered, per-user state, strongest
//! method, methods, admin, user type, challenges, completed, denied, last result, last sign-in
//! (minutes since 1970, 0 for none), flags, exception, MFA required, flag titles. Enabled,
//! registered and admin are 1 (yes), 0 (no) or 2 (unknown); the other texts are indexes into
//! `d`, where index 0 is the empty text (or the empty list).

use std::collections::HashMap;
use std::fmt::Write as _;

use crate::report::audit::{AuditReport, AuditUser, Changes};

use super::rows;

/// A table of distinct values, written once; rows hold their index.
struct Table {
    index: HashMap<String, usize>,
    json: Vec<String>,
}

impl Table {
    /// A table whose index 0 is `empty` (already JSON).
    fn new(empty: &str) -> Table {
        Table {
            index: HashMap::from([(empty.to_string(), 0)]),
            json: vec![empty.to_string()],
        }
    }

    /// The index of a value given as JSON.
    fn of(&mut self, json: String) -> usize {
        if let Some(&i) = self.index.get(&json) {
            return i;
        }
        let i = self.json.len();
        self.json.push(json.clone());
        self.index.insert(json, i);
        i
    }

    fn text(&mut self, s: &str) -> usize {
        if s.is_empty() {
            return 0;
        }
        let mut j = String::with_capacity(s.len() + 2);
        string(&mut j, s);
        self.of(j)
    }

    fn write(&self, out: &mut String) {
        out.push('[');
        out.push_str(&self.json.join(","));
        out.push(']');
    }
}

/// A JSON string safe inside a script element: `<`, `>`, `&` and the two JavaScript line
/// separators escaped as well.
fn string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn tri(b: Option<bool>) -> u8 {
    match b {
        Some(true) => 1,
        Some(false) => 0,
        None => 2,
    }
}

/// Minutes since 1970 of an RFC 3339 time; 0 for none (or a time that does not read).
fn minutes(t: Option<&str>) -> i64 {
    t.and_then(|t| t.parse::<jiff::Timestamp>().ok())
        .map_or(0, |t| t.as_second().div_euclid(60))
}

struct Tables {
    state: Table,
    strongest: Table,
    methods: Table,
    result: Table,
    user_type: Table,
    flags: Table,
    exception: Table,
    required: Table,
    titles: Table,
}

/// The whole data block's JSON, for the users of `report` and the rows of the tables that have
/// their own cells (indexes into `report.users`).
pub(super) fn data(report: &AuditReport, observed: &[usize], excluded: &[usize]) -> String {
    let t = Table::new;
    let mut d = Tables {
        state: t("\"\""),
        strongest: t("\"\""),
        methods: t("\"\""),
        result: t("\"\""),
        user_type: t("\"\""),
        flags: t("[]"),
        exception: t("null"),
        required: t("\"\""),
        titles: t("null"),
    };
    // About 90 bytes a user for a typical UPN and name.
    let mut out = String::with_capacity(report.users.len() * 96 + 4096);
    out.push_str("{\"u\":[");
    for (i, u) in report.users.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        user(&mut out, u, &mut d);
    }
    out.push_str("],\"d\":{");
    let named = [
        ("state", &d.state),
        ("strongest", &d.strongest),
        ("methods", &d.methods),
        ("result", &d.result),
        ("type", &d.user_type),
        ("flags", &d.flags),
        ("exception", &d.exception),
        ("required", &d.required),
        ("titles", &d.titles),
    ];
    for (n, (name, table)) in named.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        let _ = write!(out, "\"{name}\":");
        table.write(&mut out);
    }
    out.push_str("},\"observed\":[");
    let mut first = true;
    for &i in observed {
        let Some(o) = report.users[i].enforcement.observed.as_deref() else {
            continue;
        };
        if !std::mem::take(&mut first) {
            out.push(',');
        }
        let c = rows::observed_cells(o);
        let _ = write!(out, "[{i},{},", c.without);
        string(&mut out, &c.apps);
        let _ = write!(out, ",{},{},", minutes(c.last.as_deref()), c.legacy);
        string(&mut out, &c.protocols);
        out.push(',');
        string(&mut out, &c.required);
        out.push(',');
        string(&mut out, &c.report_only);
        out.push(']');
    }
    out.push_str("],\"excluded\":[");
    for (n, &i) in excluded.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        let u = &report.users[i];
        let text: Vec<String> = rows::exclusions(u)
            .iter()
            .map(|(policy, via)| format!("{policy} (by {via})"))
            .collect();
        let _ = write!(out, "[{i},");
        string(&mut out, &text.join("; "));
        out.push(',');
        string(&mut out, rows::required(u));
        out.push(']');
    }
    out.push_str("],\"changes\":{");
    if let Some(c) = &report.changes {
        changes(&mut out, c);
    }
    out.push_str("}}");
    out
}

fn user(out: &mut String, u: &AuditUser, d: &mut Tables) {
    let state = d.state.text(&u.per_user_state);
    let strongest = d.strongest.text(u.strongest.as_deref().unwrap_or_default());
    let methods = d.methods.text(&rows::methods(u));
    let result = d.result.text(u.last_result.as_deref().unwrap_or_default());
    let user_type = d.user_type.text(u.user_type.as_deref().unwrap_or_default());
    let required = d.required.text(
        u.enforcement
            .configured
            .as_deref()
            .and_then(|c| c.mfa_required.as_deref())
            .unwrap_or_default(),
    );
    let flags = if u.flags.is_empty() {
        0
    } else {
        let mut j = String::from("[");
        for (n, f) in u.flags.iter().enumerate() {
            if n > 0 {
                j.push(',');
            }
            string(&mut j, f);
        }
        j.push(']');
        d.flags.of(j)
    };
    let exception = match &u.exception {
        None => 0,
        Some(e) => {
            let mut j = String::from("[");
            string(&mut j, &e.class);
            j.push(',');
            string(&mut j, &e.state);
            j.push(',');
            string(&mut j, &e.reason);
            j.push(']');
            d.exception.of(j)
        }
    };
    let titles = match u.mfa_server.as_deref() {
        None => 0,
        Some(m) => {
            let block = rows::flag_title(m, "blocked-from-mfa");
            let bypass = rows::flag_title(m, "bypass-used");
            if block.is_none() && bypass.is_none() {
                0
            } else {
                let mut j = String::from("[");
                for (n, t) in [block, bypass].iter().enumerate() {
                    if n > 0 {
                        j.push(',');
                    }
                    match t {
                        Some(t) => string(&mut j, t),
                        None => j.push_str("null"),
                    }
                }
                j.push(']');
                d.titles.of(j)
            }
        }
    };
    out.push('[');
    string(out, &u.upn);
    out.push(',');
    string(out, u.display_name.as_deref().unwrap_or_default());
    let _ = write!(
        out,
        ",{},{},{state},{strongest},{methods},{},{user_type},{},{},{},{result},{},{flags},{exception},{required},{titles}]",
        tri(u.enabled),
        tri(u.registered),
        tri(u.is_admin),
        u.challenges,
        u.completed,
        u.denied,
        minutes(u.last_signin.as_deref()),
    );
}

fn changes(out: &mut String, c: &Changes) {
    for (n, list) in super::view::change_lists(c).iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        let _ = write!(out, "\"{}\":[", list.id);
        for (k, row) in list.rows.iter().enumerate() {
            if k > 0 {
                out.push(',');
            }
            out.push('[');
            string(out, &row.upn);
            out.push(',');
            string(out, &row.detail);
            out.push(']');
        }
        out.push(']');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_text_can_end_the_script_block() {
        let mut out = String::new();
        string(&mut out, "</script><!-- a&b \u{2028} \"q\" \\ \u{1}");
        assert_eq!(
            out,
            r#""\u003c/script\u003e\u003c!-- a\u0026b \u2028 \"q\" \\ \u0001""#
        );
        let back: String = serde_json::from_str(&out).unwrap();
        assert_eq!(back, "</script><!-- a&b \u{2028} \"q\" \\ \u{1}");
    }

    #[test]
    fn repeated_texts_are_written_once() {
        let mut t = Table::new("\"\"");
        assert_eq!(t.text(""), 0);
        assert_eq!(t.text("Enforced"), 1);
        assert_eq!(t.text("Disabled"), 2);
        assert_eq!(t.text("Enforced"), 1);
        let mut out = String::new();
        t.write(&mut out);
        assert_eq!(out, r#"["","Enforced","Disabled"]"#);
    }
}
