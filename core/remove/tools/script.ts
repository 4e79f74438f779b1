/**
 * A macOS vendor uninstall script (or app binary), run as root on the Mac itself.
 *
 * The catalog lists candidates in order; the first one that is present is used, and only when:
 * - it lies in the vendor's own folders, a fixed list per vendor (`./vendor-locations.ts`), and
 *   so does the file it really leads to: a catalog "uninstaller" of `/usr/bin/id` or `/sbin/reboot`
 *   is refused;
 * - it is a root-owned regular file that only root can change (the facts' `lstat`).
 * Never against an image: the script would run on this machine, not on the Mac in the image.
 */
import { describeImageError, ImageFs, isAbsent } from '../../fs/image-fs';
import { classifyAbnormal, outputTail, plainAttempt, stepBase } from './common';
import type { Presence, UninstallerTool } from './tool';
import { isNormalPosix, vendorLocations } from './vendor-locations';

export const script: UninstallerTool = {
  name: 'script',
  defaultTimeoutMs: 20 * 60_000,

  plan(finding, product, facts, o) {
    const recipe = product.removal?.macos;
    if (!recipe) return [{ skip: 'the catalog has no automated macOS removal for this product' }];
    if (o.hostRoot)
      return [
        {
          skip: 'vendor uninstall scripts are not run against an image (they would run on this machine); remove it on the Mac itself',
        },
      ];
    const places = vendorLocations(product.vendor).macUninstallers;
    const inVendorPlace = (p: string): boolean => isNormalPosix(p) && places.some((re) => re.test(p));
    const refused: string[] = [];
    for (const u of recipe.uninstallers) {
      if (!inVendorPlace(u.path)) {
        refused.push(u.path);
        continue;
      }
      const st = facts.uninstallers[u.path];
      if (!st) continue;
      if (st.realPath !== undefined && st.realPath !== u.path && !inVendorPlace(st.realPath))
        return [
          { skip: `${u.path} leads to ${st.realPath}, outside the vendor's folders, so it is not run` },
        ];
      if (!st.isFile || st.uid !== 0 || (st.mode & 0o022) !== 0)
        return [
          {
            skip: `${u.path} exists but is not a root-owned file that only root can change, so it is not run`,
          },
        ];
      return [
        {
          ...stepBase(finding, product, 'macos'),
          title: `Run the vendor's uninstall script for ${finding.name}`,
          method: 'script',
          tool: 'script',
          argv: [u.path],
          targets: finding.removalHints.paths,
          timeoutMs: o.timeoutMs ?? script.defaultTimeoutMs,
          preflight: ['Administrator rights (sudo or an administrator account)'],
          notes: refused.map(
            (p) => `The catalog's uninstaller ${p} is not in the vendor's own folders: not used.`,
          ),
        },
      ];
    }
    if (refused.length) {
      const others =
        refused.length < recipe.uninstallers.length ? '; none of the others is present on this Mac' : '';
      return [
        {
          skip: `the catalog's uninstaller ${refused.join(', ')} is not in the vendor's own folders, so Divest does not run it${others}`,
        },
      ];
    }
    return [{ skip: 'none of the vendor uninstallers the catalog knows is present on this Mac' }];
  },

  classify(r) {
    const abnormal = classifyAbnormal(r);
    if (abnormal) return abnormal;
    const code = r.exitCode as number;
    if (code === 0)
      return { outcome: 'removed', message: 'The vendor uninstall script finished successfully (0).' };
    const tail = outputTail(r);
    return {
      outcome: 'failed',
      message: `The vendor uninstall script failed with exit code ${code}${tail ? `: ${tail}` : ''}.`,
    };
  },

  async presence(step, ctx): Promise<Presence> {
    const fs = new ImageFs(ctx.hostRoot);
    const present: string[] = [];
    const unknown: string[] = [];
    for (const p of step.targets) {
      try {
        await fs.stat(p);
        present.push(p);
      } catch (e) {
        // Absent is gone; a path that could not be inspected is not known to be gone.
        if (!isAbsent(describeImageError(e))) unknown.push(p);
      }
    }
    return { present, unknown };
  },

  prepareAttempt(step) {
    return plainAttempt(step.argv);
  },

  cleanUpText(step) {
    return step.manualSteps.length
      ? "If it keeps failing, follow the steps to do by hand (the vendor's removal tool)."
      : undefined;
  },
};
