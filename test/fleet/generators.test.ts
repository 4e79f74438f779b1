/**
 * What `divest fleet ...` writes, held to each engine's documented rules (research NOTES §3, §5):
 * - Fleet GitOps: only keys Fleet's parser knows (policies, reports), every `run_script` path
 *   resolving (the Go way, from the lib file's folder) to a script the README tells the admin to
 *   list under `controls.scripts` from a `fleets/` or `teams/` file; the policy query is the one
 *   held equal to `divest scan` (osquery-policy.test.ts);
 * - osquery packs: the pack format's keys only, snapshot queries naming the catalog;
 * - Intune/ConfigMgr wrappers: UTF-8 without BOM, CRLF, a few lines, no secrets, no restart;
 * - every file names the catalog version and sha256;
 * - the engines' decisions and `--exit-codes msi` as unit rules.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import yaml from 'js-yaml';
import { loadBuiltInCatalog } from '../../core/catalog/load';
import { provenanceOf } from '../../core/fleet/artifacts';
import { configMgrDetect, intuneDetect, intuneRemediate, oneLine } from '../../core/fleet/engines';
import { msiExitCode, takeExitCodesFlag } from '../../core/fleet/exit-codes';
import { fleetGitopsFiles } from '../../core/fleet/fleet-gitops';
import { osqueryPackFiles } from '../../core/fleet/osquery-pack';
import { platformPolicies } from '../../core/fleet/policy';
import { configMgrFiles, intuneFiles } from '../../core/fleet/windows-engines';
import type { Verdict } from '../../core/model/verdict';

const catalog = loadBuiltInCatalog();
const p = provenanceOf(catalog, '0.1.0');
const file = (files: { path: string; content: string }[], name: string): string => {
  const f = files.find((x) => x.path === name);
  if (!f) throw new Error(`no ${name} among ${files.map((x) => x.path).join(', ')}`);
  return f.content;
};

/** Policy keys of Fleet's GitOpsPolicySpec + PolicySpec (NOTES §3). */
const POLICY_KEYS = new Set([
  'name',
  'query',
  'description',
  'resolution',
  'critical',
  'platform',
  'calendar_events_enabled',
  'labels_include_any',
  'labels_include_all',
  'labels_exclude_any',
  'labels_exclude_all',
  'conditional_access_enabled',
  'continuous_automations_enabled',
  'type',
  'fleet_maintained_app_slug',
  'webhooks_and_tickets_enabled',
  'run_script',
  'install_software',
]);
/** Query/report keys (yaml-files.md example and testdata). */
const REPORT_KEYS = new Set([
  'name',
  'description',
  'query',
  'platform',
  'interval',
  'observer_can_run',
  'automations_enabled',
  'logging',
  'min_osquery_version',
]);

