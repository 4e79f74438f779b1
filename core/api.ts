/**
 * The app's contract: every use case the desktop UI needs, with a zod schema for each request,
 * each result and each event, and the result shape `{ ok: true, value } | { ok: false, error }`.
 *
 * Main validates every incoming request with these schemas before any side effect; the test
 * harness serves the same handlers over HTTP with the same schemas; the preload and the browser
 * bridge build `window.divest` from the method table (`api-methods.ts`, re-exported here). The
 * renderer imports types only. Requests are single objects parsed with `strictObject`, so surplus
 * fields are refused rather than passed on; the renderer can name plan and step ids, never a
 * command or a path to run.
 */
import { z } from 'zod';
import { Directive, Reference } from './catalog/schema';
import type { LoadedCatalog } from './catalog/load';
import { Plan } from './remove/plan';
import { Finding, ScanResult } from './scan/result';
import { Leftover } from './verify/leftovers';
import { ReplacementStatus } from './verify/replacement';
import { ActionOutcome, UnsignedReceipt } from './receipt/schema';
import type { EVENTS } from './api-methods';
import { METHODS } from './api-methods';

/** The method table and `createDivestApi`, re-exported so that main and tests import one module. */
export { EVENTS, METHODS, createDivestApi, methodOfChannel, type Transport } from './api-methods';

/**
 * Stable error codes the UI maps to its own words.
 *
 * `transport` is produced by the bridge itself when the other side cannot be reached.
 */
export const ErrorCode = z.enum([
  'invalid-request',
  'busy',
  'no-admin',
  'elevation-failed',
  'plan-changed',
  'not-found',
  'nothing-to-receipt',
  'catalog',
  'usage',
  'unsupported',
  'transport',
  'internal',
]);
/** One of {@link ErrorCode}. */
export type ErrorCode = z.infer<typeof ErrorCode>;

/**
 * The error half of a result: a code for the program, a sentence for people.
 *
 * Plain data, so it survives structured cloning and JSON alike.
 */
export const ApiError = z.strictObject({ code: ErrorCode, message: z.string() });
/** See {@link ApiError}. */
export type ApiError = z.infer<typeof ApiError>;

/**
 * What every method resolves to: never a rejection across the boundary.
 *
 * Electron passes only an error's message through `invoke`; a result keeps the code.
 */
export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError };

/** Builds the zod schema of a `Result<T>` (for tests and the bridge). */
export function resultSchema<T extends z.ZodType>(value: T) {
  return z.discriminatedUnion('ok', [
    z.strictObject({ ok: z.literal(true), value }),
    z.strictObject({ ok: z.literal(false), error: ApiError }),
  ]);
}

const Empty = z.strictObject({});
const ProductId = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a catalog product id');
const PlanId = z.string().regex(/^[0-9a-f]{16}$/, 'must be a plan id');
const StepId = z.string().regex(/^s\d{1,4}$/, 'must be a step id');

/** The screens of the app, in the order of the flow (menu and keyboard shortcuts use them). */
export const Screen = z.enum([
  'scan',
  'findings',
  'directives',
  'plan',
  'remove',
  'verify',
  'replace',
  'receipt',
  'log',
  'settings',
]);
/** See {@link Screen}. */
export type Screen = z.infer<typeof Screen>;

/**
 * The settings the user can change (kept by electron-store in the app, in memory in tests).
 *
 * An empty `catalogPath` means the built-in catalog; an empty `exportFolder` the default folder.
 */
export const Settings = z.strictObject({
  operatorName: z.string().max(200),
  organisation: z.string().max(200),
  exportFolder: z.string().max(4096),
  theme: z.enum(['system', 'light', 'dark']),
  catalogPath: z.string().max(4096),
});
/** See {@link Settings}. */
export type Settings = z.infer<typeof Settings>;

/** The settings a fresh install starts with. */
export const DEFAULT_SETTINGS: Settings = {
  operatorName: '',
  organisation: '',
  exportFolder: '',
  theme: 'system',
  catalogPath: '',
};

/**
 * How removal will get administrator rights on this machine.
 *
 * `direct`: the app already has them; `elevated`: a system prompt (UAC, pkexec, macOS
 * authorization) asks for them for the removal only; `unavailable`: no way here (say why).
 */
export const RemovalMode = z.strictObject({
  mode: z.enum(['direct', 'elevated', 'unavailable']),
  method: z.enum(['none', 'pkexec', 'uac', 'osascript']),
  explanation: z.string(),
});
/** See {@link RemovalMode}. */
export type RemovalMode = z.infer<typeof RemovalMode>;

