/** Inventory items as the probes report them, with only what a test cares about to fill in. */
import type {
  AppBundleEntry,
  PackageEntry,
  PathEntry,
  ServiceEntry,
  UninstallEntry,
  VendorKey,
} from '../../../core/host/inventory';
import type { PathHit } from '../../../core/host/paths';

export const UNINSTALL = 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall';
export const SERVICES = 'HKLM\\SYSTEM\\CurrentControlSet\\Services';
export const VENDOR_KEY = 'HKLM\\SOFTWARE\\WOW6432Node\\AcmeLab';

export function uninstall(keyName: string, fields: Partial<UninstallEntry> = {}): UninstallEntry {
  return {
    kind: 'registry-uninstall',
    location: `${UNINSTALL}\\${keyName}`,
    hive: 'HKLM',
    view: '64',
    keyName,
    ...fields,
  };
}

export function vendorKey(keyName: string, values: Record<string, string> = {}): VendorKey {
  return { kind: 'vendor-key', location: `${VENDOR_KEY}\\${keyName}`, view: '32', keyName, values };
}

export function winService(name: string, fields: Partial<ServiceEntry> = {}): ServiceEntry {
  return { kind: 'service', location: `${SERVICES}\\${name}`, name, ...fields };
}

export function driver(name: string, fields: Partial<ServiceEntry> = {}): ServiceEntry {
  return { kind: 'driver', location: `${SERVICES}\\${name}`, name, type: 1, ...fields };
}

export function dpkg(name: string, fields: Partial<PackageEntry> = {}): PackageEntry {
  return {
    kind: 'package',
    manager: 'dpkg',
    location: `dpkg:/var/lib/dpkg/status#${name}:amd64`,
    name,
    version: '1.0-1',
    architecture: 'amd64',
    maintainer: 'Acme Packaging <pkg@acme.example>',
    status: 'install ok installed',
    installed: true,
    ...fields,
  };
}

export function bundle(folder: string, fields: Partial<AppBundleEntry> = {}): AppBundleEntry {
  return { kind: 'app-bundle', location: `/Applications/${folder}.app`, ...fields };
}

/** A catalog path found on the machine: a folder with files unless said otherwise. */
export function hit(pattern: string, location = pattern, entry: Partial<PathEntry> = {}): PathHit {
  return { pattern, entry: { kind: 'file', location, isDirectory: true, empty: false, ...entry } };
}
