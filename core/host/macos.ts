/**
 * The macOS host probe: app bundles, package receipts, launchd jobs, system extensions and kexts,
 * and (on the running system only) processes. One module per job under `macos/`.
 *
 * It reads files, not tools: `system_profiler`, `pkgutil` and `systemextensionsctl` are slow, need
 * the live system and print formats that change between releases, while the plists they read are
 * on disk in every image. The only process it starts is one `ps`, and only on the live system.
 *
 * The machine is seen through `ctx.hostRoot` (a mounted image, a test bed, or `/`) with
 * {@link ImageFs}: symlinks are resolved the way the inspected machine would resolve them (an
 * absolute target means *its* `/`), and a relative target that climbs above its `/` is refused
 * with a note, so that nothing outside the root is ever read or reported as the image's. Every
 * place that cannot be read becomes a `ProbeNote` naming the path and the reason (a blind one when
 * a folder that may hold banned software could not be listed); the probe itself never throws.
 */
import { lstat } from 'node:fs/promises';
import { describeImageError, ImageFs } from '../fs/image-fs';
import type { InventoryItem, ProbeContext, ProbeNote } from './inventory';
import { boundOutput } from './limits';
import type { CommandRunner } from './runner';
import { probeApps } from './macos/apps';
import { emptyPart, merge, note, userHomes } from './macos/common';
import { probeKexts, probeSystemExtensions } from './macos/extensions';
import { probeLaunchd } from './macos/launchd';
import { probeProcesses } from './macos/processes';
import { probeReceipts } from './macos/receipts';

export { parsePsOutput } from './macos/processes';

/**
 * Inventories a macOS machine (or image) from its files, plus its processes when live.
 *
 * Reports `.app` bundles (`/Applications`, one sub-folder deep, and each user's `~/Applications`),
 * package receipts (`/var/db/receipts`, legacy `/Library/Receipts/*.pkg`), launchd jobs (system and
 * per-user), system extensions (`/Library/SystemExtensions/db.plist`) and kexts
 * (`/Library/Extensions`). Locations are paths on the inspected machine, without `ctx.hostRoot`.
 * Every field kept is bounded (core/host/limits.ts). Never throws: what cannot be read is a note.
 */
export async function probeMacos(
  ctx: ProbeContext,
  runner: CommandRunner,
): Promise<{ items: InventoryItem[]; notes: ProbeNote[] }> {
  const fs = new ImageFs(ctx.hostRoot);
  try {
    const st = await lstat(fs.root).catch((e: unknown) => describeImageError(e));
    if (!('isDirectory' in st) || !st.isDirectory()) {
      const why = 'isDirectory' in st ? 'not a folder' : st.phrase;
      return { items: [], notes: [note('warning', `host root ${fs.root}: ${why}; nothing inventoried`)] };
    }
    const { homes, notes: homeNotes } = await userHomes(fs);
    const parts = await Promise.all([
      probeApps(fs, homes),
      probeReceipts(fs),
      probeLaunchd(fs, homes),
      probeSystemExtensions(fs),
      probeKexts(fs),
      ctx.live && ctx.os === 'macos' ? probeProcesses(runner) : Promise.resolve(emptyPart()),
    ]);
    return boundOutput(merge([{ items: [], notes: homeNotes }, ...parts]));
  } catch (e) {
    // Nothing above should throw; if something does, the scan still gets what a note can say.
    return { items: [], notes: [note('warning', `macOS probe failed: ${(e as Error).message}`)] };
  }
}
