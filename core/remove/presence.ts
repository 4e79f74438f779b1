/**
 * Is a step's target still on the machine? Asked before a step (nothing to do when it is already
 * gone) and after it (an uninstaller that says "done" while the product is still registered has
 * failed, whatever its exit code). Each tool knows how to ask (`./tools/*.ts`).
 */
import type { PlanStep } from '../model/plan';
import { toolFor } from './tools';
import type { Presence, PresenceContext } from './tools/tool';

export type { Presence, PresenceContext } from './tools/tool';

/** What of a step's targets is still there. */
export function targetsPresent(step: PlanStep, ctx: PresenceContext): Promise<Presence> {
  return toolFor(step.tool).presence(step, ctx);
}
