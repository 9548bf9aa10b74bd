//! The header-alias tables: one for sign-in CSVs — the admin center download (main file and its
//! `*_AuthDetails_*` companion, English, French and Spanish, current and 2018 names) and the Log
//! Analytics "Export to CSV" of `SigninLogs` — and one for group membership CSVs. Names are
//! written here as the files write them; [`key`](super::names::key) normalises both sides, so
//! `Application ID ` (trailing space), `Autonomous system  number` (double space),
//! `TimeGenerated [UTC]` and `Nom d’utilisateur` (typographic apostrophe) all match.
//!
//! French and Spanish names marked "guess" are the obvious translations of the portal's English
//! headers; the others are from formats.md §5.3. A column appearing twice (`Incoming token type`)
//! resolves to its first occurrence.

use super::names::key;

/// A sign-in CSV column, by meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignInColumn {
    /// `Date (UTC)` (main file), `Date` (AuthDetails), `CreatedDateTime [UTC]` (Log Analytics).
    Date,
    /// Log Analytics ingestion time: the sign-in time only when `CreatedDateTime` is absent.
    TimeGenerated,
    RequestId,
    CorrelationId,
    UserId,
    /// Display name (`User`).
    User,
    /// UPN (`Username`).
    Username,
    UserType,
    UserAgent,
    IpAddress,
    /// Portal display text (`Success`/`Failure`), or Log Analytics' JSON `{errorCode, ...}`.
    Status,
    /// `Sign-in error code` / Log Analytics `ResultType`.
    ErrorCode,
    FailureReason,
    /// Log Analytics `ResultDescription` (the failure reason when `Status` holds none).
    ResultDescription,
    /// `Multifactor authentication result` = `status.additionalDetails`.
    MfaResult,
    /// `Multifactor authentication auth method` = `mfaDetail.authMethod`.
    MfaMethod,
    /// `Multifactor authentication auth detail` = `mfaDetail.authDetail`.
    MfaDetail,
    /// 2018 portal `MFA required` (`Yes`/`No`).
    MfaRequired,
    AuthenticationRequirement,
    /// Log Analytics JSON text of `authenticationDetails[]`.
    AuthenticationDetails,
    /// Log Analytics JSON text of `appliedConditionalAccessPolicies[]`.
    AppliedPolicies,
    /// Log Analytics JSON text of `authenticationRequirementPolicies[]`.
    RequirementPolicies,
    /// Log Analytics `Identity` (a display name).
    Identity,
    IsInteractive,
    /// Log Analytics `OriginalRequestId`: the request id where a projection left out `Id`.
    OriginalRequestId,
    /// Log Analytics `Type` / `Category`: which log the row is from (`AADServicePrincipalSignInLogs`
    /// and `AADManagedIdentitySignInLogs` are workload identities, not users).
    Category,
    /// `ServicePrincipalId` / `Service principal ID`: set on workload identities' sign-ins.
    ServicePrincipalId,
    Application,
    ApplicationId,
    Resource,
    ResourceId,
    ClientApp,
    AuthenticationProtocol,
    ClientCredentialType,
    IncomingTokenType,
    AutonomousSystemNumber,
    SessionId,
    ConditionalAccess,
    Location,
    /// AuthDetails: `Authentication method`.
    StepMethod,
    /// AuthDetails: `Authentication method detail`.
    StepMethodDetail,
    /// AuthDetails: `Succeeded`.
    StepSucceeded,
    /// AuthDetails: `Result detail`.
    StepResultDetail,
    /// AuthDetails: `Requirement`.
    StepRequirement,
}

