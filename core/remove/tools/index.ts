/**
 * The uninstaller tools, one module each, by the name a plan step carries (`PlanStep.tool`).
 *
 * To add a tool: see docs/extending.md ("Adding an uninstaller tool: the files to touch").
 */
import type { StepTool } from '../../model/plan';
import { dpkg } from './dpkg';
import { exe } from './exe';
import { manual } from './manual';
import { msiexec } from './msiexec';
import { rpm } from './rpm';
import { script } from './script';
import type { UninstallerTool } from './tool';

export const TOOLS: Readonly<Record<StepTool, UninstallerTool>> = { msiexec, exe, dpkg, rpm, script, manual };

/** The module of a step's tool. */
export function toolFor(name: StepTool): UninstallerTool {
  return TOOLS[name];
}
