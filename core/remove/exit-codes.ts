/**
 * What an uninstaller's exit means, per tool: each tool's `classify` (`./tools/*.ts`).
 *
 * msiexec codes from Microsoft's "MsiExec.exe and InstMsi.exe error messages" (research [S16]);
 * dpkg(1) and rpm(8) exit statuses; vendor EXE uninstallers follow the msiexec conventions for
 * reboots (3010/1641) and otherwise only 0 means success.
 */
import type { RunResult } from '../host/runner';
import type { StepTool } from '../model/plan';
import { toolFor } from './tools';
import type { Classification } from './tools/tool';

export type { Classification } from './tools/tool';

/** The tools that run a program (a manual step runs none). */
export type Tool = Exclude<StepTool, 'manual'>;

/** Classifies a finished (or timed-out, or unstartable) process. */
export function classifyExit(tool: Tool, r: RunResult): Classification {
  return toolFor(tool).classify(r);
}