describe('Fleet GitOps files', () => {
  const files = fleetGitopsFiles(catalog, p);

  it('every file names the catalog version and sha256', () => {
    for (const f of files) {
      expect(f.content, f.path).toContain(catalog.catalog.version);
      expect(f.content, f.path).toContain(catalog.sha256);
    }
  });

  it('policies use Fleet keys only, one per platform, with the policy held equal to divest scan', () => {
    const policies = yaml.load(file(files, 'lib/divest.policies.yml')) as Record<string, unknown>[];
    const expected = platformPolicies(catalog.catalog);
    expect(policies.map((x) => x.platform)).toEqual(['windows', 'linux', 'darwin']);
    for (const [i, pol] of policies.entries()) {
      for (const k of Object.keys(pol)) expect(POLICY_KEYS.has(k), k).toBe(true);
      expect(pol.query).toBe(expected[i]!.policy.replace(/;$/, ''));
      expect(typeof pol.name === 'string' && pol.name.length > 0).toBe(true);
    }
    expect(new Set(policies.map((x) => x.name)).size).toBe(3);
  });

  it('run_script resolves from lib/ to the scripts the README lists under controls.scripts (fleets/ and teams/)', () => {
    const policies = yaml.load(file(files, 'lib/divest.policies.yml')) as { run_script: { path: string } }[];
    const readme = file(files, 'README.md');
    const snippet = /```yaml\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const team = yaml.load(snippet) as {
      controls: { scripts: { path: string }[] };
      policies: { path: string }[];
      reports: { path: string }[];
    };
    const repo = '/repo';
    for (const dir of ['fleets', 'teams']) {
      const teamDir = path.posix.join(repo, dir);
      const listed = team.controls.scripts.map((s) => path.posix.resolve(teamDir, s.path));
      const libFile = path.posix.resolve(teamDir, team.policies[0]!.path);
      expect(files.some((f) => path.posix.join(repo, f.path) === libFile)).toBe(true);
      for (const pol of policies) {
        const resolved = path.posix.resolve(path.posix.dirname(libFile), pol.run_script.path);
        expect(listed).toContain(resolved);
        expect(files.some((f) => path.posix.join(repo, f.path) === resolved)).toBe(true);
      }
      expect(path.posix.resolve(teamDir, team.reports[0]!.path)).toBe(
        path.posix.join(repo, 'lib/divest.queries.yml'),
      );
    }
    expect(readme).toMatch(/queries:` instead of `reports:/);
    expect(readme).toMatch(/script_execution_timeout/);
  });

  it('reports use Fleet query keys only, with unique names', () => {
    const reports = yaml.load(file(files, 'lib/divest.queries.yml')) as Record<string, unknown>[];
    for (const r of reports) for (const k of Object.keys(r)) expect(REPORT_KEYS.has(k), k).toBe(true);
    expect(new Set(reports.map((r) => r.name)).size).toBe(reports.length);
    expect(reports.map((r) => r.name)).toContain('divest_banned_present_windows');
  });

  it('the remediation scripts call divest remove --yes, export the receipt, print the status line', () => {
    const sh = file(files, 'lib/divest-remediate.sh');
    expect(sh.startsWith('#!/bin/sh\n')).toBe(true);
    expect(sh).toMatch(/"\$DIVEST" remove --yes\n/);
    expect(sh).toMatch(/receipt export --out/);
    expect(sh).toMatch(/status --line --no-scan/);
    const ps1 = file(files, 'lib/divest-remediate.ps1');
    expect(ps1).toMatch(/& \$divest remove --yes\r\n/);
    for (const s of [sh, ps1]) expect(s).not.toMatch(/Restart-Computer|shutdown|reboot\b|password/i);
  });
});

describe('osquery packs', () => {
  const files = osqueryPackFiles(catalog, p);
  it('hold the pack format only, snapshot queries that name the catalog', () => {
    const conf = JSON.parse(file(files, 'divest.conf')) as {
      packs: Record<
        string,
        { platform: string; version: string; queries: Record<string, Record<string, unknown>> }
      >;
    };
    expect(Object.keys(conf.packs)).toEqual(['divest_windows', 'divest_linux', 'divest_darwin']);
    for (const pack of Object.values(conf.packs)) {
      expect(pack.version).toBe('5.10.0');
      for (const [name, q] of Object.entries(pack.queries)) {
        expect(Object.keys(q).sort(), name).toEqual([
          'description',
          'interval',
          'platform',
          'query',
          'snapshot',
          'version',
        ]);
        expect(q.snapshot).toBe(true);
        expect(q.description).toContain(catalog.sha256);
      }
      expect(pack.queries.divest_banned_present).toBeDefined();
    }
    expect(JSON.parse(file(files, 'packs/divest-linux.json'))).toEqual(conf.packs.divest_linux);
  });
});

describe('Intune and ConfigMgr wrappers', () => {
  const all = [
    ...intuneFiles(p).map((f) => ({ ...f, engine: 'intune' })),
    ...configMgrFiles(p).map((f) => ({ ...f, engine: 'configmgr' })),
  ];
  it('are UTF-8 without BOM, CRLF, a few lines, call divest.exe, hold no secret and no restart', () => {
    const scripts = all.filter((f) => f.path.endsWith('.ps1'));
    expect(scripts.map((s) => `${s.engine}/${s.path}`)).toEqual([
      'intune/Detect-Divest.ps1',
      'intune/Remediate-Divest.ps1',
      'configmgr/Detect-Divest.ps1',
    ]);
    for (const s of scripts) {
      const bytes = Buffer.from(s.content, 'utf8');
      expect(bytes.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(false);
      expect(s.content).not.toMatch(/[^\r]\n/);
      const code = s.content.split('\r\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
      expect(code.length).toBeLessThanOrEqual(4);
      expect(s.content).not.toMatch(
        /Restart-Computer|shutdown|password|KLPASSWD|secret|Write-Error|\[Console\]::Error/i,
      );
      expect(s.content).toContain(catalog.sha256);
    }
    expect(file(all, 'Detect-Divest.ps1')).toMatch(/& \$divest intune detect\r\nexit \$LASTEXITCODE/);
    expect(configMgrFiles(p)[0]!.content).toMatch(/& \$divest configmgr detect\r\n/);
    expect(file(configMgrFiles(p), 'README.md')).toMatch(/remove --yes --exit-codes msi/);
  });
});

const verdict = (o: Partial<Verdict>): Verdict => ({
  state: 'clean',
  fleetStatus: 'clean',
  headline: 'h',
  details: [],
  stillInstalled: [],
  leftovers: 0,
  protection: { state: 'active' },
  blind: [],
  basedOn: { scanAt: null, replacementAt: null },
  ...o,
});
const KES = [{ productId: 'kes', name: 'KES' }];

describe('engine decisions', () => {
  it('Intune detect: 1 only when a removal can act; 2 when Divest cannot tell', () => {
    expect(
      intuneDetect(verdict({ state: 'banned-present', fleetStatus: 'banned', stillInstalled: KES }), 'l')
        .exitCode,
    ).toBe(1);
    expect(
      intuneDetect(
        verdict({ state: 'removal-incomplete', fleetStatus: 'needs-credential', stillInstalled: KES }),
        'l',
      ).exitCode,
    ).toBe(1);
    expect(
      intuneDetect(
        verdict({ state: 'restart-pending', fleetStatus: 'restart-pending', stillInstalled: KES }),
        'l',
      ).exitCode,
    ).toBe(0);
    expect(intuneDetect(verdict({ state: 'unprotected', fleetStatus: 'unprotected' }), 'l').exitCode).toBe(0);
    expect(
      intuneDetect(verdict({ state: 'could-not-look', fleetStatus: 'unverifiable' }), 'l').exitCode,
    ).toBe(2);
    expect(
      intuneRemediate(verdict({ state: 'removed-unprotected', fleetStatus: 'unprotected' }), 'l').exitCode,
    ).toBe(0);
    expect(
      intuneRemediate(
        verdict({ state: 'removal-incomplete', fleetStatus: 'failed', stillInstalled: KES }),
        'l',
      ).exitCode,
    ).toBe(1);
  });

  it('ConfigMgr detect: a line when compliant, nothing when not, non-zero when unknown', () => {
    expect(configMgrDetect(verdict({}), 'line')).toEqual({ line: 'line', exitCode: 0 });
    expect(
      configMgrDetect(
        verdict({ state: 'banned-present', fleetStatus: 'banned', stillInstalled: KES }),
        'line',
      ),
    ).toEqual({ line: '', exitCode: 0 });
    expect(
      configMgrDetect(verdict({ state: 'not-scanned', fleetStatus: 'not-scanned' }), 'line').exitCode,
    ).toBe(1);
  });

  it('one line of at most 2,048 characters', () => {
    const long = oneLine(`a\nb ${'x'.repeat(5000)}`);
    expect(long.length).toBe(2048);
    expect(long).not.toMatch(/\n/);
  });

  it('--exit-codes msi maps 0/20/30 to 0/3010/1603, a busy uninstaller to 1618', () => {
    expect(msiExitCode(0)).toBe(0);
    expect(msiExitCode(20)).toBe(3010);
    expect(msiExitCode(40)).toBe(0); // removed, unprotected: the removal is done
    expect(msiExitCode(30)).toBe(1603);
    expect(msiExitCode(2)).toBe(1603);
    expect(msiExitCode(30, { results: [{ outcome: 'failed', exitCode: 1618 }] })).toBe(1618);
    expect(msiExitCode(30, { results: [{ outcome: 'failed', exitCode: 1603 }] })).toBe(1603);
    expect(takeExitCodesFlag(['--yes', '--exit-codes', 'msi', '--json'])).toEqual({
      argv: ['--yes', '--json'],
      style: 'msi',
    });
    expect(takeExitCodesFlag(['--exit-codes=divest'])).toEqual({ argv: [], style: 'divest' });
  });
});