/// Every known name of every column.
pub const SIGNIN_COLUMNS: &[(SignInColumn, &[&str])] = {
    use SignInColumn::*;
    &[
        (
            Date,
            &[
                "Date (UTC)",
                "Date",
                "CreatedDateTime [UTC]",
                "CreatedDateTime",
                "Fecha (UTC)", // guess
                "Fecha",       // guess
            ],
        ),
        (TimeGenerated, &["TimeGenerated [UTC]", "TimeGenerated"]),
        (
            RequestId,
            &[
                "Request ID",
                "Id",
                "ID de la demande", // guess (detection knows it)
                "ID de demande",    // guess
                "Id. de solicitud", // guess (detection knows it)
                "ID de solicitud",  // guess
            ],
        ),
        (
            CorrelationId,
            &[
                "Correlation ID",
                "ID de corrélation",  // guess
                "Id. de correlación", // guess
                "ID de correlación",  // guess
            ],
        ),
        (
            UserId,
            &[
                "User ID",
                "ID utilisateur",      // guess
                "ID de l'utilisateur", // guess
                "Id. de usuario",      // guess
                "ID de usuario",       // guess
            ],
        ),
        (
            User,
            &[
                "User",
                "UserDisplayName",
                "Utilisateur", // guess
                "Usuario",     // guess
            ],
        ),
        (
            Username,
            &[
                "Username",
                "UserPrincipalName",
                "Nom d'utilisateur",
                "Nombre de usuario", // guess
            ],
        ),
        (
            UserType,
            &[
                "User type",
                "Type d'utilisateur", // guess
                "Tipo de usuario",    // guess
            ],
        ),
        (
            UserAgent,
            &["User agent", "Agent utilisateur", "Agente de usuario"],
        ),
        (
            IpAddress,
            &["IP address", "IPAddress", "Adresse IP", "Dirección IP"],
        ),
        (Status, &["Status", "Statut", "Estado"]),
        (
            ErrorCode,
            &[
                "Sign-in error code",
                "ResultType",
                "Code d'erreur de connexion",
                "Código de error de inicio de sesión", // guess
            ],
        ),
        (
            FailureReason,
            &[
                "Failure reason",
                "Raison de l'échec", // guess
                "Motif de l'échec",  // guess
                "Motivo del error",
            ],
        ),
        (ResultDescription, &["ResultDescription"]),
        (
            MfaResult,
            &[
                "Multifactor authentication result",
                "MFA result",
                "Multifactor auth result",
                "Résultat de l'authentification multifacteur", // guess
                "Resultado de la autenticación multifactor",   // guess
            ],
        ),
        (
            MfaMethod,
            &[
                "Multifactor authentication auth method",
                "MFA authentication method",
                "MFA auth method",
                "Multifactor auth method",
                "Méthode d'authentification multifacteur",
                "Método de autenticación multifactor", // guess
            ],
        ),
        (
            MfaDetail,
            &[
                "Multifactor authentication auth detail",
                "MFA authentication detail",
                "MFA auth detail",
                "Multifactor auth detail",
                "MfaDetail", // Log Analytics: JSON {authMethod, authDetail}
                "Détail de l'authentification multifacteur", // guess
                "Détails de l'authentification multifacteur", // guess
                "Detalle de la autenticación multifactor", // guess
            ],
        ),
        (MfaRequired, &["MFA required"]),
        (
            AuthenticationRequirement,
            &[
                "Authentication requirement",
                "Exigence d'authentification",
                "Requisito de autenticación",
            ],
        ),
        (AuthenticationDetails, &["AuthenticationDetails"]),
        (
            AppliedPolicies,
            &[
                "ConditionalAccessPolicies",
                "AppliedConditionalAccessPolicies",
            ],
        ),
        (RequirementPolicies, &["AuthenticationRequirementPolicies"]),
        (Identity, &["Identity"]),
        (IsInteractive, &["IsInteractive"]),
        (OriginalRequestId, &["OriginalRequestId"]),
        (Category, &["Type", "Category"]),
        (
            ServicePrincipalId,
            &[
                "ServicePrincipalId",
                "Service principal ID",
                "ID du principal de service", // guess
                "Id. de entidad de servicio", // guess
            ],
        ),
        (
            Application,
            &["Application", "AppDisplayName", "Aplicación"],
        ),
        (
            ApplicationId,
            &[
                "Application ID ",
                "AppId",
                "ID d'application",
                "Id. de aplicación",
            ],
        ),
        (
            Resource,
            &["Resource", "ResourceDisplayName", "Ressource", "Recurso"],
        ),
        (
            ResourceId,
            &["Resource ID ", "ID de ressource", "Id. de recurso"],
        ),
        (
            ClientApp,
            &[
                "Client app",
                "ClientAppUsed",
                "Application cliente",
                "Aplicación cliente",
            ],
        ),
        (
            AuthenticationProtocol,
            &[
                "Authentication Protocol",
                "Protocole d'authentification",
                "Protocolo de autenticación",
            ],
        ),
        (
            ClientCredentialType,
            &[
                "Client credential type",
                "Type d'informations d'identification du client",
                "Tipo de credencial de cliente",
            ],
        ),
        (
            IncomingTokenType,
            &[
                "Incoming token type",
                "Type de jeton entrant",
                "Tipo de token entrante",
            ],
        ),
        (
            AutonomousSystemNumber,
            &[
                "Autonomous system  number",
                "AutonomousSystemNumber",
                "Numéro de système autonome",
                "Número de sistema autónomo",
            ],
        ),
        (
            SessionId,
            &["Session ID", "SessionId", "ID de session", "Id. de sesión"],
        ),
        (
            ConditionalAccess,
            &[
                "Conditional Access",
                "ConditionalAccessStatus",
                "Accès conditionnel",
                "Acceso condicional",
            ],
        ),
        (Location, &["Location", "Emplacement", "Ubicación"]),
        (
            StepMethod,
            &[
                "Authentication method",
                "Méthode d'authentification",
                "Método de autenticación",
            ],
        ),
        (
            StepMethodDetail,
            &[
                "Authentication method detail",
                "Détail de la méthode d'authentification", // guess
                "Detalle del método de autenticación",     // guess
            ],
        ),
        (
            StepSucceeded,
            &["Succeeded", "Réussite", "Réussi", "Correcto"],
        ),
        (
            StepResultDetail,
            &[
                "Result detail",
                "Détail du résultat",    // guess
                "Detalle del resultado", // guess
            ],
        ),
        (StepRequirement, &["Requirement", "Exigence", "Requisito"]),
    ]
};

