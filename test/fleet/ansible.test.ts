/**
 * The Ansible collection for real: Debian's ansible drives three "hosts" over SSH (an sshd of the
 * test's own on 127.0.0.2 and 127.0.0.3, an ephemeral key, stopped afterwards), each with its own
 * test bed (--host-root: dpkg with KESL, dpkg clean, rpm with Network Agent) and data folder. The
 * collection comes from `divest fleet ansible` (with the Linux single executable from
 * `npm run build:sea`); the pins come from its pins.yml (`divest key show`); the receipts it
 * fetches are verified with `divest report --pins`. Before removal the report exits 10, after
 * `divest_action=remove` 0. ansible-lint passes (production profile) and the collection builds.
 *
 * Installs nothing: without ansible, ansible-lint or sshd it fails in CI (CI=true) and skips with
 * the reason elsewhere (apt-get install -y ansible ansible-lint openssh-server).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetReport } from '../../core/model/fleet-report';
import {
  bedFixtures,
  builtCli,
  ensureBuiltCli,
  makeDpkgBed,
  makeRpmBed,
  runCli,
  writeIntoRoot,
  type Bed,
} from '../beds/linux';
import { REPO } from '../beds/windows';

const SSHD = '/usr/sbin/sshd';
const SEA = path.join(REPO, 'out', 'sea', 'divest-linux-x64');
const tool = (t: string): boolean => spawnSync('sh', ['-c', `command -v ${t}`]).status === 0;
const missing = [
  ...['ansible-playbook', 'ansible-lint', 'ansible-galaxy', 'ssh', 'ssh-keygen'].filter((t) => !tool(t)),
  ...(existsSync(SSHD) ? [] : [SSHD]),
];
const reason = missing.length
  ? `not installed: ${missing.join(', ')} (apt-get install -y ansible ansible-lint openssh-server)`
  : false;
if (reason && !process.env.CI) console.warn(`[ansible] skipping: ${reason}`);
if (reason && process.env.CI) throw new Error(`[ansible] CI needs ${reason}`);

function ensureLinuxSea(): void {
  if (existsSync(SEA) && statSync(SEA).mtimeMs >= statSync(builtCli).mtimeMs) return;
  const r = spawnSync(process.execPath, [path.join(REPO, 'scripts', 'build-sea.mjs'), '--only', 'linux'], {
    cwd: REPO,
    encoding: 'utf8',
    timeout: 600_000,
  });
  if (r.status !== 0) throw new Error(`build-sea failed:\n${r.stdout}${r.stderr}`);
}

function portOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host, port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

describe.skipIf(reason !== false)(
  'Ansible over SSH against three beds on this machine',
  { timeout: 900_000 },
  () => {
    const T = mkdtempSync(path.join(tmpdir(), 'divest-ansible-'));
    const coll = path.join(T, 'collections');
    const root = path.join(coll, 'ansible_collections', 'divest', 'endpoint');
    const receipts = path.join(T, 'receipts');
    const beds: Bed[] = [];
    let sshd: ChildProcess | undefined;
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const env = {
      ...process.env,
      HOME: path.join(T, 'home'),
      ANSIBLE_COLLECTIONS_PATH: coll,
      ANSIBLE_HOST_KEY_CHECKING: 'False',
      ANSIBLE_NOCOLOR: '1',
      ANSIBLE_RETRY_FILES_ENABLED: '0',
      ANSIBLE_LOCAL_TEMP: path.join(T, 'ansible-local'),
      ANSIBLE_REMOTE_TEMP: path.join(T, 'ansible-remote'),
      ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3',
    };
    const playbook = (args: string[]) => {
      const r = spawnSync('ansible-playbook', ['-i', path.join(T, 'inventory.ini'), ...args], {
        env,
        encoding: 'utf8',
        timeout: 600_000,
        maxBuffer: 64 * 1024 * 1024,
      });
      if (r.status !== 0)
        throw new Error(
          `ansible-playbook ${args.join(' ')} exited ${String(r.status)}:\n${r.stdout}\n${r.stderr}`,
        );
      return r.stdout;
    };
    const report = (out: string) => {
      const r = runCli([
        'report',
        receipts,
        '--pins',
        path.join(T, 'pins.csv'),
        '--out',
        path.join(T, out),
        '--json',
      ]);
      return { status: r.status, report: FleetReport.parse(JSON.parse(r.stdout)) };
    };

    beforeAll(async () => {
      ensureBuiltCli();
      ensureLinuxSea();
      mkdirSync(env.HOME, { recursive: true });
      const gen = runCli(['fleet', 'ansible', '--out', coll, '--binaries', path.dirname(SEA)]);
      expect(gen.status, gen.stderr).toBe(0);
      expect(existsSync(path.join(root, 'roles', 'divest', 'files', 'divest-linux-x64'))).toBe(true);

      const hosts = [
        {
          name: 'host-a',
          addr: '127.0.0.2',
          bed: makeDpkgBed([bedFixtures.kesl, bedFixtures.hello]),
          id: '0a0a0a0a0a0a4a0a8a0a0a0a0a0a0a0a',
        },
        {
          name: 'host-b',
          addr: '127.0.0.3',
          bed: makeDpkgBed([bedFixtures.hello]),
          id: '0b0b0b0b0b0b4b0b8b0b0b0b0b0b0b0b',
        },
        {
          name: 'host-c',
          addr: '127.0.0.3',
          bed: makeRpmBed([bedFixtures.klnagent64]),
          id: '0c0c0c0c0c0c4c0c8c0c0c0c0c0c0c0c',
        },
      ];
      for (const h of hosts) {
        beds.push(h.bed);
        writeIntoRoot(h.bed.root, { '/etc/machine-id': `${h.id}\n` });
      }
      const key = path.join(T, 'client_key');
      for (const k of [key, path.join(T, 'host_key')])
        expect(spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', k]).status).toBe(0);
      writeFileSync(path.join(T, 'authorized_keys'), readFileSync(`${key}.pub`));
      writeFileSync(
        path.join(T, 'sshd_config'),
        [
          `Port ${port}`,
          'ListenAddress 127.0.0.2',
          'ListenAddress 127.0.0.3',
          `HostKey ${path.join(T, 'host_key')}`,
          `PidFile ${path.join(T, 'sshd.pid')}`,
          `AuthorizedKeysFile ${path.join(T, 'authorized_keys')}`,
          'PermitRootLogin prohibit-password',
          'PasswordAuthentication no',
          'KbdInteractiveAuthentication no',
          'UsePAM no',
          'StrictModes no',
          'Subsystem sftp /usr/lib/openssh/sftp-server',
          'LogLevel ERROR',
          '',
        ].join('\n'),
      );
      mkdirSync('/run/sshd', { recursive: true, mode: 0o755 }); // sshd's privilege-separation folder
      sshd = spawn(SSHD, ['-D', '-e', '-f', path.join(T, 'sshd_config')], { stdio: 'ignore' });
      for (let i = 0; i < 100 && !(await portOpen('127.0.0.2', port)); i++)
        await new Promise((r) => setTimeout(r, 100));
      const lines = hosts.map((h) => {
        const dir = path.join(T, 'hosts', h.name);
        return `${h.name} ansible_host=${h.addr} ansible_port=${port} divest_host_root=${h.bed.root} divest_host_os=linux divest_data_dir=${dir}/data divest_install_dir=${dir}/opt`;
      });
      writeFileSync(
        path.join(T, 'inventory.ini'),
        `[divest]\n${lines.join('\n')}\n\n[divest:vars]\nansible_user=root\nansible_ssh_private_key_file=${key}\nansible_ssh_common_args='-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null'\ndivest_receipts_dir=${receipts}\ndivest_operator=Ansible test\ndivest_run_image_scripts_on_this_machine=true\n`,
      );
      writeFileSync(
        path.join(T, 'facts.yml'),
        `---\n- name: Run the role and keep its fact\n  hosts: divest\n  roles:\n    - role: divest.endpoint.divest\n  tasks:\n    - name: Save the divest fact on the controller\n      ansible.builtin.copy:\n        content: "{{ divest | to_json }}"\n        dest: "${T}/facts/{{ inventory_hostname }}.json"\n        mode: "0644"\n      delegate_to: localhost\n`,
      );
      mkdirSync(path.join(T, 'facts'), { recursive: true });
    }, 900_000);

    afterAll(() => {
      if (sshd?.pid) process.kill(sshd.pid, 'SIGTERM');
      for (const b of beds) b.cleanup();
      rmSync(T, { recursive: true, force: true });
    });

    const fact = (h: string): { status: string; still_installed: string[]; removed: boolean } =>
      JSON.parse(readFileSync(path.join(T, 'facts', `${h}.json`), 'utf8')) as never;

    it('gathers pins, scans, fetches receipts that divest report verifies (exit 10: two hosts banned)', () => {
      playbook(['divest.endpoint.pins', '-e', `divest_pins_file=${path.join(T, 'pins.csv')}`]);
      const pins = readFileSync(path.join(T, 'pins.csv'), 'utf8').trim().split('\n');
      expect(pins).toHaveLength(4);
      playbook([path.join(T, 'facts.yml')]);
      expect(readdirSync(receipts).sort()).toEqual(['host-a.json', 'host-b.json', 'host-c.json']);
      expect(fact('host-a')).toMatchObject({
        status: 'banned',
        still_installed: ['kaspersky-endpoint-security-linux'],
      });
      expect(fact('host-b').status).toBe('unprotected');
      expect(fact('host-c')).toMatchObject({
        status: 'banned',
        still_installed: ['kaspersky-network-agent'],
      });
      const { status, report: r } = report('before');
      expect(status).toBe(10);
      expect(r.hosts.map((h) => h.status).sort()).toEqual(['banned', 'banned', 'unprotected']);
      expect(r.hosts.flatMap((h) => h.flags)).toEqual([]);
      expect(r.invalid).toEqual([]);
    });

    it('removes on request; the new receipts say so and the report exits 0', () => {
      playbook([path.join(T, 'facts.yml'), '-e', 'divest_action=remove']);
      expect(fact('host-a')).toMatchObject({ status: 'unprotected', still_installed: [], removed: true });
      expect(fact('host-c')).toMatchObject({ status: 'unprotected', still_installed: [], removed: true });
      expect(fact('host-b').removed).toBe(false);
      const { status, report: r } = report('after');
      expect(r.hosts.map((h) => h.status)).toEqual(['unprotected', 'unprotected', 'unprotected']);
      expect(r.hosts.find((h) => h.hostname)?.flags).toEqual([]);
      expect(status).toBe(0);
      expect(r.products.map((p) => p.productId).sort()).toEqual([
        'kaspersky-endpoint-security-linux',
        'kaspersky-network-agent',
      ]);
    });

    it('passes ansible-lint (production profile) and builds with ansible-galaxy', () => {
      const lint = spawnSync('ansible-lint', ['--profile', 'production'], {
        cwd: root,
        env,
        encoding: 'utf8',
        timeout: 600_000,
      });
      expect(lint.status, `${lint.stdout}\n${lint.stderr}`).toBe(0);
      expect(
        `${lint.stdout}${lint.stderr}`.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), ''),
      ).toMatch(/Passed with production profile: 0 failure\(s\), 0 warning\(s\)/);
      const build = spawnSync(
        'ansible-galaxy',
        ['collection', 'build', '--output-path', path.join(T, 'dist'), root],
        {
          env,
          encoding: 'utf8',
        },
      );
      expect(build.status, build.stderr).toBe(0);
      expect(readdirSync(path.join(T, 'dist'))).toEqual(['divest-endpoint-1.0.0.tar.gz']);
    });
  },
);
