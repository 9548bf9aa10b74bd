<#
.SYNOPSIS
    Registers a weekly Task Scheduler task that runs `mfaudit run --config ...`.

.DESCRIPTION
    Run as an administrator. The task runs as -User (asked for its password once, stored by Task
    Scheduler), with least privilege, every -Day at -At, and catches up on a missed run.

    The SMTP password stays out of the task and the config: put it on the first line of a file
    that only the task's account can read and name it in the config as `password-file`:
        Set-Content -NoNewline -Path C:\ProgramData\mfaudit\smtp-password -Value '...'
        icacls C:\ProgramData\mfaudit\smtp-password /inheritance:r /grant:r "CONTOSO\svc-mfaudit:R" "Administrators:F"

    The config's [pull] section fetches fresh exports from Microsoft Graph before each audit. Its
    `certificate` (the app registration's certificate with its private key, PEM) is protected the
    same way:
        icacls C:\ProgramData\mfaudit\mfaudit-app.pem /inheritance:r /grant:r "CONTOSO\svc-mfaudit:R" "Administrators:F"

    Exit codes show as the task's Last Run Result: 0 done, 3 (0x3) a policy threshold was crossed
    (reports written and sent), 1 failed (I/O, SMTP, a pull not complete: the audit still ran on
    the previous files of what failed, and the reports say so), 2 bad config or input.

.EXAMPLE
    .\register-mfaudit-task.ps1 -User 'CONTOSO\svc-mfaudit' -Day Monday -At '06:00'
#>
[CmdletBinding()]
param(
    [string]$Exe = 'C:\Program Files\mfaudit\mfaudit.exe',
    [string]$Config = 'C:\ProgramData\mfaudit\mfaudit.toml',
    [string]$TaskName = 'mfaudit weekly MFA audit',
    [Parameter(Mandatory)][string]$User,
    [System.DayOfWeek]$Day = [System.DayOfWeek]::Monday,
    [string]$At = '06:00'
)
$ErrorActionPreference = 'Stop'

if (-not (Test-Path -LiteralPath $Exe)) { throw "mfaudit not found at $Exe (pass -Exe)" }
if (-not (Test-Path -LiteralPath $Config)) { throw "config not found at $Config (pass -Config)" }

# Check the config before scheduling it: --dump-config reads and merges it without running.
& $Exe run --config $Config --dump-config | Out-Null
if ($LASTEXITCODE -ne 0) { throw "mfaudit rejected $Config (exit code $LASTEXITCODE)" }

$action = New-ScheduledTaskAction -Execute $Exe `
    -Argument "run --config `"$Config`" --quiet" `
    -WorkingDirectory (Split-Path -Parent $Config)
$trigger = New-ScheduledTaskTrigger -Weekly -DaysOfWeek $Day -At $At
$settings = New-ScheduledTaskSettingsSet -StartWhenAvailable -RunOnlyIfNetworkAvailable `
    -MultipleInstances IgnoreNew -ExecutionTimeLimit (New-TimeSpan -Hours 2)

# A group managed service account (name ending in $) needs no password:
#   $principal = New-ScheduledTaskPrincipal -UserId 'CONTOSO\gmsa-mfaudit$' -LogonType Password
#   Register-ScheduledTask -TaskName $TaskName -Action $action -Trigger $trigger -Settings $settings -Principal $principal
$credential = Get-Credential -UserName $User -Message "Password of $User, the account the task runs as"
Register-ScheduledTask -TaskName $TaskName -Action $action -Trigger $trigger -Settings $settings `
    -User $credential.UserName -Password $credential.GetNetworkCredential().Password `
    -RunLevel Limited -Description 'mfaudit: MFA registration audit, mailed to the security team' -Force |
    Out-Null

Write-Host "Registered '$TaskName': every $Day at $At as $User. Run it now with: Start-ScheduledTask -TaskName '$TaskName'"
