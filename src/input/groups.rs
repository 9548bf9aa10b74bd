//! Group memberships (enforcement.md §1.4): groups with their members expanded (Graph pages of
//! `groups?$expand=members`, `Get-MgGroup -ExpandProperty Members | ConvertTo-Json`, the key
//! possibly `transitiveMembers`), group objects without members (a group's definition alone: its
//! membership stays unresolved), and membership CSVs, one row per membership.
//!
//! Graph's `$expand` returns at most 20 members: a `members` list of exactly 20 may be cut short,
//! and says so. Groups are merged by id over every input: a group described twice keeps the
//! member list that has one (the complete one, then the transitive one, when both do).

use std::collections::{HashMap, HashSet};

use super::ca_policies::note_file;
use super::config_json::{Node, Object, Problem, for_each_object, nameless};
use super::csv_util;
use super::decode::Decoded;
use super::roles::{EXPAND_CAP, list_some};
use super::{Context, Kind, ReadStats};
use crate::error::{Error, Position, Result};
use crate::model::config::{Group, Member, MemberKind, TenantConfig};
use crate::vocab::headers::{GroupMemberColumn as Col, group_member_column};

/// Reads a group export (JSON or membership CSV) into `into`.
pub fn read(decoded: Decoded, ctx: &Context, into: &mut TenantConfig) -> Result<ReadStats> {
    let (groups, mut stats) = match ctx.file.kind {
        Kind::GroupsJson => read_json(decoded, ctx)?,
        Kind::GroupMembersCsv => read_csv(decoded, ctx)?,
        _ => {
            return Err(Error::Internal(
                "the group reader was given a file of another kind",
            ));
        }
    };
    let cut: Vec<&Group> = groups.iter().filter(|g| g.maybe_truncated).collect();
    for g in cut.iter().take(CUT_NAMED) {
        stats.warn(format!(
            "group '{}' ({}) lists exactly {EXPAND_CAP} members, Graph's $expand limit: it may have more, and whether a user missing from it is in it is unknown; export /groups/{}/transitiveMembers (every page) and give it as a membership CSV (groupId, memberId)",
            crate::text::quoted(g.name.as_deref().unwrap_or(&g.id), 80),
            g.id,
            g.id
        ));
    }
    if cut.len() > CUT_NAMED {
        let rest: Vec<String> = cut[CUT_NAMED..]
            .iter()
            .map(|g| g.name.clone().unwrap_or_else(|| g.id.clone()))
            .collect();
        stats.warn(format!(
            "{} more group(s) list exactly {EXPAND_CAP} members and may be cut short the same way: {}",
            rest.len(),
            list_some(&rest)
        ));
    }
    for g in groups {
        merge(&mut into.groups, g);
    }
    note_file(&mut into.group_files, ctx.file.index);
    Ok(stats)
}

/// How many possibly cut groups are named one by one.
const CUT_NAMED: usize = 10;

/// Adds `g` to `groups` by its id (lower case): a group already there keeps its list unless `g`
/// has a better one (complete rather than possibly cut, then transitive rather than direct); two
/// lists as good as each other are joined.
pub(crate) fn merge(groups: &mut HashMap<String, Group>, g: Group) {
    use std::collections::hash_map::Entry;
    let old = match groups.entry(g.id.to_ascii_lowercase()) {
        Entry::Vacant(e) => {
            e.insert(g);
            return;
        }
        Entry::Occupied(e) => e.into_mut(),
    };
    if old.name.is_none() {
        old.name = g.name.clone();
    }
    let Some(new_members) = g.members else {
        return;
    };
    let old_rank = (!old.maybe_truncated, old.transitive);
    let new_rank = (!g.maybe_truncated, g.transitive);
    match old.members.as_mut() {
        Some(_) if old_rank > new_rank => {}
        Some(members) if old_rank == new_rank => {
            let known: HashSet<String> =
                members.iter().map(|m| m.id.to_ascii_lowercase()).collect();
            members.extend(
                new_members
                    .into_iter()
                    .filter(|m| !known.contains(&m.id.to_ascii_lowercase())),
            );
        }
        _ => {
            old.members = Some(new_members);
            old.transitive = g.transitive;
            old.maybe_truncated = g.maybe_truncated;
            old.file = g.file;
        }
    }
}

