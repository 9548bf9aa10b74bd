//! Directory roles (enforcement.md §1.3): who holds which role, at which scope, actively or as an
//! eligible (PIM) assignment, and which roles are custom.
//!
//! - `roleManagement/directory/roleAssignments?$expand=principal` (and the active PIM schedules
//!   and instances, `roleAssignmentSchedules`, `roleAssignmentScheduleInstances`): one assignment
//!   per record, `roleDefinitionId` being the template id for built-in roles;
//! - `roleEligibilitySchedules` / `roleEligibilityScheduleInstances`: the same, eligible;
//! - `directoryRoles?$expand=members`: one record per activated role, its `roleTemplateId` (not
//!   its own `id`, which differs per tenant) and its members, every one directory-wide;
//! - `roleManagement/directory/roleDefinitions`: names, and which roles are custom.
//!
//! A role is custom when a role definitions export says `isBuiltIn: false`; without one, when its
//! id is not in Microsoft's table of built-in roles ([`vocab::roles`](crate::vocab::roles)).
//! Definitions read after the assignments they describe still decide.

use super::ca_policies::note_file;
use super::config_json::{Object, Problem, for_each_object, nameless};
use super::decode::Decoded;
use super::{Context, Kind, ReadStats};
use crate::error::{Error, Result};
use crate::model::config::{RoleAssignment, TenantConfig};
use crate::vocab;

/// Graph's `$expand` cap: a list of exactly this many may be cut short.
pub(crate) const EXPAND_CAP: usize = 20;

/// Reads a role export of any of the four kinds into `into`.
pub fn read(decoded: Decoded, ctx: &Context, into: &mut TenantConfig) -> Result<ReadStats> {
    let kind = ctx.file.kind;
    let what = match kind {
        Kind::RoleAssignmentsJson | Kind::RoleEligibilityJson => {
            "expected a role assignment object (principalId, roleDefinitionId)"
        }
        Kind::DirectoryRolesJson => "expected a directoryRole object (roleTemplateId, members)",
        Kind::RoleDefinitionsJson => "expected a role definition object (id, displayName)",
        _ => {
            return Err(Error::Internal(
                "the role reader was given a file of another kind",
            ));
        }
    };
    let mut stats = ReadStats::default();
    let mut read = Read::default();
    for_each_object(decoded, ctx, what, nameless, &mut stats, |o| match kind {
        Kind::DirectoryRolesJson => read.directory_role(o, ctx, into),
        Kind::RoleDefinitionsJson => read.definition(o, into).map_err(Problem::Missing),
        _ => read.assignment(o, kind == Kind::RoleEligibilityJson, ctx, into),
    })?;
    read.finish(&mut stats);
    if kind == Kind::RoleDefinitionsJson {
        // Definitions read after the assignments they describe decide those too.
        let built_in = &into.role_built_in;
        for a in into.roles.iter_mut().flatten() {
            if let Some(b) = built_in.get(&a.role_template_id.to_ascii_lowercase()) {
                a.custom = !b;
            }
        }
    } else {
        into.roles
            .get_or_insert_with(Vec::new)
            .append(&mut read.roles);
        note_file(&mut into.role_files, ctx.file.index);
    }
    Ok(stats)
}

/// What one file gave, and what its warnings need.
#[derive(Default)]
struct Read {
    roles: Vec<RoleAssignment>,
    /// `directoryRoles` records without a members list: their holders are unknown.
    without_members: Vec<String>,
    /// `directoryRoles` records listing exactly [`EXPAND_CAP`] members.
    at_cap: Vec<String>,
}

