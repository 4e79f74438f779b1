/**
 * A command runner that reports each process it starts, for the scan's progress display.
 *
 * The engine's `scanHost` has no progress callback (see the issue notes for the hook it could
 * grow); every probe, however, goes through the one CommandRunner, so wrapping it shows what the
 * scan is doing right now ("reading the dpkg database", "querying the registry") without touching
 * core/. Nothing about the commands changes: argv, time-outs and redaction are the inner runner's.
 */
import path from 'node:path';
import type { CommandRunner, RunOptions, RunResult } from '../core/host/runner';

/** Words for the tools the probes run, so progress reads as what is happening. */
const TOOL_WORDS: Record<string, string> = {
  'dpkg-query': 'Reading the dpkg package database',
  dpkg: 'Running dpkg',
  rpm: 'Reading the rpm package database',
  systemctl: 'Checking systemd services',
  reg: 'Reading the Windows registry',
  'reg.exe': 'Reading the Windows registry',
  'powershell.exe': 'Asking Windows (PowerShell)',
  'sc.exe': 'Checking Windows services',
  'net.exe': 'Checking administrator rights',
  pkgutil: 'Reading macOS installer receipts',
  launchctl: 'Checking launchd jobs',
  systemextensionsctl: 'Checking system extensions',
  ps: 'Listing running processes',
  msiexec: 'Running Windows Installer',
  'msiexec.exe': 'Running Windows Installer',
};

/** What one started process is, in words. */
export function describeCommand(argv: readonly string[]): string {
  const tool = path.basename((argv[0] ?? '').replace(/\\/g, '/'));
  return TOOL_WORDS[tool] ?? TOOL_WORDS[tool.toLowerCase()] ?? `Running ${tool}`;
}

/**
 * Wraps a runner; `listener` (when set) hears of every process before it starts.
 *
 * One wrapper is shared by all use cases; the scan sets the listener for its duration.
 */
export class ReportingRunner implements CommandRunner {
  listener: ((argv: readonly string[]) => void) | null = null;

  constructor(private readonly inner: CommandRunner) {}

  get spawnCount(): number {
    return this.inner.spawnCount;
  }

  run(argv: readonly string[], options?: RunOptions): Promise<RunResult> {
    this.listener?.(argv);
    return this.inner.run(argv, options);
  }
}