/** What the UI shows about the app, the machine and its rights. */
export const AppInfo = z.strictObject({
  version: z.string(),
  os: z.enum(['windows', 'macos', 'linux']),
  /** The folder scanned as `/` (an image or a test bed), null for the live machine. */
  hostRoot: z.string().nullable(),
  hostname: z.string(),
  rights: z.strictObject({ admin: z.union([z.boolean(), z.literal('unknown')]), how: z.string() }),
  removal: RemovalMode,
  dataDir: z.string(),
  catalog: z.strictObject({ version: z.string(), origin: z.string(), sha256: z.string() }),
  /** The fingerprint of the receipt signing key, when the key exists or could be made. */
  keyFingerprint: z.string().nullable(),
});
/** See {@link AppInfo}. */
export type AppInfo = z.infer<typeof AppInfo>;

/** A scan's progress, derived from the processes it starts (the engine has no finer hook). */
export const ScanProgress = z.strictObject({
  phase: z.enum(['started', 'running', 'matching', 'finished', 'failed']),
  message: z.string(),
  elapsedMs: z.number().nonnegative(),
  spawns: z.number().int().nonnegative(),
});
/** See {@link ScanProgress}. */
export type ScanProgress = z.infer<typeof ScanProgress>;

/** `plan:make`: scan and plan (or find the unfinished plan to continue). */
export const PlanRequest = z.strictObject({ only: z.array(ProductId).max(100).optional() });

/** What `plan:make` decided: a new plan, one to continue, or one waiting for a restart. */
export const PlanResult = z.strictObject({
  kind: z.enum(['new', 'resume', 'reboot-pending']),
  plan: Plan,
  /** The scan the plan is built on (only for a new plan). */
  scan: ScanResult.nullable(),
  doneSteps: z.number().int().nonnegative(),
  rebootPendingSince: z.string().nullable(),
});
/** See {@link PlanResult}. */
export type PlanResult = z.infer<typeof PlanResult>;

/** `remove:start`: run the plan the user saw and acknowledged. */
export const RemoveRequest = z.strictObject({
  planId: PlanId,
  /** The user read the warnings; the UI cannot start without it. */
  acknowledged: z.literal(true),
  /** For password-protected products; used only when an uninstaller refuses without it, never stored. */
  credentials: z
    .strictObject({ login: z.string().min(1).max(256).optional(), password: z.string().min(1).max(1024) })
    .optional(),
  /** Manual steps the user reports as done by hand. */
  manualDone: z.array(StepId).max(200).default([]),
});
/** See {@link RemoveRequest}. */
export type RemoveRequest = z.input<typeof RemoveRequest>;

/** One executed step (the engine's `StepResult`). */
export const StepResult = z.strictObject({
  stepId: z.string(),
  productId: z.string(),
  findingId: z.string(),
  title: z.string(),
  method: z.enum(['msi', 'exe', 'package', 'script', 'manual']),
  argv: z.array(z.string()),
  startedAt: z.string(),
  finishedAt: z.string(),
  exitCode: z.number().int().nullable(),
  outcome: ActionOutcome,
  message: z.string(),
  outputSha256: z.string().optional(),
  durationMs: z.number().nonnegative(),
});
/** See {@link StepResult}. */
export type StepResult = z.infer<typeof StepResult>;

/** What `remove:start` resolves to once the plan ran, was verified and the replacement checked. */
export const RemovalSummary = z.strictObject({
  planId: z.string(),
  status: z.enum(['completed', 'reboot-pending', 'failed', 'cancelled', 'incomplete']),
  resumed: z.boolean(),
  results: z.array(StepResult),
  remaining: z.array(z.string()),
  after: ScanResult,
  leftovers: z.array(Leftover),
  replacement: ReplacementStatus,
  stillInstalled: z.array(z.string()),
  /** As the CLI: 0 removed and verified, 20 restart needed, 30 something failed. */
  exitCode: z.union([z.literal(0), z.literal(20), z.literal(30)]),
});
/** See {@link RemovalSummary}. */
export type RemovalSummary = z.infer<typeof RemovalSummary>;

