/**
 * One uninstaller tool, everything Divest knows about it in one module.
 *
 * A tool (msiexec, a vendor EXE, dpkg, rpm, a macOS vendor script, or a step done by hand) is a
 * plain object with five parts: how a step is planned from a finding, the catalog's recipe and the
 * machine's facts (pure: no I/O); what its exit means; how to tell whether its targets are still
 * there; what exactly runs on an attempt (credentials, logs); and what to tell the user when the
 * step fails. The planner (`../plan.ts`) orders steps and dispatches to the table in `./index.ts`;
 * the executor (`../execute.ts`) calls these methods and never switches on a tool.
 */
import type { MachineFacts } from '../../host/facts';
import type { CommandRunner, RunResult } from '../../host/runner';
import type { Product } from '../../model/catalog';
import type { StepOutcome } from '../../model/execution';
import type { HostOs } from '../../model/host';
import type { PlanStep, StepTool } from '../../model/plan';
import type { Finding } from '../../model/scan';

/** A step before the planner numbers it. */
export type DraftStep = Omit<PlanStep, 'id'>;

/**
 * Nothing can run safely: why (one clause, shown as "No automated removal: <skip>."), and concrete
 * things to do by hand instead, in Divest's own words (they come before the catalog's advice).
 */
export interface Refusal {
  skip: string;
  byHand?: string[];
}

export type Drafted = DraftStep | Refusal;

export const isRefusal = <T extends object>(d: T | Refusal): d is Refusal => 'skip' in d;

/** What a tool's planner is told besides the finding, the product and the facts. */
export interface ToolPlanOptions {
  os: HostOs;
  /** The image planned against (`--host-root`); absent for the live system. */
  hostRoot?: string;
  /** Where msiexec's verbose logs go. */
  logDir: string;
  env?: NodeJS.ProcessEnv;
  /** Overrides the tool's default time-out. */
  timeoutMs?: number;
  /** Distinguishes this plan's files (msiexec logs). */
  planKey: string;
  /**
   * Run an image's package scripts on THIS machine when the image has no shell to run them in
   * (dpkg --force-script-chrootless). Off by default: a hostile image's scripts would run here as
   * root. The CLI's `--run-image-scripts-on-this-machine`.
   */
  allowImageScriptsOnHost: boolean;
}

/** What one run of an uninstaller meant. */
export interface Classification {
  outcome: StepOutcome;
  /** One sentence for the user: what happened and, on failure, what to try. */
  message: string;
  /** Worth retrying after a wait (another installation was running). */
  retry?: boolean;
  /** The product may be password-protected: ask for credentials and retry. */
  maybeNeedsCredentials?: boolean;
}

export interface PresenceContext {
  runner: CommandRunner;
  /** The image root for Linux/macOS (`/` for the live system). */
  hostRoot: string;
  env?: NodeJS.ProcessEnv;
}

export interface Presence {
  /** Targets still present (installed or, for dpkg purge, configuration left). */
  present: string[];
  /** Targets whose state could not be determined. */
  unknown: string[];
}

/** An uninstall password given by the operator at run time (never stored). */
export interface Credentials {
  login?: string;
  password: string;
}

/** What exactly runs on one attempt of a step. */
export interface Attempt {
  argv: string[];
  /** Exact arguments the journal refuses to store; outputs show them as `NAME=***`. */
  secrets: string[];
  /** Strings the runner hides in the live output (the password and its encodings). */
  outputSecrets: string[];
  /** Done just before the process starts (msiexec: create its log folder). */
  prepare?: () => void;
}

/** How a step ended badly, for {@link UninstallerTool.cleanUpText}. */
export interface Failure {
  /**
   * `failed`: the uninstaller failed or timed out. `orphaned`: it said the product was not
   * installed, yet the product is still registered.
   */
  kind: 'failed' | 'orphaned';
  /** Targets still present afterwards, when known. */
  present: readonly string[];
  /** The exit looked like a refusal for want of a password. */
  maybeNeedsCredentials: boolean;
  /** The last attempt carried credentials. */
  credentialsGiven: boolean;
}

export interface UninstallerTool {
  readonly name: StepTool;
  readonly defaultTimeoutMs: number;
  /** The step(s) for one finding, or why none can run; pure (the facts say what the disk holds). */
  plan(finding: Finding, product: Product, facts: MachineFacts, options: ToolPlanOptions): Drafted[];
  /** What a finished (or timed-out, or unstartable) run means. */
  classify(r: RunResult): Classification;
  /** Which of the step's targets are still there. */
  presence(step: PlanStep, ctx: PresenceContext): Promise<Presence>;
  /** The argv, secrets and preparation of one attempt. */
  prepareAttempt(step: PlanStep, credentials: Credentials | undefined): Attempt;
  /** The sentence added to a failed step's message: how to finish or clean up by hand. */
  cleanUpText(step: PlanStep, failure: Failure): string | undefined;
}
