<#
.SYNOPSIS
Installs, upgrades or removes the Vitals monitoring agent as a Windows service.

.DESCRIPTION
Run in an elevated PowerShell (Windows PowerShell 5.1 or PowerShell 7):

  powershell -NoProfile -ExecutionPolicy Bypass -Command "& ([scriptblock]::Create((irm 'URL/install/windows.ps1'))) -Url 'URL' -Token 'TOKEN'"

Installs (or upgrades in place):
  C:\Program Files\Vitals\vitals.exe     the agent (one executable)
  C:\Program Files\Vitals\shawl.exe      the service wrapper (shawl, MIT): turns a service stop into Ctrl-C
  C:\ProgramData\Vitals\agent.yaml       the config; an existing one is kept as it is
  C:\ProgramData\Vitals\state\           identity.json and the buffer; kept on upgrade
  C:\ProgramData\Vitals\logs\            the service log (shawl's, with the agent's output)
  C:\ProgramData\Vitals gets an ACL of SYSTEM and Administrators only (inheritance removed).
  Service "Vitals" (LocalSystem, automatic start, restarted by the service manager on failure).
and enrolls the machine with the collector (an existing identity is kept, so a re-run is an upgrade).

Exit codes: 0 done, 2 bad or missing parameter, 3 not an administrator, 4 download or agent check
failed, 5 enrollment refused or collector unreachable, 6 service registration or start failed,
7 existing config invalid, 8 another step failed (the step and the reason are shown).
A failed run rolls back what it placed: a first install leaves nothing, a re-run leaves the previous
agent, config and service as they were; identity and buffer are never touched.

.PARAMETER Url
The collector's base URL (https://...). The agent and the service wrapper are downloaded from URL/download/.

