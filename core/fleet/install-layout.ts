/**
 * Where the fleet recipes put Divest on a managed machine, and where its files end up. One place,
 * so the Fleet scripts, the Intune and ConfigMgr wrappers, the Ansible role and the docs agree.
 */

/** The executable on Windows: `C:\Program Files\Divest\divest.exe` (64-bit Program Files). */
export const WINDOWS_EXE_PS = "(Join-Path $env:ProgramW6432 'Divest\\divest.exe')";
export const WINDOWS_EXE = 'C:\\Program Files\\Divest\\divest.exe';
/** Where exported receipts go on Windows (inside the data folder `%ProgramData%\Divest`). */
export const WINDOWS_RECEIPTS_PS = "(Join-Path $env:ProgramData 'Divest\\receipts')";

/** The executable on Linux and macOS. */
export const POSIX_EXE = '/opt/divest/divest';
/** The data folder as root (Divest's default): Linux, then macOS. */
export const LINUX_DATA_DIR = '/var/lib/divest';
export const MACOS_DATA_DIR = '/Library/Application Support/Divest';

/** The receipt file name a fleet run exports (one per machine, overwritten by the next run). */
export const FLEET_RECEIPT_NAME = 'divest-receipt.json';