const GROUP: &str = "expected a group object (id, displayName, members)";

fn read_json(decoded: Decoded, ctx: &Context) -> Result<(Vec<Group>, ReadStats)> {
    let mut stats = ReadStats::default();
    let mut groups = Vec::new();
    for_each_object(decoded, ctx, GROUP, nameless, &mut stats, |o| {
        groups.push(group(o, ctx.file.index)?);
        Ok(())
    })?;
    Ok((groups, stats))
}

fn group(o: &Object, file: u32) -> std::result::Result<Group, Problem> {
    let id = o.text("id").ok_or(Problem::Missing("id"))?;
    // The SDK writes every property, the list it did not expand as null: a null list is none.
    let listed = |name: &str| o.get(name).is_some_and(|n| !matches!(n, Node::Null));
    let (list, transitive) = if listed("transitiveMembers") {
        ("transitiveMembers", true)
    } else if listed("members") {
        ("members", false)
    } else {
        return Ok(Group {
            id,
            name: o.text("displayName"),
            members: None,
            transitive: false,
            maybe_truncated: false,
            file,
        });
    };
    let members = o
        .objects(list, list)?
        .into_iter()
        .map(|m| {
            Ok(Member {
                id: m.text("id").ok_or(Problem::Missing("members[].id"))?,
                upn: m.text("userPrincipalName"),
                kind: member_kind(m.odata_type().as_deref()),
            })
        })
        .collect::<std::result::Result<Vec<Member>, Problem>>()?;
    Ok(Group {
        id,
        name: o.text("displayName"),
        maybe_truncated: !transitive && members.len() == EXPAND_CAP,
        members: Some(members),
        transitive,
        file,
    })
}

/// A member's kind from `@odata.type` (`#microsoft.graph.user`) or a CSV's `memberType` (`User`).
fn member_kind(t: Option<&str>) -> MemberKind {
    let Some(t) = t.map(str::trim).filter(|t| !t.is_empty()) else {
        return MemberKind::Unknown;
    };
    let t = t.trim_start_matches('#');
    let t = t.rsplit('.').next().unwrap_or(t);
    if t.eq_ignore_ascii_case("user") {
        MemberKind::User
    } else if t.eq_ignore_ascii_case("group") {
        MemberKind::Group
    } else {
        MemberKind::Other
    }
}

