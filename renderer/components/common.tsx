/**
 * Small building blocks every screen uses: the screen heading (focused on arrival, so a screen
 * reader announces the new screen), the error alert, the empty state, a sourced claim with its
 * citations and UNCONFIRMED mark, and a command shown exactly as it will run.
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { Alert, AlertHeading, Button, Tag } from '@trussworks/react-uswds';
import type { ApiError } from '../../core/api';
import { ERROR_TITLES, divest } from '../api';
import { plainError } from '../words';

/** The screen's h1, focused when the screen opens. */
export function ScreenHeading({ children, lead }: { children: ReactNode; lead?: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, []);
  return (
    <header className="screen-header">
      <h1 ref={ref} tabIndex={-1} className="margin-top-0">
        {children}
      </h1>
      {lead ? <p className="usa-intro">{lead}</p> : null}
    </header>
  );
}

/** A USWDS alert with a heading and any content (the library's text part is a paragraph only). */
export function Notice({
  type,
  title,
  children,
  level = 'h2',
  slim,
  role,
  className,
}: {
  type: 'success' | 'warning' | 'error' | 'info' | 'emergency';
  title: ReactNode;
  children?: ReactNode;
  level?: 'h2' | 'h3' | 'h4';
  slim?: boolean;
  role?: 'alert' | 'status' | 'region';
  className?: string;
}) {
  return (
    <Alert type={type} slim={slim} role={role} className={className ?? 'margin-y-2'}>
      <AlertHeading level={level}>{title}</AlertHeading>
      {children ? <div className="usa-alert__text">{children}</div> : null}
    </Alert>
  );
}

/** An error from the engine, in words, with an optional retry. */
export function ErrorAlert({
  error,
  onRetry,
  retryLabel,
}: {
  error: ApiError;
  onRetry?: () => void;
  retryLabel?: string;
}) {
  return (
    <Notice type="error" title={ERROR_TITLES[error.code]} role="alert">
      <span className="display-block">{plainError(error).message}</span>
      {onRetry ? (
        <Button type="button" className="margin-top-1" onClick={onRetry}>
          {retryLabel ?? 'Try again'}
        </Button>
      ) : null}
    </Notice>
  );
}

/** What a screen shows before there is anything to show: why, and the one thing to do. */
export function EmptyState({
  title,
  children,
  action,
  onAction,
}: {
  title: string;
  children: ReactNode;
  action?: string;
  onAction?: () => void;
}) {
  return (
    <div className="empty-state usa-summary-box" role="region" aria-label={title}>
      <h2 className="usa-summary-box__heading">{title}</h2>
      <div className="usa-summary-box__text">{children}</div>
      {action && onAction ? (
        <Button type="button" className="margin-top-2" onClick={onAction}>
          {action}
        </Button>
      ) : null}
    </div>
  );
}

/** The UNCONFIRMED mark with its reason, readable by screen readers as a sentence. */
export function Unconfirmed({ reason }: { reason: string }) {
  return (
    <span className="unconfirmed">
      <Tag className="bg-gold text-ink">UNCONFIRMED</Tag>{' '}
      <span className="unconfirmed__reason">{reason}</span>
    </span>
  );
}

/** A claim with its sources (numbered citations into the page's source list). */
export function Sourced({
  fact,
  cite,
}: {
  fact: { text: string; refs: string[]; unconfirmed?: string };
  /** Citation numbers; without it the sources are not shown (they are in the directive library). */
  cite?: (refId: string) => number;
}) {
  return (
    <>
      {fact.text}
      {cite && fact.refs.length ? (
        <sup className="citations">
          {fact.refs.map((r) => (
            <a key={r} href={`#ref-${r}`} className="citation" aria-label={`source ${cite(r)}`}>
              [{cite(r)}]
            </a>
          ))}
        </sup>
      ) : null}
      {fact.unconfirmed ? (
        <>
          {' '}
          <Unconfirmed reason={fact.unconfirmed} />
        </>
      ) : null}
    </>
  );
}

/** A command exactly as it runs (display only). */
export function Command({ argv }: { argv: readonly string[] }) {
  const shown = argv.map((a) => (/^[A-Za-z0-9_./:=@%+,{}\\-]+$/.test(a) ? a : JSON.stringify(a))).join(' ');
  return <code className="command">{shown}</code>;
}

/** A date-time in UTC, the way receipts print it. */
export function formatTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** Copies a value (a path, a fingerprint, a command) to the clipboard, and says so beside it. */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [said, setSaid] = useState<string | null>(null);
  return (
    <span className="copy">
      <Button
        type="button"
        unstyled
        className="copy__button"
        onClick={() =>
          void divest()
            .copyText({ text })
            .then((r) => setSaid(r.ok ? 'Copied.' : `Not copied: ${r.error.message}`))
        }
      >
        Copy {label}
      </Button>
      <span role="status" className="copy__said">
        {said ?? ''}
      </span>
    </span>
  );
}

/**
 * A path with its Copy button. It wraps only where it must; the cells that hold paths keep a
 * sensible minimum width (styles.css), so a path never wraps four characters to a line.
 */
export function PathValue({ path, label = 'path' }: { path: string; label?: string }) {
  return (
    <span className="path-value">
      <code className="location">{path}</code> <CopyButton text={path} label={label} />
    </span>
  );
}