/// The column a header names, if it is a sign-in column.
pub fn signin_column(header: &str) -> Option<SignInColumn> {
    column_in(SIGNIN_COLUMNS, header)
}

/// A column of a group membership CSV (enforcement.md §1.4), one row per membership, as scripts
/// write it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GroupMemberColumn {
    GroupId,
    /// The group's display name (optional).
    GroupName,
    MemberId,
    /// The member's UPN (optional).
    MemberUpn,
    /// `User`, `Group`, `#microsoft.graph.user`... (optional).
    MemberType,
}

/// Every known name of every membership CSV column.
pub const GROUP_MEMBER_COLUMNS: &[(GroupMemberColumn, &[&str])] = {
    use GroupMemberColumn::*;
    &[
        (
            GroupId,
            &["groupId", "Group ID", "GroupObjectId", "Group Object ID"],
        ),
        (
            GroupName,
            &["groupDisplayName", "Group Name", "GroupName", "Group"],
        ),
        (
            MemberId,
            &[
                "memberId",
                "Member ID",
                "MemberObjectId",
                "Member Object ID",
            ],
        ),
        (
            MemberUpn,
            &[
                "memberUserPrincipalName",
                "Member UPN",
                "Member User Principal Name",
                "userPrincipalName",
            ],
        ),
        (
            MemberType,
            &[
                "memberType",
                "Member Type",
                "MemberObjectType",
                "@odata.type",
            ],
        ),
    ]
};

/// The column a header names, if it is a membership CSV column.
pub fn group_member_column(header: &str) -> Option<GroupMemberColumn> {
    column_in(GROUP_MEMBER_COLUMNS, header)
}

/// The column of `table` that `header` names, compared by [`key`].
fn column_in<C: Copy>(table: &[(C, &[&str])], header: &str) -> Option<C> {
    let k = key(header);
    table
        .iter()
        .find(|(_, names)| names.iter().any(|n| key(n) == k))
        .map(|(c, _)| *c)
}

/// Where each column is in one file's header: the first occurrence of each.
#[derive(Debug, Clone, Default)]
pub struct ColumnIndex {
    found: Vec<(SignInColumn, usize)>,
}

impl ColumnIndex {
    pub fn new<S: AsRef<str>>(headers: &[S]) -> Self {
        let mut found: Vec<(SignInColumn, usize)> = Vec::new();
        for (i, h) in headers.iter().enumerate() {
            if let Some(c) = signin_column(h.as_ref())
                && !found.iter().any(|(f, _)| *f == c)
            {
                found.push((c, i));
            }
        }
        ColumnIndex { found }
    }

