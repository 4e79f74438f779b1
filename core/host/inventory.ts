/**
 * What a host probe saw on a machine, before any judgement about it.
 *
 * Probes only observe and record where each fact came from; the scanner (core/scan) decides what is
 * Kaspersky and what is not. Every item carries the `location` an auditor can go and look at.
 */
import type { HostIdentity, HostOs } from '../model/host';

/** An entry under a Windows `...\CurrentVersion\Uninstall` key. */
export interface UninstallEntry {
  kind: 'registry-uninstall';
  /** Full key path, e.g. `HKLM\SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall\{GUID}`. */
  location: string;
  hive: 'HKLM' | 'HKCU';
  view: '64' | '32';
  keyName: string;
  displayName?: string;
  displayVersion?: string;
  publisher?: string;
  installLocation?: string;
  uninstallString?: string;
  quietUninstallString?: string;
  windowsInstaller?: boolean;
  systemComponent?: boolean;
}

/** A subkey of the `KasperskyLab` vendor key, with the `environment` values when present. */
export interface VendorKey {
  kind: 'vendor-key';
  location: string;
  view: '64' | '32';
  /** The subkey name directly under the vendor key, e.g. `AVP21.2`, `KES.12.10.0`, `protected`. */
  keyName: string;
  values: Record<string, string>;
}

/** A Windows service or kernel driver registered under `HKLM\SYSTEM\CurrentControlSet\Services`. */
export interface ServiceEntry {
  kind: 'service' | 'driver';
  location: string;
  name: string;
  displayName?: string;
  imagePath?: string;
  /** Registry `Type`: 1/2 kernel/file-system driver, 16/32 service. */
  type?: number;
  start?: number;
}

/** An installed (or half-removed) package in a dpkg or rpm database. */
export interface PackageEntry {
  kind: 'package';
  manager: 'dpkg' | 'rpm';
  location: string;
  name: string;
  version: string;
  architecture?: string;
  /** dpkg `Maintainer` or rpm `Vendor`/`Packager`. */
  maintainer?: string;
  /** dpkg `Priority` (`required`, `important`, `optional`...); rpm has none. */
  priority?: string;
  /** dpkg `Essential: yes`: a package every system needs (dpkg refuses to remove it). */
  essential?: boolean;
  /** dpkg status words (`install ok installed`, `deinstall ok config-files`...) or `installed` for rpm. */
  status: string;
  installed: boolean;
  /** Paths the package owns (first few hundred), when the database lists them. */
  files?: string[];
}

/** A file or folder that exists on the machine. */
export interface PathEntry {
  kind: 'file';
  location: string;
  isDirectory: boolean;
  /** A folder with nothing in it (what package managers leave when they remove only their own files). */
  empty?: boolean;
}

/** A systemd unit file or SysV init script (Linux). */
export interface UnitEntry {
  kind: 'service';
  location: string;
  name: string;
}

/** A running process. */
export interface ProcessEntry {
  kind: 'process';
  location: string;
  name: string;
  pid: number;
  commandLine?: string;
  /**
   * The program file it runs, as the kernel says (Linux `/proc/<pid>/exe`, readable for another
   * user's process only as root; macOS `ps`'s path). Its name is whatever the starter chose; where
   * the program lies is not (a program folder needs root to write).
   */
  executable?: string;
}

/** A macOS application bundle. */
export interface AppBundleEntry {
  kind: 'app-bundle';
  location: string;
  bundleId?: string;
  name?: string;
  version?: string;
}

/** A macOS package receipt from `/var/db/receipts`. */
export interface PkgReceiptEntry {
  kind: 'pkg-receipt';
  location: string;
  packageId: string;
  version?: string;
  installDate?: string;
}

/** A launchd job (daemon or agent) definition. */
export interface LaunchdEntry {
  kind: 'launchd';
  location: string;
  label?: string;
  program?: string;
}

/** A macOS system extension (from `/Library/SystemExtensions/db.plist`). */
export interface SystemExtensionEntry {
  kind: 'system-extension';
  location: string;
  bundleId?: string;
  teamId?: string;
  state?: string;
  version?: string;
}

/** An antivirus product registered with Windows Security Center (`root\SecurityCenter2`). */
export interface SecurityCenterEntry {
  kind: 'security-center';
  location: string;
  displayName: string;
  productState?: number;
  pathToSignedProductExe?: string;
}

export type InventoryItem =
  | UninstallEntry
  | VendorKey
  | ServiceEntry
  | PackageEntry
  | PathEntry
  | UnitEntry
  | ProcessEntry
  | AppBundleEntry
  | PkgReceiptEntry
  | LaunchdEntry
  | SystemExtensionEntry
  | SecurityCenterEntry;

/** A probe's note that it could not look somewhere, and why: shown in the scan output. */
export interface ProbeNote {
  probe: string;
  level: 'info' | 'warning';
  message: string;
  /**
   * This place could not be inspected (permission denied, an I/O error, a database that is not a
   * regular file...): Divest cannot call the machine clean. See `ScanNote.blind`.
   */
  blind?: true;
}

/** Everything a probe returns. */
export interface Inventory {
  host: HostIdentity;
  items: InventoryItem[];
  notes: ProbeNote[];
  /** Processes started to take this inventory (the runner's count). */
  spawns: number;
}

/** How a probe reaches the machine it inspects. */
export interface ProbeContext {
  /** Treat this folder as `/` (Linux/macOS images and test beds). `/` for the live system. */
  hostRoot: string;
  /** True when inspecting the running system (processes, live services may be read). */
  live: boolean;
  os: HostOs;
  /**
   * Which packages can matter: the catalog's package names and the vendors' maintainers. Supplied
   * by the scanner; when given, the probe reports only those packages (with their file lists), so
   * a machine with thousands of packages does not pay for building and matching all of them.
   * Without it, every package is reported.
   */
  packageInterest?: (name: string, maintainer: string | undefined) => boolean;
}

/** What each OS probe returns; host identity and catalog paths are gathered separately. */
export interface ProbeOutput {
  items: InventoryItem[];
  notes: ProbeNote[];
}
