// electron-builder `msiProjectCreated` hook (electron-builder.yml): edits the WiX project that
// electron-builder generated (project.wxs, WiX v4 schema, built by its bundled WiX) before it is
// compiled, to give the MSI what build/installer.nsh gives the NSIS installer:
// - %ProgramData%\Divest and %ProgramData%\Divest\keys, created with their ACL (Windows Installer's
//   MsiLockPermissionsEx, as SDDL, so no account name is looked up in a localised Windows):
//   owner Administrators; SYSTEM and Administrators full control, Users read; keys without
//   Users. Permanent: the journal and receipts outlive an uninstall.
// - [APPLICATIONFOLDER]resources\bin appended to the machine PATH, removed on uninstall.
// The component GUIDs are fixed once (Windows Installer tracks components by them).
import { readFileSync, writeFileSync } from 'node:fs';
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';

const WIX = 'http://wixtoolset.org/schemas/v4/wxs';
/** The same SDDL as the elevated helper applies (main/helper/trusted.ts DATA_DIR_SDDL, KEYS_DIR_SDDL). */
export const DATA_DIR_SDDL = 'O:BAG:SYD:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;0x1200a9;;;BU)';
export const KEYS_DIR_SDDL = 'O:BAG:SYD:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)';
const GUIDS = {
  data: '{B3EC5089-BA43-4B91-8043-2816CEA1E3BE}',
  keys: '{865C5E3F-5193-4715-9AF4-AD0F1F8C904C}',
  path: '{4AF5A71E-1553-4E09-BCCF-36685F9CE54F}',
};

function el(doc, name, attrs = {}, children = []) {
  const e = doc.createElementNS(WIX, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) e.appendChild(c);
  return e;
}

function only(doc, tag, pred, what) {
  const found = Array.from(doc.getElementsByTagNameNS(WIX, tag)).filter(pred);
  if (found.length !== 1)
    throw new Error(`msi-project-created: expected one ${what} in the WiX project, found ${found.length}`);
  return found[0];
}

/** The project's XML with Divest's data folder, its ACL and the PATH entry added. */
export function editProject(xml) {
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const targetDir = only(doc, 'Directory', (d) => d.getAttribute('Id') === 'TARGETDIR', 'TARGETDIR');
  const product = only(doc, 'Product', () => true, 'Product');
  const feature = only(doc, 'Feature', (f) => f.getAttribute('Id') === 'ProductFeature', 'ProductFeature');
  if (
    Array.from(doc.getElementsByTagNameNS(WIX, 'Directory')).some(
      (d) => d.getAttribute('Id') === 'DivestDataDir',
    )
  )
    throw new Error('msi-project-created: the project already has the Divest data folder');
  targetDir.appendChild(
    el(doc, 'Directory', { Id: 'CommonAppDataFolder' }, [
      el(doc, 'Directory', { Id: 'DivestDataDir', Name: 'Divest' }, [
        el(doc, 'Directory', { Id: 'DivestKeysDir', Name: 'keys' }),
      ]),
    ]),
  );
  const folder = (dir, id, guid, sddl) =>
    el(doc, 'DirectoryRef', { Id: dir }, [
      el(doc, 'Component', { Id: id, Guid: guid, Permanent: 'yes' }, [
        el(doc, 'CreateFolder', {}, [el(doc, 'PermissionEx', { Sddl: sddl })]),
      ]),
    ]);
  product.appendChild(folder('DivestDataDir', 'DivestDataFolder', GUIDS.data, DATA_DIR_SDDL));
  product.appendChild(folder('DivestKeysDir', 'DivestKeysFolder', GUIDS.keys, KEYS_DIR_SDDL));
  product.appendChild(
    el(doc, 'DirectoryRef', { Id: 'APPLICATIONFOLDER' }, [
      el(doc, 'Component', { Id: 'DivestCliOnPath', Guid: GUIDS.path }, [
        el(doc, 'CreateFolder'),
        el(doc, 'Environment', {
          Id: 'DivestPath',
          Name: 'PATH',
          Value: '[APPLICATIONFOLDER]resources\\bin',
          Permanent: 'no',
          Part: 'last',
          Action: 'set',
          System: 'yes',
        }),
      ]),
    ]),
  );
  for (const id of ['DivestDataFolder', 'DivestKeysFolder', 'DivestCliOnPath'])
    feature.appendChild(el(doc, 'ComponentRef', { Id: id }));
  return new XMLSerializer().serializeToString(doc);
}

export default async function msiProjectCreated(projectFile) {
  writeFileSync(projectFile, editProject(readFileSync(projectFile, 'utf8')));
}