/** Live progress of a removal: phases, step starts and ends, and the uninstallers' output. */
export const RemoveProgress = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('phase'),
    phase: z.enum(['elevating', 'running', 'verifying', 'done', 'failed']),
    message: z.string(),
  }),
  z.strictObject({
    type: z.literal('step-started'),
    stepId: z.string(),
    title: z.string(),
    attempt: z.number(),
  }),
  z.strictObject({
    type: z.literal('step-output'),
    stepId: z.string(),
    stream: z.enum(['stdout', 'stderr']),
    text: z.string(),
  }),
  z.strictObject({ type: z.literal('step-finished'), stepId: z.string(), result: StepResult }),
  z.strictObject({ type: z.literal('manual-needed'), stepId: z.string(), title: z.string() }),
]);
/** See {@link RemoveProgress}. */
export type RemoveProgress = z.infer<typeof RemoveProgress>;

/** `verify:run`: rescan, list leftovers and what is still installed. */
export const VerifyResult = z.strictObject({
  scan: ScanResult,
  leftovers: z.array(Leftover),
  stillInstalled: z.array(Finding),
});
/** See {@link VerifyResult}. */
export type VerifyResult = z.infer<typeof VerifyResult>;

/** `receipt:preview`: what the receipt would say now (not signed, not written). */
export const ReceiptPreview = z.strictObject({ receipt: UnsignedReceipt, keyFingerprint: z.string() });
/** See {@link ReceiptPreview}. */
export type ReceiptPreview = z.infer<typeof ReceiptPreview>;

/** `receipt:export`: which files to write into the export folder. */
export const ExportRequest = z.strictObject({
  formats: z
    .array(z.enum(['json', 'html', 'pdf']))
    .min(1)
    .max(3)
    .refine((f) => f.includes('json'), 'the signed JSON is always written'),
});

/** The files written, and what an auditor needs to check them. */
export const ExportResult = z.strictObject({
  receiptId: z.string(),
  kind: z.enum(['removal', 'scan']),
  keyFingerprint: z.string(),
  folder: z.string(),
  files: z.strictObject({ json: z.string(), html: z.string().nullable(), pdf: z.string().nullable() }),
  journalIntact: z.boolean(),
});
/** See {@link ExportResult}. */
export type ExportResult = z.infer<typeof ExportResult>;

/** `receipt:verify`: a receipt file's text (read by the UI from a file the user chose). */
export const VerifyReceiptRequest = z.strictObject({
  text: z.string().max(20 * 1024 * 1024, 'a receipt is never this large'),
  fingerprint: z.string().max(200).optional(),
  fileName: z.string().max(1024).optional(),
});

/** The verdict on a receipt file. */
export const ReceiptVerdict = z.strictObject({
  valid: z.boolean(),
  problems: z.array(z.string()),
  fingerprint: z.string().nullable(),
  summary: z
    .strictObject({
      id: z.string(),
      kind: z.enum(['removal', 'scan']),
      issuedAt: z.string(),
      hostname: z.string(),
      os: z.string(),
      operator: z.string().nullable(),
      organisation: z.string().nullable(),
      findingsBefore: z.number().int(),
      actions: z.number().int(),
      replacementState: z.string().nullable(),
    })
    .nullable(),
});
/** See {@link ReceiptVerdict}. */
export type ReceiptVerdict = z.infer<typeof ReceiptVerdict>;

/** The journal's verification report (core/journal/chain.ts `VerifyReport`). */
export const JournalReport = z.strictObject({
  intact: z.boolean(),
  length: z.number().int().nonnegative(),
  head: z.strictObject({ seq: z.number(), hash: z.string(), line: z.number() }).nullable(),
  problems: z.array(
    z.strictObject({
      line: z.number(),
      kind: z.string(),
      message: z.string(),
      acknowledgedAt: z.number().optional(),
    }),
  ),
});
/** See {@link JournalReport}. */
export type JournalReport = z.infer<typeof JournalReport>;

/** `journal:read`: the newest events (default 500). */
export const JournalReadRequest = z.strictObject({ limit: z.number().int().min(1).max(5000).optional() });

/** One journal event as the log viewer lists it: where, when, what, and one line about it. */
export const JournalEntry = z.strictObject({
  line: z.number().int(),
  seq: z.number().int(),
  at: z.string(),
  type: z.string(),
  hash: z.string(),
  summary: z.string(),
});
/** See {@link JournalEntry}. */
export type JournalEntry = z.infer<typeof JournalEntry>;

/** The log viewer's data. */
export const JournalView = z.strictObject({
  file: z.string(),
  report: JournalReport,
  total: z.number().int(),
  events: z.array(JournalEntry),
});
/** See {@link JournalView}. */
export type JournalView = z.infer<typeof JournalView>;