impl Read {
    fn assignment(
        &mut self,
        o: &Object,
        eligible: bool,
        ctx: &Context,
        into: &mut TenantConfig,
    ) -> std::result::Result<(), Problem> {
        let principal = o.object("principal", "principal")?;
        let definition = o.object("roleDefinition", "roleDefinition")?;
        let principal_id = o
            .text("principalId")
            .or_else(|| principal.and_then(|p| p.text("id")))
            .ok_or(Problem::Missing("principalId"))?;
        if let Some(d) = definition {
            // An expanded definition names the role and says whether it is built in.
            let _ = self.definition(d, into);
        }
        let role = definition
            .and_then(|d| d.text("templateId"))
            .or_else(|| o.text("roleDefinitionId"))
            .or_else(|| definition.and_then(|d| d.text("id")))
            .ok_or(Problem::Missing("roleDefinitionId"))?;
        let scope = match (o.text("directoryScopeId"), o.text("appScopeId")) {
            (Some(s), _) => s,
            (None, Some(app)) => format!("app:{app}"),
            (None, None) => "/".to_string(),
        };
        let custom = match into.role_built_in.get(&role.to_ascii_lowercase()) {
            Some(built_in) => !built_in,
            None => !vocab::roles::is_built_in(&role),
        };
        self.roles.push(RoleAssignment {
            principal_id,
            principal_upn: principal.and_then(|p| p.text("userPrincipalName")),
            role_template_id: role,
            scope,
            eligible,
            custom,
            file: ctx.file.index,
        });
        Ok(())
    }

    fn directory_role(
        &mut self,
        o: &Object,
        ctx: &Context,
        into: &mut TenantConfig,
    ) -> std::result::Result<(), Problem> {
        let template = o
            .text("roleTemplateId")
            .ok_or(Problem::Missing("roleTemplateId"))?;
        let key = template.to_ascii_lowercase();
        let name = o.text("displayName");
        if let Some(n) = &name {
            into.role_names
                .entry(key.clone())
                .or_insert_with(|| n.clone());
        }
        let label = name.unwrap_or_else(|| template.clone());
        if !o.has("members") {
            self.without_members.push(label);
            return Ok(());
        }
        let members = o.objects("members", "members")?;
        if members.len() == EXPAND_CAP {
            self.at_cap.push(label);
        }
        // Only built-in roles are activated as directory roles.
        let custom = into.role_built_in.get(&key) == Some(&false);
        for m in members {
            let Some(id) = m.text("id") else {
                return Err(Problem::Missing("members[].id"));
            };
            self.roles.push(RoleAssignment {
                principal_id: id,
                principal_upn: m.text("userPrincipalName"),
                role_template_id: template.clone(),
                scope: "/".to_string(),
                eligible: false,
                custom,
                file: ctx.file.index,
            });
        }
        Ok(())
    }

    fn definition(
        &mut self,
        o: &Object,
        into: &mut TenantConfig,
    ) -> std::result::Result<(), &'static str> {
        let id = o.text("id").or_else(|| o.text("templateId")).ok_or("id")?;
        let keys: Vec<String> = [Some(id), o.text("templateId")]
            .into_iter()
            .flatten()
            .map(|k| k.to_ascii_lowercase())
            .collect();
        let name = o.text("displayName");
        let built_in = o.bool("isBuiltIn");
        for k in keys {
            if let Some(n) = &name {
                into.role_names.insert(k.clone(), n.clone());
            }
            if let Some(b) = built_in {
                into.role_built_in.insert(k, b);
            }
        }
        Ok(())
    }

    fn finish(&self, stats: &mut ReadStats) {
        if !self.without_members.is_empty() {
            stats.warn(format!(
                "{} directory role(s) carry no members list ({}): who holds them is unknown; export directoryRoles?$expand=members, or roleManagement/directory/roleAssignments",
                self.without_members.len(),
                list_some(&self.without_members)
            ));
        }
        for role in &self.at_cap {
            stats.warn(format!(
                "directory role '{role}' lists exactly {EXPAND_CAP} members, Graph's $expand limit: it may have more; export roleManagement/directory/roleAssignments?$expand=principal for every holder"
            ));
        }
    }
}

