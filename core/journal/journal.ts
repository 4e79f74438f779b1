/**
 * The journal: Divest's local, append-only, hash-chained record of what it saw and did, with a
 * schema for every event.
 *
 * The chain itself (fsync'd appends under a lock, damage named by line, `journal-break` events)
 * is the log's (`log.ts`, `chain.ts`). This layer adds the types: `append` accepts only the event
 * types of `core/model/events.ts` with their payload, validated before anything is written, and
 * `read` returns events parsed against the same map. A correctly chained line whose type is unknown
 * or whose payload does not fit is set aside with the reason: anyone who can write the data folder
 * can append such a line, so no reader ever casts a payload. Queries over the events live in
 * `history.ts`.
 */
import { dirname, join } from 'node:path';
import { checkDataDir } from '../data-dir';
import { DivestError } from '../errors';
import {
  EVENT_PAYLOADS,
  isEventType,
  type EventData,
  type EventInput,
  type EventType,
} from '../model/events';
import { issuesInOneLine } from '../validation';
import { openLog, type AppendOptions, type HashChainLog, type LogOptions, type VerifyReport } from './log';

export type { AppendOptions, JournalHead, JournalProblem, VerifyReport } from './log';
export { GENESIS_HASH } from './log';

/** The journal's file name inside the data dir: one name for the CLI and the app. */
export const JOURNAL_FILE_NAME = 'journal.jsonl';

/** The journal file of a data dir. */
export function journalPath(dataDir: string): string {
  return join(dataDir, JOURNAL_FILE_NAME);
}

/** One event read back, validated, with where it is in the file. */
export type Recorded<T extends EventType = EventType> = {
  [K in T]: { line: number; hash: string; seq: number; at: string; type: K; data: EventData<K> };
}[T];

/** A correctly chained line that is not one of Divest's events as they must be. */
export interface SetAside {
  line: number;
  hash: string;
  seq: number;
  at: string;
  type: string;
  reason: string;
}

/** Everything read in one pass: the valid events, the lines set aside, and the chain's report. */
export interface JournalRead {
  events: Recorded[];
  setAside: SetAside[];
  report: VerifyReport;
}

export interface Journal {
  readonly file: string;
  /**
   * Validates the payload against its type's schema and appends it. Throws `journal-secret`
   * (writing nothing) when the line would contain a secret.
   */
  append<T extends EventType>(
    type: T,
    data: EventInput<T>,
    options?: AppendOptions,
  ): Promise<{ seq: number; at: string }>;
  read(): Promise<JournalRead>;
  verify(): Promise<VerifyReport>;
  head(): Promise<{ seq: number; hash: string } | null>;
}

class TypedJournal implements Journal {
  readonly #log: HashChainLog;
  #folderChecked = false;

  constructor(log: HashChainLog) {
    this.#log = log;
  }

  get file(): string {
    return this.#log.file;
  }

  async append<T extends EventType>(
    type: T,
    data: EventInput<T>,
    options?: AppendOptions,
  ): Promise<{ seq: number; at: string }> {
    // A journal in a folder someone else controls could be rewritten under us: never append there.
    if (!this.#folderChecked) {
      checkDataDir(dirname(this.#log.file));
      this.#folderChecked = true;
    }
    const parsed = EVENT_PAYLOADS[type].safeParse(data);
    if (!parsed.success)
      throw new DivestError(
        'internal',
        `refused to write a "${type}" event that does not match its schema: ${issuesInOneLine(parsed.error.issues)}`,
      );
    const written = await this.#log.append(type, parsed.data as Record<string, unknown>, options);
    return { seq: written.seq, at: written.at };
  }

  async read(): Promise<JournalRead> {
    const { events, report } = await this.#log.readEvents();
    const out: Recorded[] = [];
    const setAside: SetAside[] = [];
    for (const { line, hash, event } of events) {
      const where = { line, hash, seq: event.seq, at: event.at, type: event.type };
      if (!isEventType(event.type)) {
        setAside.push({ ...where, reason: `"${event.type}" is not an event Divest writes` });
        continue;
      }
      const parsed = EVENT_PAYLOADS[event.type].safeParse(event.data);
      if (!parsed.success) {
        setAside.push({
          ...where,
          reason: `its data does not match the "${event.type}" event: ${issuesInOneLine(parsed.error.issues, 2)}`,
        });
        continue;
      }
      out.push({ line, hash, seq: event.seq, at: event.at, type: event.type, data: parsed.data } as Recorded);
    }
    return { events: out, setAside, report };
  }

  verify(): Promise<VerifyReport> {
    return this.#log.verify();
  }

  head(): Promise<{ seq: number; hash: string } | null> {
    return this.#log.head();
  }
}

/** Opens (lazily) the journal at `file`; nothing is read or created until it is used. */
export function openJournal(file: string, options: LogOptions = {}): Journal {
  return new TypedJournal(openLog(file, options));
}