/** A catalog product as the UI shows it (without signatures and recipes). */
export const ProductView = z.strictObject({
  id: z.string(),
  name: z.string(),
  vendor: z.string(),
  status: z.enum(['banned', 'review']),
  statusReason: z.strictObject({
    text: z.string(),
    refs: z.array(z.string()),
    unconfirmed: z.string().optional(),
  }),
  description: z.strictObject({
    text: z.string(),
    refs: z.array(z.string()),
    unconfirmed: z.string().optional(),
  }),
  directives: z.array(z.string()),
  platforms: z.array(z.string()),
});
/** See {@link ProductView}. */
export type ProductView = z.infer<typeof ProductView>;

/** `catalog:get`: the directive library and the products, with every reference. */
export const CatalogView = z.strictObject({
  version: z.string(),
  origin: z.string(),
  sha256: z.string(),
  references: z.array(Reference),
  directives: z.array(Directive),
  products: z.array(ProductView),
});
/** See {@link CatalogView}. */
export type CatalogView = z.infer<typeof CatalogView>;

/** The catalog as `catalog:get` returns it (products without their signatures and recipes). */
export function toCatalogView(c: LoadedCatalog): CatalogView {
  return {
    version: c.catalog.version,
    origin: c.origin,
    sha256: c.sha256,
    references: c.catalog.references,
    directives: c.catalog.directives,
    products: c.catalog.products.map((p) => ({
      id: p.id,
      name: p.name,
      vendor: p.vendor,
      status: p.status,
      statusReason: p.statusReason,
      description: p.description,
      directives: p.directives,
      platforms: p.platforms,
    })),
  };
}

/**
 * The contract: each method's request and result schema.
 *
 * Keyed by the method table so that a method without schemas (or schemas without a method) does
 * not compile.
 */
export const CONTRACT = {
  appInfo: { request: Empty, result: AppInfo },
  scan: { request: Empty, result: ScanResult },
  plan: { request: PlanRequest, result: PlanResult },
  remove: { request: RemoveRequest, result: RemovalSummary },
  cancelRemove: {
    request: z.strictObject({ planId: PlanId }),
    result: z.strictObject({ cancelling: z.boolean(), message: z.string() }),
  },
  verify: { request: Empty, result: VerifyResult },
  checkReplacement: { request: Empty, result: ReplacementStatus },
  previewReceipt: { request: Empty, result: ReceiptPreview },
  exportReceipt: { request: ExportRequest, result: ExportResult },
  verifyReceipt: { request: VerifyReceiptRequest, result: ReceiptVerdict },
  readJournal: { request: JournalReadRequest, result: JournalView },
  verifyJournal: { request: Empty, result: z.strictObject({ file: z.string(), report: JournalReport }) },
  catalog: { request: Empty, result: CatalogView },
  getSettings: { request: Empty, result: Settings },
  setSettings: { request: Settings.partial().strict(), result: Settings },
} satisfies { [K in keyof typeof METHODS]: { request: z.ZodType; result: z.ZodType } };

/** The payload schema of each event. */
export const EVENT_SCHEMAS = {
  onScanProgress: ScanProgress,
  onRemoveProgress: RemoveProgress,
  onNavigate: z.strictObject({ screen: Screen }),
} satisfies { [K in keyof typeof EVENTS]: z.ZodType };

/** A method's name (`scan`, `exportReceipt`...). */
export type MethodName = keyof typeof METHODS;
/** An event listener's name (`onScanProgress`...). */
export type EventName = keyof typeof EVENTS;
/** What a method accepts (the schema's input: defaults may be left out). */
export type MethodRequest<K extends MethodName> = z.input<(typeof CONTRACT)[K]['request']>;
/** What a handler receives after validation. */
export type ParsedRequest<K extends MethodName> = z.output<(typeof CONTRACT)[K]['request']>;
/** What a method resolves to on success. */
export type MethodResult<K extends MethodName> = z.output<(typeof CONTRACT)[K]['result']>;
/** An event's payload. */
export type EventPayload<K extends EventName> = z.output<(typeof EVENT_SCHEMAS)[K]>;

/**
 * `window.divest`: one function per method, one listener per event.
 *
 * Listeners return their unsubscribe function.
 */
export type DivestApi = {
  readonly [K in MethodName]: (request?: MethodRequest<K>) => Promise<Result<MethodResult<K>>>;
} & {
  readonly [E in EventName]: (listener: (payload: EventPayload<E>) => void) => () => void;
};

/** The channel of a method (for transports). */
export function channelOf(method: MethodName): string {
  return METHODS[method];
}