    /// The position of `column`, when the file has it.
    pub fn get(&self, column: SignInColumn) -> Option<usize> {
        self.found
            .iter()
            .find(|(c, _)| *c == column)
            .map(|(_, i)| *i)
    }
}

#[cfg(test)]
mod tests {
    use super::SignInColumn::*;
    use super::*;

    /// Spelling variants of one column may normalise alike; two columns of a table may not.
    fn assert_no_alias_names_two_columns<C: Copy + PartialEq + std::fmt::Debug>(
        table: &[(C, &[&str])],
    ) {
        let mut seen: Vec<(String, C)> = Vec::new();
        for (column, names) in table {
            for name in *names {
                let k = key(name);
                assert!(!k.is_empty(), "{name}");
                if let Some((_, other)) = seen.iter().find(|(s, c)| *s == k && c != column) {
                    panic!("'{name}' names both {other:?} and {column:?}");
                }
                seen.push((k, *column));
            }
        }
    }

    #[test]
    fn no_alias_names_two_columns() {
        assert_no_alias_names_two_columns(SIGNIN_COLUMNS);
        assert_no_alias_names_two_columns(GROUP_MEMBER_COLUMNS);
    }

    #[test]
    fn membership_csv_headers() {
        use GroupMemberColumn as G;
        assert_eq!(group_member_column("\u{feff}groupId"), Some(G::GroupId));
        assert_eq!(group_member_column("Group ID"), Some(G::GroupId));
        assert_eq!(group_member_column("member_id"), Some(G::MemberId));
        assert_eq!(
            group_member_column("MemberUserPrincipalName"),
            Some(G::MemberUpn)
        );
        assert_eq!(group_member_column("Member Type"), Some(G::MemberType));
        assert_eq!(group_member_column("id"), None);
    }

    #[test]
    fn quirks_of_the_portal_header() {
        assert_eq!(signin_column("Application ID "), Some(ApplicationId));
        assert_eq!(signin_column("Application ID"), Some(ApplicationId));
        assert_eq!(
            signin_column("Autonomous system  number"),
            Some(AutonomousSystemNumber)
        );
        assert_eq!(signin_column("\u{feff}Date (UTC)"), Some(Date));
        assert_eq!(signin_column("TimeGenerated [UTC]"), Some(TimeGenerated));
        assert_eq!(signin_column("CreatedDateTime [UTC]"), Some(Date));
        assert_eq!(signin_column("MFA result"), Some(MfaResult));
        assert_eq!(signin_column("MFA required"), Some(MfaRequired));
        assert_eq!(signin_column("MFA authentication method"), Some(MfaMethod));
        assert_eq!(signin_column("MFA authentication detail"), Some(MfaDetail));
        assert_eq!(signin_column("Multifactor auth result"), Some(MfaResult));
        assert_eq!(signin_column("Multifactor auth method"), Some(MfaMethod));
        assert_eq!(signin_column("Multifactor auth detail"), Some(MfaDetail));
        assert_eq!(signin_column("Browser"), None);
    }

    #[test]
    fn localized_headers() {
        assert_eq!(signin_column("Nom d'utilisateur"), Some(Username));
        assert_eq!(signin_column("Nom d\u{2019}utilisateur"), Some(Username));
        assert_eq!(signin_column("Statut"), Some(Status));
        assert_eq!(
            signin_column("Méthode d'authentification multifacteur"),
            Some(MfaMethod)
        );
        assert_eq!(signin_column("Code d'erreur de connexion"), Some(ErrorCode));
        assert_eq!(signin_column("ID de la demande"), Some(RequestId));
        assert_eq!(signin_column("Id. de solicitud"), Some(RequestId));
        assert_eq!(
            signin_column("Requisito de autenticación"),
            Some(AuthenticationRequirement)
        );
        assert_eq!(signin_column("Motivo del error"), Some(FailureReason));
        assert_eq!(signin_column("Método de autenticación"), Some(StepMethod));
    }

    #[test]
    fn a_repeated_column_resolves_to_its_first_occurrence() {
        let idx = ColumnIndex::new(&[
            "Date (UTC)",
            "Incoming token type",
            "Username",
            "Incoming token type",
        ]);
        assert_eq!(idx.get(IncomingTokenType), Some(1));
        assert_eq!(idx.get(Username), Some(2));
        assert_eq!(idx.get(RequestId), None);
    }
}
