/**
 * `divest log verify --receipt FILE`: does this machine's journal still hold what a receipt
 * anchored? A receipt records the journal's length and the hash of its last valid line when it was
 * signed; an auditor on site checks that the same line, with the same hash, is still there and that
 * the chain up to it is unbroken. A journal rewritten from scratch, truncated, or replaced by
 * another machine's fails here even when its own chain is consistent.
 */
import { GENESIS_HASH } from '../journal/journal';
import { verifyReceipt, type VerifyReceiptOptions } from '../receipt/verify';
import type { Workspace } from './workspace';

export type AnchorResult =
  /** The anchored line is there, the chain up to it is intact. */
  | 'matches'
  /** The receipt cannot be read or its signature does not hold: its anchor proves nothing. */
  | 'receipt-invalid'
  /** No line of the journal has the anchored hash: rewritten, truncated or another journal. */
  | 'not-found'
  /** The anchored hash is there but at another line than the receipt says. */
  | 'moved'
  /** The anchored line is there, but the chain up to it is broken. */
  | 'damaged';

export interface JournalAnchorCheck {
  result: AnchorResult;
  /** One sentence for a person. */
  sentence: string;
  receipt: {
    id: string | null;
    issuedAt: string | null;
    hostname: string | null;
    signature: 'pinned' | 'self-asserted' | 'invalid';
    anchor: { length: number; headHash: string; intactAtIssue: boolean } | null;
  };
  journal: {
    file: string;
    length: number;
    intact: boolean;
    /** Line holding the anchored hash, if any. */
    anchoredLine: number | null;
    /** Lines written after the anchored one. */
    laterLines: number;
    /** Chain problems at or before the anchored line. */
    problemsBefore: { line: number; message: string }[];
  };
}

/** Checks the workspace's journal against the anchor in `receiptText`. */
export async function checkJournalAnchor(
  ws: Workspace,
  receiptText: string,
  options: VerifyReceiptOptions = {},
): Promise<JournalAnchorCheck> {
  const v = verifyReceipt(receiptText, options);
  const r = v.receipt;
  const signature = !v.valid ? 'invalid' : v.signature.trust === 'pinned' ? 'pinned' : 'self-asserted';
  const anchor = r
    ? { length: r.journal.length, headHash: r.journal.headHash, intactAtIssue: r.journal.intact }
    : null;
  const { events, setAside, report } = await ws.journal.read();
  const lines = new Map<string, number>();
  for (const e of [...events, ...setAside]) if (!lines.has(e.hash)) lines.set(e.hash, e.line);
  const base = {
    receipt: {
      id: r?.id ?? null,
      issuedAt: r?.issuedAt ?? null,
      hostname: r?.host.hostname ?? null,
      signature,
      anchor,
    },
  } as const;
  const journal = (anchoredLine: number | null): JournalAnchorCheck['journal'] => ({
    file: ws.journal.file,
    length: report.length,
    intact: report.intact,
    anchoredLine,
    laterLines: anchoredLine === null ? 0 : Math.max(0, report.length - anchoredLine),
    problemsBefore: report.problems
      .filter((p) => anchoredLine !== null && p.line <= anchoredLine)
      .map((p) => ({ line: p.line, message: p.message })),
  });
  if (!r || signature === 'invalid' || !anchor)
    return {
      ...base,
      result: 'receipt-invalid',
      sentence: `The receipt does not verify (${v.problems[0] ?? 'unreadable'}), so its journal anchor proves nothing.`,
      journal: journal(null),
    };
  if (anchor.headHash === GENESIS_HASH)
    return {
      ...base,
      result: 'matches',
      sentence: 'The receipt was signed over an empty journal: there is no line to find.',
      journal: journal(0),
    };
  const at = lines.get(anchor.headHash) ?? null;
  if (at === null)
    return {
      ...base,
      result: 'not-found',
      sentence: `No line of ${ws.journal.file} has the hash the receipt anchored (${anchor.headHash.slice(0, 16)}…, line ${anchor.length}): this journal was rewritten, cut short, or is not the one the receipt was made from.`,
      journal: journal(null),
    };
  const j = journal(at);
  // A receipt of a damaged journal anchors its last valid line, which may sit before `length`.
  if (at !== anchor.length && anchor.intactAtIssue)
    return {
      ...base,
      result: 'moved',
      sentence: `The anchored line is at line ${at}, not at line ${anchor.length} as the receipt says: lines before it were added or removed.`,
      journal: j,
    };
  if (j.problemsBefore.length)
    return {
      ...base,
      result: 'damaged',
      sentence: `The anchored line ${at} is there, but the chain up to it is broken (line ${j.problemsBefore[0]?.line ?? '?'}: ${j.problemsBefore[0]?.message ?? ''}).`,
      journal: j,
    };
  return {
    ...base,
    result: 'matches',
    sentence: `The journal holds the line the receipt anchored (line ${at}) and the chain up to it is intact${j.laterLines ? `; ${j.laterLines} line(s) were written after it` : ''}.${signature === 'self-asserted' ? " The receipt's key is only self-asserted: pin it with --fingerprint." : ''}`,
    journal: j,
  };
}