fn read_csv(decoded: Decoded, ctx: &Context) -> Result<(Vec<Group>, ReadStats)> {
    let path = ctx.path().to_path_buf();
    let mut csv = csv_util::open(decoded)?;
    let column = |c: Col| {
        csv.headers
            .iter()
            .position(|h| group_member_column(h) == Some(c))
    };
    let (group_id, member_id) = match (column(Col::GroupId), column(Col::MemberId)) {
        (Some(g), Some(m)) => (g, m),
        _ => {
            return Err(Error::input(
                &path,
                Position::Line(csv.lines_before),
                format!(
                    "this group membership CSV lacks a groupId or memberId column: expected groupId and memberId (groupDisplayName, memberUserPrincipalName and memberType optional; header names compared without case, spaces or underscores), found {}",
                    csv.headers.join(", ")
                ),
            ));
        }
    };
    let (name, upn, kind) = (
        column(Col::GroupName),
        column(Col::MemberUpn),
        column(Col::MemberType),
    );
    let read: Vec<usize> = [Some(group_id), Some(member_id), name, upn, kind]
        .into_iter()
        .flatten()
        .collect();
    let mut stats = ReadStats::default();
    let mut groups: Vec<Group> = Vec::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    let mut seen: HashSet<(usize, String)> = HashSet::new();
    let mut record = csv::StringRecord::new();
    while let Some(line) = csv.next_whole_record(&path, &mut record, &read)? {
        let cell = |i: Option<usize>| csv_util::field(&record, i);
        let missing = |what: &str| {
            Error::input(
                &path,
                Position::Line(line),
                format!(
                    "the row has no {what}: every row of a membership CSV names a group and a member"
                ),
            )
        };
        let gid = cell(Some(group_id)).ok_or_else(|| missing("groupId"))?;
        let mid = cell(Some(member_id)).ok_or_else(|| missing("memberId"))?;
        stats.records += 1;
        let i = *by_id.entry(gid.to_ascii_lowercase()).or_insert_with(|| {
            groups.push(Group {
                id: gid.to_string(),
                name: None,
                members: Some(Vec::new()),
                transitive: false,
                maybe_truncated: false,
                file: ctx.file.index,
            });
            groups.len() - 1
        });
        let g = &mut groups[i];
        if g.name.is_none() {
            g.name = cell(name).map(str::to_string);
        }
        if !seen.insert((i, mid.to_ascii_lowercase())) {
            continue;
        }
        g.members.get_or_insert_with(Vec::new).push(Member {
            id: mid.to_string(),
            upn: cell(upn).map(str::to_string),
            kind: member_kind(cell(kind)),
        });
    }
    Ok((groups, stats))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{config_read, config_read_all};

    fn ann() -> Member {
        Member {
            id: "u1".into(),
            upn: Some("ann@x".into()),
            kind: MemberKind::User,
        }
    }

    fn member(id: &str, kind: MemberKind) -> Member {
        Member {
            id: id.into(),
            upn: None,
            kind,
        }
    }

    #[test]
    fn a_graph_page_of_groups_with_members() {
        let text = r##"{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#groups(id,displayName,members(id,userPrincipalName))","value":[
          {"id":"G1","displayName":"Admins","members":[
             {"@odata.type":"#microsoft.graph.user","id":"u1","userPrincipalName":"ann@x"},
             {"@odata.type":"#microsoft.graph.group","id":"g2"},
             {"@odata.type":"#microsoft.graph.servicePrincipal","id":"sp1"},
             {"id":"u4"}]},
          {"id":"g2","displayName":"Nested","transitiveMembers":[{"@odata.type":"#microsoft.graph.user","id":"u5"}]}
        ]}"##;
        let (config, stats) = config_read("g.json", text).unwrap();
        assert_eq!(stats.records, 2);
        assert!(stats.warnings.is_empty());
        let g1 = &config.groups["g1"];
        assert_eq!(g1.id, "G1");
        assert_eq!(g1.name.as_deref(), Some("Admins"));
        assert!(!g1.transitive && !g1.maybe_truncated);
        assert_eq!(
            g1.members.as_ref().unwrap(),
            &[
                ann(),
                member("g2", MemberKind::Group),
                member("sp1", MemberKind::Other),
                member("u4", MemberKind::Unknown),
            ]
        );
        assert!(config.groups["g2"].transitive);
        assert_eq!(config.group_files, [0]);
    }

    /// The SDK writes the list it did not expand as null beside the one it did: the members are
    /// the expanded list's, not none.
    #[test]
    fn a_null_member_list_beside_the_expanded_one_is_not_the_list() {
        let text = r##"[{"Id":"g1","DisplayName":"Team","TransitiveMembers":null,"Members":[{"@odata.type":"#microsoft.graph.user","id":"u1","userPrincipalName":"ann@x"}]},
          {"Id":"g2","DisplayName":"Other","Members":null,"TransitiveMembers":[{"@odata.type":"#microsoft.graph.user","id":"u1","userPrincipalName":"ann@x"}]},
          {"Id":"g3","DisplayName":"Bare","Members":null,"TransitiveMembers":null}]"##;
        let (config, _) = config_read("g.json", text).unwrap();
        assert_eq!(config.groups["g1"].members.as_ref().unwrap(), &[ann()]);
        assert!(!config.groups["g1"].transitive);
        assert!(config.groups["g2"].transitive);
        assert_eq!(config.groups["g3"].members, None);
    }

    /// `Get-MgGroup -ExpandProperty Members | ConvertTo-Json -Depth 5`: PascalCase, the members'
    /// type and UPN in their `AdditionalProperties`.
    #[test]
    fn sdk_groups_in_pascal_case() {
        let text = r##"[{"DisplayName":"Sales","Id":"g1","Members":[{"DeletedDateTime":null,"Id":"u1","AdditionalProperties":{"@odata.type":"#microsoft.graph.user","userPrincipalName":"bo@x"}}],"AdditionalProperties":{}}]"##;
        let (config, _) = config_read("g.json", text).unwrap();
        let m = &config.groups["g1"].members.as_ref().unwrap()[0];
        assert_eq!(m.kind, MemberKind::User);
        assert_eq!(m.upn.as_deref(), Some("bo@x"));
    }

    /// The group objects of the baseline's `Groups/` folder: no members key, membership unknown.
    #[test]
    fn a_group_object_without_members_is_unresolved() {
        let text = "{\r\n    \"id\":  \"2802b872-ccfb-4b29-a9a9-459808dfb11b\",\r\n    \"createdDateTime\":  \"2024-05-24T09:26:12Z\",\r\n    \"displayName\":  \"CA-BreakGlassAccounts - Exclude\",\r\n    \"groupTypes\":  [\r\n\r\n                   ],\r\n    \"mailEnabled\":  false,\r\n    \"securityEnabled\":  true\r\n}";
        let (config, stats) = config_read("g.json", text).unwrap();
        assert_eq!(stats.records, 1);
        let g = &config.groups["2802b872-ccfb-4b29-a9a9-459808dfb11b"];
        assert_eq!(g.members, None);
        assert_eq!(g.name.as_deref(), Some("CA-BreakGlassAccounts - Exclude"));
    }

    #[test]
    fn twenty_expanded_members_may_be_cut_short() {
        let members: Vec<String> = (0..20).map(|i| format!(r#"{{"id":"u{i}"}}"#)).collect();
        let text = format!(
            r#"[{{"id":"g20","displayName":"Twenty","members":[{m}]}},{{"id":"t20","transitiveMembers":[{m}]}},{{"id":"g19","members":[{n}]}}]"#,
            m = members.join(","),
            n = members[..19].join(",")
        );
        let (config, stats) = config_read("g.json", &text).unwrap();
        assert!(config.groups["g20"].maybe_truncated);
        assert!(!config.groups["t20"].maybe_truncated);
        assert!(!config.groups["g19"].maybe_truncated);
        assert_eq!(
            stats.warnings,
            [
                "group 'Twenty' (g20) lists exactly 20 members, Graph's $expand limit: it may have more, and whether a user missing from it is in it is unknown; export /groups/g20/transitiveMembers (every page) and give it as a membership CSV (groupId, memberId)"
            ]
        );
    }

    #[test]
    fn a_membership_csv() {
        let text = "\u{feff}\"groupId\",\"groupDisplayName\",\"memberId\",\"memberUserPrincipalName\",\"memberType\"\r\n\
                    \"G1\",\"Admins\",\"u1\",\"ann@x\",\"User\"\r\n\
                    \"g1\",\"\",\"g2\",\"\",\"#microsoft.graph.group\"\r\n\
                    \"g1\",\"Admins\",\"u1\",\"ann@x\",\"User\"\r\n\
                    \"g2\",\"Nested\",\"u3\",\"\",\"\"\r\n";
        let (config, stats) = config_read("m.csv", text).unwrap();
        assert_eq!(stats.records, 4);
        let g1 = &config.groups["g1"];
        assert_eq!(g1.name.as_deref(), Some("Admins"));
        assert_eq!(
            g1.members.as_ref().unwrap(),
            &[ann(), member("g2", MemberKind::Group),]
        );
        assert_eq!(
            config.groups["g2"].members.as_ref().unwrap(),
            &[member("u3", MemberKind::Unknown)]
        );
        // Semicolons and other spellings of the headers, no optional column.
        let (config, _) = config_read("m.csv", "Group ID;Member ID\r\ng1;u1\r\n").unwrap();
        assert_eq!(config.groups["g1"].members.as_ref().unwrap().len(), 1);
    }

    #[test]
    fn membership_csv_errors_name_the_line() {
        let err = config_read("m.csv", "groupId,memberId\r\ng1,u1\r\ng1,\r\n")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "m.csv:line 3: the row has no memberId: every row of a membership CSV names a group and a member"
        );
        let err = config_read("m.csv", "groupId,memberId\r\ng1,u1,x\r\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("m.csv:line 2: expected 2 fields"), "{err}");
    }

    /// A group described twice keeps the list that has one; the better list wins; lists as good
    /// as each other are joined.
    #[test]
    fn groups_merge_by_id_over_inputs() {
        let object = r#"{"id":"g1","displayName":"Admins","groupTypes":[],"securityEnabled":true}"#;
        let members = r#"[{"id":"G1","members":[{"id":"u1"}]}]"#;
        let csv = "groupId,memberId\r\ng1,u2\r\ng1,u1\r\n";
        for order in [[object, members], [members, object]] {
            let (config, _) =
                config_read_all(&[("a.json", order[0]), ("b.json", order[1])]).unwrap();
            let g = &config.groups["g1"];
            assert_eq!(g.name.as_deref(), Some("Admins"));
            assert_eq!(g.members.as_ref().unwrap().len(), 1);
            assert_eq!(config.group_files, [0, 1]);
        }
        let (config, _) = config_read_all(&[("a.json", members), ("b.csv", csv)]).unwrap();
        let ids: Vec<&str> = config.groups["g1"]
            .members
            .as_ref()
            .unwrap()
            .iter()
            .map(|m| m.id.as_str())
            .collect();
        assert_eq!(ids, ["u1", "u2"]);
        // A complete list beats a possibly cut one.
        let twenty: Vec<String> = (0..20).map(|i| format!(r#"{{"id":"u{i}"}}"#)).collect();
        let cut = format!(r#"[{{"id":"g1","members":[{}]}}]"#, twenty.join(","));
        let (config, _) = config_read_all(&[("a.json", &cut), ("b.csv", csv)]).unwrap();
        let g = &config.groups["g1"];
        assert!(!g.maybe_truncated);
        assert_eq!(g.members.as_ref().unwrap().len(), 2);
        assert_eq!(g.file, 1);
    }

    /// 5,000 groups and 50,000 memberships, as JSON and as CSV: read well within the budget
    /// (a second in a release build; the bound here leaves room for a debug build on a busy
    /// machine, and catches anything quadratic).
    #[test]
    fn thousands_of_groups_read_quickly() {
        let mut json = String::from("{\"value\":[");
        let mut csv =
            String::from("groupId,groupDisplayName,memberId,memberUserPrincipalName,memberType\n");
        for g in 0..5000 {
            if g > 0 {
                json.push(',');
            }
            let members: Vec<String> = (0..10)
                .map(|m| {
                    let id = format!("{:08x}-0000-0000-0000-{:012x}", g * 10 + m, m);
                    csv.push_str(&format!("group-{g},Group {g},{id},user{m}@x,User\n"));
                    format!(r##"{{"@odata.type":"#microsoft.graph.user","id":"{id}","userPrincipalName":"user{m}@x"}}"##)
                })
                .collect();
            json.push_str(&format!(
                r#"{{"id":"group-{g}","displayName":"Group {g}","members":[{}]}}"#,
                members.join(",")
            ));
        }
        json.push_str("]}");
        for (name, text) in [("g.json", &json), ("g.csv", &csv)] {
            let started = std::time::Instant::now();
            let (config, _) = config_read(name, text).unwrap();
            let took = started.elapsed();
            assert_eq!(config.groups.len(), 5000);
            assert_eq!(
                config
                    .groups
                    .values()
                    .map(|g| g.members.as_ref().unwrap().len())
                    .sum::<usize>(),
                50_000
            );
            assert!(took.as_secs_f64() < 10.0, "{name}: {took:?}");
        }
    }
}
