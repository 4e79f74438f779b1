/**
 * What is left after a removal, and how to clear each thing by hand.
 *
 * Leftovers come from the rescan: every piece of evidence still found for a catalog product. Each
 * gets one concrete instruction. Divest deletes none of them itself, and kernel drivers least of
 * all: removing a filter driver that is still registered (Kaspersky's keyboard and mouse filters)
 * can leave a machine without input.
 */
import path from 'node:path';
import type { Evidence, Finding, ScanResult } from '../model/scan';
import type { Leftover } from '../model/verify';

function nameFromLocation(location: string): string {
  return location.split(/[\\/#]/).pop() ?? location;
}

/** One instruction for one piece of evidence. */
export function howToClear(e: Evidence, f: Finding, hostRoot?: string): string {
  const name = nameFromLocation(e.location);
  const root = hostRoot ? ` --root=${hostRoot}` : '';
  // In an image, paths are named where they are on this machine, and nothing acts on the live system.
  const here = (p: string): string => (hostRoot ? path.posix.join(hostRoot, p) : p);
  switch (e.kind) {
    case 'registry-uninstall':
      return `The product is still registered. Run "divest remove" again; if the vendor's uninstaller keeps failing, use Kaspersky's removal tool (kavremover) as the plan describes. Delete the key ${e.location} by hand only once the program folder is gone.`;
    case 'package': {
      const pkg = e.location.split('#')[1]?.split(':')[0] ?? name;
      if (e.location.startsWith('dpkg:') && /config-files|not-installed/.test(e.detail))
        return `Only its configuration is left: purge it with "dpkg${root} --purge ${pkg}" as root.`;
      const db = /^rpm:([^#]+)#/.exec(e.location)?.[1];
      return e.location.startsWith('rpm:')
        ? `Still installed: run "divest remove", or "rpm${hostRoot ? ` --root ${hostRoot}${db ? ` --dbpath ${db}` : ''}` : ''} -e ${pkg}" as root.`
        : `Still installed: run "divest remove", or "dpkg${root} --purge ${pkg}" as root.`;
    }
    case 'service':
      if (e.location.startsWith('HKLM'))
        return `Restart first. If the service ${name} is still listed and its program is gone, remove it from an elevated prompt with "sc delete ${name}".`;
      return hostRoot
        ? `Disable it in the image ("systemctl --root=${hostRoot} disable ${name}"), then delete ${here(e.location)}.`
        : `Stop and disable it ("systemctl disable --now ${name}"), delete ${e.location}, then run "systemctl daemon-reload".`;
    case 'driver':
      return `Kernel driver ${name} is still registered. Divest never deletes drivers: removing a filter driver by hand can leave the keyboard or mouse dead. Restart; if it is still there, run Kaspersky's removal tool (kavremover), which unregisters its drivers safely.`;
    case 'file':
      return `Delete ${here(e.location)} (nothing of ${f.name} runs from it once the product is removed). Keep a copy first if your records policy asks for the logs or quarantine in it.`;
    case 'vendor-key':
      return `Delete the registry key ${e.location} from an elevated prompt (reg delete "${e.location}" /f) after a restart; Kaspersky's self-defence keeps it locked while its drivers are loaded.`;
    case 'launchd':
      return hostRoot
        ? `Delete ${here(e.location)} from the image; the job is not loaded there.`
        : `Unload the job ("sudo launchctl bootout system ${e.location}", or "gui/<uid>" for an agent), then delete ${e.location}.`;
    case 'app-bundle':
      return `Run the product's own uninstaller (or Kaspersky's Mac removal tool); delete ${e.location} only afterwards, since its system extension must be removed with it.`;
    case 'pkg-receipt':
      return `Forget the installer receipt once the files are gone: "sudo pkgutil --forget ${name.replace(/\.(plist|bom)$/, '')}".`;
    case 'system-extension':
      return `The system extension is still active. Remove it with the vendor's uninstaller, which asks macOS to deactivate it; macOS needs a restart to finish.`;
    case 'process':
      return `The process is still running: restart the machine, then scan again.`;
    case 'security-center':
      return `Still registered with Windows Security Center: restart; Windows drops the registration once the product's service is gone.`;
  }
}

/** Leftovers of a scan taken after removal. */
export function leftoversOf(after: ScanResult): Leftover[] {
  const out: Leftover[] = [];
  for (const f of after.findings) {
    if (f.status !== 'banned') continue;
    for (const e of f.evidence)
      out.push({
        productId: f.productId,
        kind: e.kind,
        location: e.location,
        detail: e.detail,
        howToClear: howToClear(e, f, after.hostRoot),
      });
  }
  return out;
}