.PARAMETER Token
A site enrollment token (vitals-collector token create, or the dashboard's Enroll page).

.PARAMETER Binary
Install this agent executable instead of downloading URL/download/vitals-win-x64.exe. A shawl.exe in
the same folder is used instead of downloading URL/download/shawl.exe.

.PARAMETER Uninstall
Stop and remove the service, the agent, its config, logs and state.

.PARAMETER KeepBuffer
With -Uninstall: keep C:\ProgramData\Vitals\state (identity and unsent results).
#>
[CmdletBinding()]
param(
  [string]$Url,
  [string]$Token,
  [string]$Binary,
  [switch]$Uninstall,
  [switch]$KeepBuffer
)

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'  # Invoke-WebRequest is many times slower with the progress bar

$ServiceName = 'Vitals'
$InstallDir = Join-Path $env:ProgramFiles 'Vitals'
$AgentExe = Join-Path $InstallDir 'vitals.exe'
$ShawlExe = Join-Path $InstallDir 'shawl.exe'
$DataDir = Join-Path $env:ProgramData 'Vitals'
$ConfigFile = Join-Path $DataDir 'agent.yaml'
$StateDir = Join-Path $DataDir 'state'
$LogDir = Join-Path $DataDir 'logs'

# The service's command line: shawl runs the agent and, when the service is stopped (or Windows shuts
# down), sends it Ctrl-C, which the agent handles as SIGINT: it finishes running checks, makes a last
# delivery and tells the collector it stopped (20 s at most, then shawl ends it). --no-restart: a
# failing agent stops the service with an error, and the service manager's recovery actions
# (sc.exe failure below) restart it after 10 s, 30 s, 60 s instead of shawl restarting it at once.
# {0} shawl.exe, {1} service name, {2} working folder, {3} log folder, {4} vitals.exe, {5} config.
$ServiceCommandTemplate = '"{0}" run --name {1} --cwd "{2}" --log-dir "{3}" --stop-timeout 20000 --no-restart -- "{4}" run --config "{5}"'
# Recovery: restart after 10 s, 30 s, 60 s; the failure count resets after a day without failures.
$ServiceFailureActions = @('failure', $ServiceName, 'reset=', '86400', 'actions=', 'restart/10000/restart/30000/restart/60000')

function Write-Step([string]$Message) {
  Write-Host "vitals install: $Message"
}

# Once the install has started changing things ($RollbackArmed), an error first undoes them (Undo-Install).
$RollbackArmed = $false
function Stop-WithError([int]$Code, [string]$Message) {
  [Console]::Error.WriteLine("vitals install: error: $Message")
  if ($script:RollbackArmed) { Undo-Install }
  exit $Code
}

function Get-ServiceCommandLine {
  foreach ($path in @($ShawlExe, $DataDir, $LogDir, $AgentExe, $ConfigFile)) {
    # A trailing backslash would escape the closing quote; a double quote cannot be in a Windows path.
    if ($path.EndsWith('\') -or $path.Contains('"')) { Stop-WithError 6 "unusable path for the service: $path" }
  }
  return $ServiceCommandTemplate -f $ShawlExe, $ServiceName, $DataDir, $LogDir, $AgentExe, $ConfigFile
}

# Runs a program and returns its exit code and its output (stdout and stderr) as text, without
# PowerShell turning the program's stderr lines into terminating errors.
function Invoke-Program([string]$FilePath, [string[]]$Arguments) {
  $previous = $ErrorActionPreference
  $ErrorActionPreference = 'Continue'
  try {
    $output = & $FilePath @Arguments 2>&1 | ForEach-Object { "$_" }
    $code = $LASTEXITCODE
  } finally {
    $ErrorActionPreference = $previous
  }
  return [pscustomobject]@{ Code = $code; Output = (@($output) -join "`n").Trim() }
}

function Get-Download([string]$Name, [string]$OutFile) {
  $source = "$Url/download/$Name"
  Write-Step "downloading $source"
  try {
    # Certificates are verified (the default); a collector with a private CA needs it in the machine's trust store.
    Invoke-WebRequest -UseBasicParsing -Uri $source -OutFile $OutFile
  } catch {
    Stop-WithError 4 "could not download $source : $($_.Exception.Message)"
  }
}

# SYSTEM (S-1-5-18) and Administrators (S-1-5-32-544) only, by SID so it works in every Windows language.
function Set-AdminOnlyAcl([string]$Path) {
  $result = Invoke-Program 'icacls.exe' @($Path, '/inheritance:r', '/grant:r', '*S-1-5-18:(OI)(CI)F', '*S-1-5-32-544:(OI)(CI)F', '/Q')
  if ($result.Code -ne 0) { Stop-WithError 6 "icacls $Path failed: $($result.Output)" }
  $result = Invoke-Program 'icacls.exe' @($Path, '/setowner', '*S-1-5-32-544', '/T', '/C', '/Q')
  if ($result.Code -ne 0) { Stop-WithError 6 "icacls /setowner $Path failed: $($result.Output)" }
  # What was already inside (an upgrade) takes the folder's ACL.
  $children = @(Get-ChildItem -LiteralPath $Path -Force)
  if ($children.Count -gt 0) {
    $result = Invoke-Program 'icacls.exe' @((Join-Path $Path '*'), '/reset', '/T', '/C', '/Q')
    if ($result.Code -ne 0) { Stop-WithError 6 "icacls /reset $Path failed: $($result.Output)" }
  }
}

function Stop-VitalsService {
  $service = Get-Service -Name $ServiceName -ErrorAction SilentlyContinue
  if ($null -ne $service -and $service.Status -ne 'Stopped') {
    Write-Step "stopping the $ServiceName service"
    Stop-Service -Name $ServiceName -Force
    $service.WaitForStatus('Stopped', [TimeSpan]::FromSeconds(60))
  }
  return $service
}

function Test-Administrator {
  $identity = [Security.Principal.WindowsIdentity]::GetCurrent()
  $principal = New-Object Security.Principal.WindowsPrincipal($identity)
  return $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)
}

function Write-Utf8File([string]$Path, [string]$Text) {
  # No byte-order mark (Windows PowerShell's -Encoding UTF8 writes one).
  [IO.File]::WriteAllText($Path, $Text, (New-Object Text.UTF8Encoding($false)))
}

# YAML single-quoted scalar: backslashes stay as they are, a quote is doubled.
function ConvertTo-YamlString([string]$Value) {
  return "'" + $Value.Replace("'", "''") + "'"
}

# ---------------------------------------------------------------------------------------------
if (-not (Test-Administrator)) {
  Stop-WithError 3 'run this in PowerShell opened with "Run as administrator"'
}

if ($Uninstall) {
  $service = Stop-VitalsService
  if ($null -ne $service) {
    $result = Invoke-Program 'sc.exe' @('delete', $ServiceName)
    if ($result.Code -ne 0) { Stop-WithError 6 "sc.exe delete $ServiceName failed: $($result.Output)" }
    Write-Step "removed the $ServiceName service"
  }
  if (Test-Path -LiteralPath $InstallDir) { Remove-Item -LiteralPath $InstallDir -Recurse -Force }
  Write-Step "removed $InstallDir"
  if (Test-Path -LiteralPath $DataDir) {
    if ($KeepBuffer) {
      Get-ChildItem -LiteralPath $DataDir -Force | Where-Object { $_.Name -ne 'state' } | Remove-Item -Recurse -Force
      Write-Step "removed the config and logs; kept $StateDir (identity and unsent results): a later install continues as the same agent"
    } else {
      Remove-Item -LiteralPath $DataDir -Recurse -Force
      Write-Step "removed $DataDir (config, identity, buffer and logs)"
    }
  }
  Write-Step 'Vitals is uninstalled'
  exit 0
}

if ($KeepBuffer) { Stop-WithError 2 '-KeepBuffer only goes with -Uninstall' }
$missing = @()
if (-not $Url) { $missing += '-Url' }
if (-not $Token) { $missing += '-Token' }
if ($missing.Count -gt 0) {
  Stop-WithError 2 "missing $($missing -join ' and '): install.ps1 -Url https://collector.example -Token TOKEN (the dashboard's Enroll page shows the full command)"
}
if ($Url -notmatch '^https?://') {
  Stop-WithError 2 "-Url must start with https:// (or http:// for a collector on this machine), got '$Url'"
}
$Url = $Url.TrimEnd('/')
if ($Binary -and -not (Test-Path -LiteralPath $Binary -PathType Leaf)) {
  Stop-WithError 2 "-Binary ${Binary}: no such file"
}
if (-not [Environment]::Is64BitOperatingSystem) {
  Stop-WithError 4 'the agent is built for 64-bit Windows only'
}

# Windows PowerShell 5.1 may still default to TLS 1.0; the collector speaks TLS 1.2+.
[Net.ServicePointManager]::SecurityProtocol = [Net.ServicePointManager]::SecurityProtocol -bor [Net.SecurityProtocolType]::Tls12

# ---------------------------------------------------------------------------------------------
# Rollback: a failed run leaves the machine as it found it. What this run replaces is saved in
# $BackupDir first and put back (the service gets its previous command line), what it creates is
# removed; identity.json and the buffer are never touched. An identity this run obtained is kept:
# the collector already counts the machine, and the next run continues as it without a new token.
$StageDir = Join-Path $InstallDir '.new'
$BackupDir = Join-Path $InstallDir '.previous'
$newAgent = Join-Path $StageDir 'vitals.exe'
$newShawl = Join-Path $StageDir 'shawl.exe'
$had = @{
  InstallDir = Test-Path -LiteralPath $InstallDir
  DataDir = Test-Path -LiteralPath $DataDir
  StateDir = Test-Path -LiteralPath $StateDir
  LogDir = Test-Path -LiteralPath $LogDir
  Identity = Test-Path -LiteralPath (Join-Path $StateDir 'identity.json')
}
$upgrade = Test-Path -LiteralPath $AgentExe
$service = Get-Service -Name $ServiceName -ErrorAction SilentlyContinue
$wasRunning = ($null -ne $service) -and ($service.Status -eq 'Running')
$previousCommandLine = $null
if ($null -ne $service) {
  $previousCommandLine = (Get-CimInstance -ClassName Win32_Service -Filter "Name='$ServiceName'").PathName
}
$placed = @{ Config = $false; Stopped = $false; Binaries = $false; Service = $false }

# Only a folder this run created and left empty goes: a state folder with an identity or a buffer stays.
function Remove-EmptyFolder([string]$Path, [bool]$Existed) {
  if ($Existed -or -not (Test-Path -LiteralPath $Path)) { return }
  if (@(Get-ChildItem -LiteralPath $Path -Force).Count -eq 0) { Remove-Item -LiteralPath $Path -Force }
}

function Undo-Install {
  $script:RollbackArmed = $false
  $ErrorActionPreference = 'Continue'
  if ($placed.Service -or $placed.Stopped) { Stop-Service -Name $ServiceName -Force -ErrorAction SilentlyContinue }
  if ($placed.Service) {
    if ($null -eq $service) {
      Invoke-Program 'sc.exe' @('delete', $ServiceName) | Out-Null
    } else {
      $wmi = Get-CimInstance -ClassName Win32_Service -Filter "Name='$ServiceName'"
      Invoke-CimMethod -InputObject $wmi -MethodName Change -Arguments @{ PathName = $previousCommandLine } | Out-Null
    }
  }
  if ($placed.Binaries) {
    foreach ($name in @('vitals.exe', 'shawl.exe')) {
      $target = Join-Path $InstallDir $name
      $saved = Join-Path $BackupDir $name
      if (Test-Path -LiteralPath $saved) {
        Move-Item -LiteralPath $saved -Destination $target -Force
      } else {
        Remove-Item -LiteralPath $target -Force -ErrorAction SilentlyContinue
      }
    }
  }
  if ($placed.Config) { Remove-Item -LiteralPath $ConfigFile -Force -ErrorAction SilentlyContinue }
  Remove-Item -LiteralPath $StageDir, $BackupDir -Recurse -Force -ErrorAction SilentlyContinue
  Remove-EmptyFolder $StateDir $had.StateDir
  Remove-EmptyFolder $LogDir $had.LogDir
  Remove-EmptyFolder $DataDir $had.DataDir
  Remove-EmptyFolder $InstallDir $had.InstallDir
  if ($placed.Stopped -and $wasRunning) { Start-Service -Name $ServiceName -ErrorAction SilentlyContinue }
  if ($upgrade) {
    [Console]::Error.WriteLine("vitals install: rolled back: the previous agent, config and service are back as they were; identity and buffer in $StateDir untouched")
  } elseif (-not $had.Identity -and (Test-Path -LiteralPath (Join-Path $StateDir 'identity.json'))) {
    [Console]::Error.WriteLine("vitals install: rolled back: nothing of this install is left but $StateDir\identity.json (enrolled in this run: running the installer again continues as this agent; -Uninstall removes it)")
  } else {
    [Console]::Error.WriteLine('vitals install: rolled back: nothing of this install is left')
  }
}

# Any other failure (a full disk, a locked file) is reported with the step it stopped and rolled back.
$Step = "preparing $InstallDir"
trap {
  Stop-WithError 8 "$Step failed: $($_.Exception.Message)"
}
$RollbackArmed = $true

$Step = "staging the agent in $StageDir"
Remove-Item -LiteralPath $StageDir, $BackupDir -Recurse -Force -ErrorAction SilentlyContinue
New-Item -ItemType Directory -Force -Path $StageDir | Out-Null
if ($Binary) {
  Write-Step "installing the agent from $Binary"
  Copy-Item -LiteralPath $Binary -Destination $newAgent -Force
  $localShawl = Join-Path (Split-Path -Parent (Resolve-Path -LiteralPath $Binary)) 'shawl.exe'
  if (Test-Path -LiteralPath $localShawl -PathType Leaf) {
    Copy-Item -LiteralPath $localShawl -Destination $newShawl -Force
  } else {
    Get-Download 'shawl.exe' $newShawl
  }
} else {
  Get-Download 'vitals-win-x64.exe' $newAgent
  Get-Download 'shawl.exe' $newShawl
}
$check = Invoke-Program $newAgent @('--version')
if ($check.Code -ne 0) { Stop-WithError 4 "the agent executable does not run on this machine: $($check.Output)" }
$version = $check.Output

# The config and the enrollment are checked with the new agent before anything is replaced.
$Step = "writing the config $ConfigFile"
New-Item -ItemType Directory -Force -Path $DataDir | Out-Null
Set-AdminOnlyAcl $DataDir
if (Test-Path -LiteralPath $ConfigFile) {
  Write-Step "kept the existing config $ConfigFile"
} else {
  $config = @(
    '# Vitals agent config, written by install.ps1. Every key: vitals config reference',
    '# Checks beyond the built-in cpu, memory, disk and uptime go under checks:, then',
    '# Restart-Service Vitals (vitals config validate checks the file first).',
    'collector:',
    "  url: $(ConvertTo-YamlString $Url)",
    "state_dir: $(ConvertTo-YamlString $StateDir)",
    ''
  ) -join "`n"
  $placed.Config = $true
  Write-Utf8File $ConfigFile $config
  Write-Step "wrote $ConfigFile"
}
$valid = Invoke-Program $newAgent @('config', 'validate', $ConfigFile)
if ($valid.Code -ne 0) {
  [Console]::Error.WriteLine($valid.Output)
  Stop-WithError 7 "$ConfigFile is not valid (above); fix it and run the installer again"
}
$Step = "creating $StateDir and $LogDir"
New-Item -ItemType Directory -Force -Path $StateDir, $LogDir | Out-Null

$enroll = Invoke-Program $newAgent @('enroll', '--url', $Url, '--token', $Token, '--config', $ConfigFile)
if ($enroll.Code -ne 0) {
  [Console]::Error.WriteLine($enroll.Output)
  $reason = @($enroll.Output -split "`n")[-1]
  Stop-WithError 5 "enrollment failed: $reason"
}
Write-Step $enroll.Output

# Files of a running service are locked: stop it, swap the files (the previous ones wait in
# $BackupDir until the run has succeeded), start it again below.
$Step = "placing the agent in $InstallDir"
$placed.Stopped = $true
Stop-VitalsService | Out-Null
New-Item -ItemType Directory -Force -Path $BackupDir | Out-Null
$placed.Binaries = $true
foreach ($name in @('vitals.exe', 'shawl.exe')) {
  $target = Join-Path $InstallDir $name
  if (Test-Path -LiteralPath $target) { Move-Item -LiteralPath $target -Destination (Join-Path $BackupDir $name) -Force }
  Move-Item -LiteralPath (Join-Path $StageDir $name) -Destination $target -Force
}
Write-Step "agent $version installed in $AgentExe"

$Step = "registering the $ServiceName service"
$commandLine = Get-ServiceCommandLine
$placed.Service = $true
if ($null -eq $service) {
  New-Service -Name $ServiceName -BinaryPathName $commandLine -DisplayName 'Vitals monitoring agent' `
    -Description 'Monitors disks, services, backups and health of this machine and reports to the MSP (Vitals).' `
    -StartupType Automatic | Out-Null
  Write-Step "registered the $ServiceName service"
} else {
  # An upgrade may change the command line; Win32_Service.Change keeps the service and its settings.
  $wmi = Get-CimInstance -ClassName Win32_Service -Filter "Name='$ServiceName'"
  $changed = Invoke-CimMethod -InputObject $wmi -MethodName Change -Arguments @{ PathName = $commandLine; StartMode = 'Automatic' }
  if ($changed.ReturnValue -ne 0) { Stop-WithError 6 "could not update the $ServiceName service (Win32_Service.Change returned $($changed.ReturnValue))" }
}
$result = Invoke-Program 'sc.exe' $ServiceFailureActions
if ($result.Code -ne 0) { Stop-WithError 6 "sc.exe failure $ServiceName failed: $($result.Output)" }
# Also when the agent exits with an error code (not only when the process crashes).
$result = Invoke-Program 'sc.exe' @('failureflag', $ServiceName, '1')
if ($result.Code -ne 0) { Stop-WithError 6 "sc.exe failureflag $ServiceName failed: $($result.Output)" }

try {
  Start-Service -Name $ServiceName
} catch {
  Stop-WithError 6 "the $ServiceName service did not start: $($_.Exception.Message); see $LogDir"
}
Start-Sleep -Seconds 3
if ((Get-Service -Name $ServiceName).Status -ne 'Running') {
  Stop-WithError 6 "the $ServiceName service did not stay running; see the log in $LogDir"
}
$RollbackArmed = $false
Remove-Item -LiteralPath $StageDir, $BackupDir -Recurse -Force -ErrorAction SilentlyContinue
Write-Step "the $ServiceName service is running"
if ($upgrade) {
  Write-Step "upgraded in place; identity and buffer in $StateDir kept"
} else {
  Write-Step 'installed'
}
Write-Step "check it with: & '$AgentExe' status"
exit 0
