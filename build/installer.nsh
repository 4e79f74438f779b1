; Divest's additions to electron-builder's NSIS installer (electron-builder.yml nsis.include).
;
; 1. The machine's data folder, %ProgramData%\Divest, where the elevated removal helper keeps the
;    journal, the receipt signing key (keys\) and the uninstallers' logs. Anyone may create
;    folders under C:\ProgramData (and would own them), and its subfolders inherit "Users may
;    create files": the installer makes Administrators the owner, drops the inherited entries and
;    grants, by SID (so it works in every language): SYSTEM and Administrators full control,
;    Users read; keys\ SYSTEM and Administrators only. Files a user planted before keep that
;    user as owner, and the helper refuses a data folder holding any file not owned by
;    Administrators or SYSTEM (main/helper/trusted.ts). The folder outlives an uninstall: the
;    receipts and the journal are the proof of what was removed.
; 2. resources\bin (the divest command-line tool) on the machine PATH, added and removed by
;    resources\windows\machine-path.ps1, which keeps the PATH value's REG_EXPAND_SZ type and its
;    length (NSIS strings stop at 8192 characters; a PATH edited with ReadRegStr/WriteRegExpandStr
;    can be cut short).
; perMachine installs run with SetShellVarContext all, so $APPDATA is C:\ProgramData.

!define DIVEST_ICACLS '"$SYSDIR\icacls.exe"'
!define DIVEST_POWERSHELL '"$SYSDIR\WindowsPowerShell\v1.0\powershell.exe" -NoProfile -NonInteractive -ExecutionPolicy Bypass -File'

!macro divestRun COMMAND
  nsExec::ExecToLog '${COMMAND}'
  Pop $0
  DetailPrint "Divest: exit $0 from ${COMMAND}"
!macroend

!macro customInstall
  SetShellVarContext all
  CreateDirectory "$APPDATA\Divest"
  CreateDirectory "$APPDATA\Divest\keys"
  !insertmacro divestRun '${DIVEST_ICACLS} "$APPDATA\Divest" /setowner *S-1-5-32-544 /C /Q'
  !insertmacro divestRun '${DIVEST_ICACLS} "$APPDATA\Divest" /inheritance:r /grant:r *S-1-5-18:(OI)(CI)F *S-1-5-32-544:(OI)(CI)F *S-1-5-32-545:(OI)(CI)RX /C /Q'
  !insertmacro divestRun '${DIVEST_ICACLS} "$APPDATA\Divest\keys" /setowner *S-1-5-32-544 /C /Q'
  !insertmacro divestRun '${DIVEST_ICACLS} "$APPDATA\Divest\keys" /inheritance:r /grant:r *S-1-5-18:(OI)(CI)F *S-1-5-32-544:(OI)(CI)F /C /Q'
  !insertmacro divestRun '${DIVEST_POWERSHELL} "$INSTDIR\resources\windows\machine-path.ps1" -Action add -Folder "$INSTDIR\resources\bin"'
  ; WM_SETTINGCHANGE to HWND_BROADCAST: new command prompts see the PATH without a restart.
  SendMessage 0xFFFF 0x001A 0 "STR:Environment" /TIMEOUT=5000
!macroend

!macro customUnInstall
  ; An update uninstalls the old version first: the PATH entry stays for the new one.
  ${ifNot} ${isUpdated}
    !insertmacro divestRun '${DIVEST_POWERSHELL} "$INSTDIR\resources\windows\machine-path.ps1" -Action remove -Folder "$INSTDIR\resources\bin"'
    SendMessage 0xFFFF 0x001A 0 "STR:Environment" /TIMEOUT=5000
  ${endIf}
  ; %ProgramData%\Divest is kept on purpose (see above).
!macroend