/// The first few names of a list, for a message.
pub(crate) fn list_some(names: &[String]) -> String {
    let mut shown: Vec<String> = names
        .iter()
        .take(5)
        .map(|n| format!("'{}'", crate::text::quoted(n, 80)))
        .collect();
    if names.len() > 5 {
        shown.push(format!("and {} more", names.len() - 5));
    }
    shown.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{config_read, config_read_all};

    const GA: &str = "62e90394-69f5-4237-9190-012177145e10";
    const CUSTOM: &str = "4f6c9c3b-5a3e-4e5b-9b1e-1a2b3c4d5e6f";

    fn roles(text: &str) -> Vec<RoleAssignment> {
        config_read("r.json", text).unwrap().0.roles.unwrap()
    }

    #[test]
    fn role_assignments_with_principals_au_scope_and_a_custom_role() {
        let text = format!(
            r##"{{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#roleManagement/directory/roleAssignments(principal())","value":[
              {{"id":"a1","roleDefinitionId":"{GA}","principalId":"u1","directoryScopeId":"/","principal":{{"@odata.type":"#microsoft.graph.user","id":"u1","userPrincipalName":"ann@x"}}}},
              {{"id":"a2","roleDefinitionId":"fe930be7-5e62-47db-91af-98c3a49a38b1","principalId":"u2","directoryScopeId":"/administrativeUnits/au1","principal":null}},
              {{"id":"a3","roleDefinitionId":"{CUSTOM}","principalId":"u3","directoryScopeId":"/"}}
            ]}}"##
        );
        let r = roles(&text);
        assert_eq!(
            r[0],
            RoleAssignment {
                principal_id: "u1".into(),
                principal_upn: Some("ann@x".into()),
                role_template_id: GA.into(),
                scope: "/".into(),
                eligible: false,
                custom: false,
                file: 0,
            }
        );
        assert_eq!(r[1].scope, "/administrativeUnits/au1");
        assert_eq!(r[1].principal_upn, None);
        assert!(!r[1].custom);
        assert!(r[2].custom);
    }

    /// `Get-MgRoleManagementDirectoryRoleAssignment -ExpandProperty Principal | ConvertTo-Json`:
    /// PascalCase, the principal's UPN in its `AdditionalProperties`.
    #[test]
    fn sdk_role_assignments_in_pascal_case() {
        let text = format!(
            r##"[{{"DirectoryScopeId":"/","Id":"a1","PrincipalId":"u1","RoleDefinitionId":"{GA}",
                 "Principal":{{"DeletedDateTime":null,"Id":"u1","AdditionalProperties":{{"@odata.type":"#microsoft.graph.user","userPrincipalName":"ann@x"}}}},
                 "AdditionalProperties":{{}}}}]"##
        );
        let r = roles(&text);
        assert_eq!(r[0].principal_upn.as_deref(), Some("ann@x"));
        assert_eq!(r[0].role_template_id, GA);
    }

    #[test]
    fn eligibility_schedules_and_instances_are_eligible() {
        for context in [
            "roleEligibilitySchedules",
            "roleEligibilityScheduleInstances",
        ] {
            let text = format!(
                r#"{{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#roleManagement/directory/{context}","value":[
                  {{"id":"e1","principalId":"u9","roleDefinitionId":"{GA}","directoryScopeId":"/","memberType":"Direct","startDateTime":"2024-01-01T00:00:00Z","endDateTime":null}}]}}"#
            );
            let (config, _) = config_read("e.json", &text).unwrap();
            let r = config.roles.unwrap();
            assert!(r[0].eligible, "{context}");
            assert!(!r[0].custom);
        }
        // Without a context, the schedule's own members tell.
        let text = format!(
            r#"[{{"id":"e1","principalId":"u9","roleDefinitionId":"{GA}","directoryScopeId":"/","memberType":"Direct","status":"Provisioned","createdDateTime":"2024-01-01T00:00:00Z","scheduleInfo":{{"startDateTime":"2024-01-01T00:00:00Z"}}}}]"#
        );
        assert!(roles(&text)[0].eligible);
        let text = format!(
            r#"[{{"id":"i1","principalId":"u9","roleDefinitionId":"{GA}","directoryScopeId":"/","assignmentType":"Activated","memberType":"Direct","startDateTime":"2024-01-01T00:00:00Z"}}]"#
        );
        assert!(!roles(&text)[0].eligible);
    }

    /// `directoryRoles` name the role by `roleTemplateId`; the role's own `id` is another id.
    #[test]
    fn directory_roles_with_members_use_the_template_id() {
        let members: Vec<String> = (0..20)
            .map(|i| format!(r##"{{"@odata.type":"#microsoft.graph.user","id":"m{i}","userPrincipalName":"m{i}@x"}}"##))
            .collect();
        let text = format!(
            r#"{{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#directoryRoles(members())","value":[
              {{"id":"7a1b0d0c-0000-0000-0000-00000000aaaa","displayName":"Global Administrator","roleTemplateId":"{GA}","members":[{}]}},
              {{"id":"x","displayName":"Helpdesk Administrator","roleTemplateId":"729827e3-9c14-49f7-bb1b-9608f156bbb8","members":[]}},
              {{"id":"y","displayName":"Security Reader","roleTemplateId":"5d6b6bb7-de71-4623-b4af-96380a352509"}}
            ]}}"#,
            members.join(",")
        );
        let (config, stats) = config_read("d.json", &text).unwrap();
        let r = config.roles.unwrap();
        assert_eq!(r.len(), 20);
        assert!(r.iter().all(|a| a.role_template_id == GA && a.scope == "/"));
        assert_eq!(r[3].principal_upn.as_deref(), Some("m3@x"));
        assert_eq!(stats.records, 3);
        assert_eq!(
            config.role_names.get(GA).map(String::as_str),
            Some("Global Administrator")
        );
        assert_eq!(stats.warnings.len(), 2, "{:?}", stats.warnings);
        assert!(
            stats.warnings[0]
                .starts_with("1 directory role(s) carry no members list ('Security Reader')")
        );
        assert!(
            stats.warnings[1]
                .starts_with("directory role 'Global Administrator' lists exactly 20 members")
        );
    }

    /// A role definitions export decides what is custom, whichever order the files come in.
    #[test]
    fn role_definitions_name_roles_and_mark_custom_ones() {
        let definitions = format!(
            r#"{{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#roleManagement/directory/roleDefinitions","value":[
              {{"id":"{GA}","displayName":"Global Administrator","templateId":"{GA}","isBuiltIn":true,"rolePermissions":[]}},
              {{"id":"{CUSTOM}","displayName":"Helpdesk Lite","templateId":"{CUSTOM}","isBuiltIn":false,"rolePermissions":[]}},
              {{"id":"0b1c2d3e-1111-2222-3333-444455556666","displayName":"New Built-in","templateId":"0b1c2d3e-1111-2222-3333-444455556666","isBuiltIn":true}}
            ]}}"#
        );
        let assignments = format!(
            r#"[{{"roleDefinitionId":"{CUSTOM}","principalId":"u1","directoryScopeId":"/"}},
                {{"roleDefinitionId":"0b1c2d3e-1111-2222-3333-444455556666","principalId":"u2","directoryScopeId":"/"}}]"#
        );
        for order in [[&definitions, &assignments], [&assignments, &definitions]] {
            let (config, _) =
                config_read_all(&[("a.json", order[0].as_str()), ("b.json", order[1].as_str())])
                    .unwrap();
            let r = config.roles.as_ref().unwrap();
            assert!(r[0].custom, "a custom role");
            assert!(!r[1].custom, "a built-in role the table does not know yet");
            assert_eq!(
                config.role_names.get(CUSTOM).map(String::as_str),
                Some("Helpdesk Lite")
            );
            assert_eq!(config.role_files.len(), 1);
        }
        // Definitions alone are no assignment export.
        let (config, stats) = config_read("d.json", &definitions).unwrap();
        assert!(config.roles.is_none());
        assert_eq!(stats.records, 3);
    }

    #[test]
    fn an_assignment_without_a_principal_is_an_error_with_its_position() {
        let err = config_read(
            "r.json",
            r#"[{"roleDefinitionId":"x","principalId":"u","directoryScopeId":"/"},
 {"roleDefinitionId":"x","directoryScopeId":"/"}]"#,
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "r.json:2:2: expected a role assignment object (principalId, roleDefinitionId): no principalId"
        );
    }
}
