/**
 * The app's contract: every use case the desktop UI needs, with a zod schema for each request,
 * each result and each event, and the result shape `{ ok: true, value } | { ok: false, error }`.
 *
 * Main validates every incoming request with these schemas before any side effect; the test
 * harness serves the same handlers over HTTP with the same schemas; the preload and the browser
 * bridge build `window.divest` from the method table below. It imports only `core/model/` and
 * `core/errors.ts` (plain data), so the sandboxed preload can bundle it. The renderer imports types
 * only, and only from here. Requests are single objects parsed with `strictObject`, so surplus
 * fields are refused rather than passed on; the renderer can name plan and step ids, never a
 * command or a path to run.
 */
import * as z from 'zod';
import { ERROR_CODES } from './errors';
import { Directive, Fact, ProductStatus, Reference, type Catalog } from './model/catalog';
import { PlanStatus, StepResult } from './model/execution';
import { HostOs } from './model/host';
import { PlanId, ProductId, StepId } from './model/ids';
import { Plan } from './model/plan';
import { UnsignedReceipt } from './model/receipt';
import { Attestation } from './model/attestation';
import { Verdict } from './model/verdict';
import { FieldProblem, HistoryView, RemoveProgress, ScanProgress, StatusView } from './model/app-views';
import { Finding, ScanResult } from './model/scan';
import { Leftover, ReplacementStatus } from './model/verify';

/** The engine's data shapes the UI shows, re-exported so the renderer imports from the contract only. */
export type { Attestation } from './model/attestation';
export type { Directive, Reference } from './model/catalog';
export type { PlanStatus, StepOutcome, StepResult } from './model/execution';
export type { Advice, Plan, PlanStep } from './model/plan';
export type { Evidence, Finding, ScanResult } from './model/scan';
export type { Leftover, ReplacementStatus } from './model/verify';
export type { Verdict, VerdictState } from './model/verdict';
export type {
  FieldProblem,
  FlowProgress,
  HistoryView,
  OpenRemovalView,
  ReceiptRecord,
  SessionView,
  StatusView,
} from './model/app-views';
export { RemoveProgress, ScanProgress } from './model/app-views';

/**
 * Request/response methods: API name to channel (`noun:verb`).
 *
 * Each takes one object (validated with `.strict()` zod schemas in main) and resolves to a
 * `Result`, never a rejection.
 */
export const METHODS = {
  appInfo: 'app:info',
  scan: 'scan:run',
  plan: 'plan:make',
  remove: 'remove:start',
  cancelRemove: 'remove:cancel',
  stopRemoveNow: 'remove:stop-now',
  status: 'status:get',
  history: 'history:get',
  verify: 'verify:run',
  checkReplacement: 'replacement:check',
  previewReceipt: 'receipt:preview',
  exportReceipt: 'receipt:export',
  verifyReceipt: 'receipt:verify',
  readJournal: 'journal:read',
  verifyJournal: 'journal:verify',
  catalog: 'catalog:get',
  getSettings: 'settings:get',
  setSettings: 'settings:set',
  checkSettings: 'settings:check',
  chooseFile: 'dialog:choose',
  openFolder: 'folder:open',
  copyText: 'clipboard:copy',
} as const;

/**
 * Events from main to the UI: API listener name to channel.
 *
 * Listeners get the payload only (never the transport's event object) and return an unsubscribe.
 */
export const EVENTS = {
  onScanProgress: 'scan:progress',
  onRemoveProgress: 'remove:progress',
  onNavigate: 'app:navigate',
} as const;

/**
 * Stable error codes the UI maps to its own words.
 *
 * `transport` is produced by the bridge itself when the other side cannot be reached.
 */
export const ErrorCode = z.enum(ERROR_CODES);
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
  'audit',
  'history',
  'log',
  'settings',
]);
/** See {@link Screen}. */
export type Screen = z.infer<typeof Screen>;

/** Jurisdiction codes (ISO 3166-1 alpha-2 or ISO 3166-2) separated by commas, or empty (all). */
const JURISDICTIONS_RE = /^([A-Z]{2}(-[A-Z0-9]{1,3})?(,[A-Z]{2}(-[A-Z0-9]{1,3})?)*)?$/;

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
  /** Page size of exported PDF receipts: US Letter by default, A4 as a setting. */
  paperSize: z.enum(['letter', 'a4']),
  /**
   * The jurisdictions that govern this machine, as codes ("US,AU"); empty means all. Findings show
   * which directives apply here and which belong elsewhere; nothing is hidden.
   */
  jurisdictions: z
    .string()
    .max(400)
    .regex(JURISDICTIONS_RE, 'must be jurisdiction codes separated by commas, e.g. "US,AU"')
    .default(''),
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
  paperSize: 'letter',
  jurisdictions: '',
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
  os: HostOs,
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

