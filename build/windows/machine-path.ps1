# Adds a folder to, or removes it from, the machine PATH
# (HKLM\SYSTEM\CurrentControlSet\Control\Session Manager\Environment, value Path), as Divest's
# NSIS installer and uninstaller do for resources\bin (build/installer.nsh).
#
# The value is read without expanding %VARIABLES% and written back as REG_EXPAND_SZ, so entries
# such as %SystemRoot%\system32 stay as they were; [Environment]::SetEnvironmentVariable would
# write REG_SZ and expand nothing. Comparison ignores case and a trailing backslash; the folder
# appears at most once. Only .NET calls (no module is loaded).
param(
  [Parameter(Mandatory = $true)][ValidateSet('add', 'remove')][string]$Action,
  [Parameter(Mandatory = $true)][string]$Folder
)
$ErrorActionPreference = 'Stop'
$key = [Microsoft.Win32.Registry]::LocalMachine.OpenSubKey('SYSTEM\CurrentControlSet\Control\Session Manager\Environment', $true)
$old = [string]$key.GetValue('Path', '', [Microsoft.Win32.RegistryValueOptions]::DoNotExpandEnvironmentNames)
$want = $Folder.TrimEnd('\').ToLowerInvariant()
$kept = @($old.Split(';') | Where-Object { $_ -ne '' -and $_.TrimEnd('\').ToLowerInvariant() -ne $want })
if ($Action -eq 'add') { $kept += $Folder }
$new = $kept -join ';'
if ($new -ne $old) { $key.SetValue('Path', $new, [Microsoft.Win32.RegistryValueKind]::ExpandString) }
$key.Close()