/** `plan:make`: scan and plan (or find the unfinished plan to continue). */
export const PlanRequest = z.strictObject({
  only: z.array(ProductId).max(100).optional(),
  /** Set the unfinished plan aside (journaled) and plan afresh ("Make a new plan"). */
  newPlan: z.boolean().optional(),
});

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

/** What `remove:start` resolves to once the plan ran, was verified and the replacement checked. */
export const RemovalSummary = z.strictObject({
  planId: z.string(),
  status: PlanStatus,
  resumed: z.boolean(),
  results: z.array(StepResult),
  remaining: z.array(z.string()),
  after: ScanResult,
  leftovers: z.array(Leftover),
  replacement: ReplacementStatus,
  stillInstalled: z.array(z.string()),
  /** Where the machine stands now (the one verdict). */
  verdict: Verdict,
  /** As the CLI: 0 removed and protected, 20 restart needed, 30 not done, 40 done but unprotected. */
  exitCode: z.union([z.literal(0), z.literal(20), z.literal(30), z.literal(40)]),
});
/** See {@link RemovalSummary}. */
export type RemovalSummary = z.infer<typeof RemovalSummary>;

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

/** The verdict on a receipt file: the signature, and what it attests (two answers, never merged). */
export const ReceiptVerdict = z.strictObject({
  valid: z.boolean(),
  signature: z.strictObject({
    valid: z.boolean(),
    /** `pinned`: the expected key; `self-asserted`: no key was expected; `other-key`: not the expected one. */
    trust: z.enum(['pinned', 'self-asserted', 'other-key']).nullable(),
    fingerprint: z.string().nullable(),
  }),
  problems: z.array(z.string()),
  fingerprint: z.string().nullable(),
  attests: Attestation.nullable(),
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
  status: ProductStatus,
  statusReason: Fact,
  description: Fact,
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
export function toCatalogView(c: { catalog: Catalog; origin: string; sha256: string }): CatalogView {
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
  stopRemoveNow: {
    request: z.strictObject({ planId: PlanId }),
    result: z.strictObject({ stopping: z.boolean(), message: z.string() }),
  },
  status: { request: Empty, result: StatusView },
  history: { request: Empty, result: HistoryView },
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
  checkSettings: {
    request: Settings.partial().strict(),
    result: z.strictObject({ problems: z.array(FieldProblem) }),
  },
  chooseFile: {
    request: z.strictObject({ purpose: z.enum(['catalog', 'export-folder']) }),
    result: z.strictObject({ path: z.string().nullable() }),
  },
  openFolder: {
    request: z.strictObject({ which: z.enum(['export-folder', 'data-folder']) }),
    result: z.strictObject({ opened: z.boolean(), path: z.string(), message: z.string() }),
  },
  copyText: {
    request: z.strictObject({ text: z.string().min(1).max(100_000) }),
    result: z.strictObject({ copied: z.boolean() }),
  },
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

/**
 * What a transport must do: call a channel, and subscribe to an event channel.
 *
 * Electron's preload implements it with `ipcRenderer`; the browser test bridge with fetch and
 * server-sent events. Both hand it to {@link createDivestApi}.
 */
export interface Transport {
  invoke(channel: string, request: unknown): Promise<unknown>;
  subscribe(channel: string, listener: (payload: unknown) => void): () => void;
}

function isResult(value: unknown): value is Result<unknown> {
  return typeof value === 'object' && value !== null && 'ok' in value && typeof value.ok === 'boolean';
}

/**
 * Builds `window.divest` from a transport: one function per method, one `on…` per event.
 *
 * A transport failure (the main process gone, the harness stopped) becomes an `ok: false` result
 * with code `transport`, so the UI has one error path.
 */
export function createDivestApi(transport: Transport): DivestApi {
  const api: Record<string, unknown> = {};
  for (const [name, channel] of Object.entries(METHODS)) {
    api[name] = async (request: unknown = {}): Promise<Result<unknown>> => {
      try {
        const r = await transport.invoke(channel, request);
        if (isResult(r)) return r;
        return { ok: false, error: { code: 'transport', message: 'The answer was not a result.' } };
      } catch (e) {
        return {
          ok: false,
          error: { code: 'transport', message: e instanceof Error ? e.message : String(e) },
        };
      }
    };
  }
  for (const [name, channel] of Object.entries(EVENTS)) {
    api[name] = (listener: (payload: unknown) => void): (() => void) => {
      if (typeof listener !== 'function') throw new TypeError(`${name} needs a function`);
      return transport.subscribe(channel, (payload) => listener(payload));
    };
  }
  return Object.freeze(api) as unknown as DivestApi;
}

/**
 * The method name a channel belongs to, if any.
 *
 * Used by transports that receive a channel name from outside (the harness's HTTP path).
 */
export function methodOfChannel(channel: string): MethodName | undefined {
  for (const [name, c] of Object.entries(METHODS)) if (c === channel) return name as MethodName;
  return undefined;
}
