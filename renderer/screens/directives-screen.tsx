/**
 * The directive library: the risk context, readable without any finding. Directives are grouped by
 * jurisdiction (the United States, Australia, Italy... and states such as New Hampshire), each
 * marked binding or guidance, and those of jurisdictions the machine's setting leaves out are said
 * to be so (never hidden). For each directive, plain language first (what it means for the person
 * at this machine), then who issued it, whom it binds, what it requires, its deadlines as a
 * timeline, the vendors it names, its reasons and history, and the sources, with every claim
 * numbered to its source and every UNCONFIRMED claim marked with the reason. Sources are shown as
 * text (title, publisher note, address): Divest works offline and opens nothing.
 */
import { Button, Tag } from '@trussworks/react-uswds';
import type { CatalogView } from '../../core/api';
import type { Directive } from '../../core/api';
import { EmptyState, ErrorAlert, ScreenHeading, Sourced } from '../components/common';
import { appliesHere, parseJurisdictions } from '../components/jurisdiction-setting';
import { useStore } from '../store';

const KIND_WORDS: Record<Directive['kind'], string> = {
  directive: 'Directive',
  statute: 'Statute',
  regulation: 'Regulation',
  listing: 'Listing',
  determination: 'Final determination',
  guidance: 'Guidance',
};

/** Every reference a directive cites, in the order the page shows them. */
export function citationOrder(d: Directive): string[] {
  const order: string[] = [];
  const add = (refs: readonly string[]): void => {
    for (const r of refs) if (!order.includes(r)) order.push(r);
  };
  add(d.summary.refs);
  add(d.issuer.refs);
  add(d.issued.refs);
  if (d.effective) add(d.effective.refs);
  for (const list of [
    d.binds,
    d.requires,
    d.deadlines,
    d.covers,
    d.scope,
    d.exclusions,
    d.reasons,
    d.history,
  ])
    for (const f of list) add(f.refs);
  add(d.refs);
  return order;
}

function formatDate(date: string): string {
  const [y, m, day] = date.split('-');
  const months = [
    'January',
    'February',
    'March',
    'April',
    'May',
    'June',
    'July',
    'August',
    'September',
    'October',
    'November',
    'December',
  ];
  const month = months[Number(m) - 1] ?? m;
  return day ? `${Number(day)} ${month} ${y}` : `${month} ${y}`;
}

/** Binding or guidance, with the default for catalogs that do not say (as the engine decides). */
export function forceOf(d: Pick<Directive, 'force' | 'kind'>): 'binding' | 'guidance' {
  return d.force ?? (d.kind === 'guidance' ? 'guidance' : 'binding');
}

/** The directives grouped by jurisdiction, in the order the catalog first names each one. */
export function byJurisdiction(
  directives: readonly Directive[],
): { code: string; name: string; directives: Directive[] }[] {
  const groups = new Map<string, { code: string; name: string; directives: Directive[] }>();
  for (const d of directives) {
    const code = d.region?.code ?? '';
    const g = groups.get(code) ?? { code, name: d.region?.name ?? 'No jurisdiction given', directives: [] };
    g.directives.push(d);
    groups.set(code, g);
  }
  return [...groups.values()];
}

function DirectiveView({ d, catalog, applies }: { d: Directive; catalog: CatalogView; applies: boolean }) {
  const order = citationOrder(d);
  const cite = (id: string): number => order.indexOf(id) + 1;
  const refs = order.map((id) => catalog.references.find((r) => r.id === id) ?? { id, title: id });
  const timeline = [
    { key: 'issued', date: d.issued.date, label: 'Issued', fact: d.issued },
    ...(d.effective
      ? [{ key: 'effective', date: d.effective.date, label: 'In force', fact: d.effective }]
      : []),
    ...d.deadlines.map((x) => ({
      key: x.id,
      date: x.date ?? null,
      label: x.dayOffset !== undefined ? `${x.label} (day ${x.dayOffset})` : x.label,
      fact: x,
    })),
  ].sort((a, b) => (a.date ?? '9999').localeCompare(b.date ?? '9999'));
  const products = catalog.products.filter((p) => p.directives.includes(d.id));
  return (
    <article aria-labelledby={`directive-${d.id}`} className="directive">
      <h2 id={`directive-${d.id}`}>
        {d.shortName}: {d.title}
      </h2>
      <p className="directive-meta">
        {forceOf(d) === 'binding' ? (
          <Tag className="bg-secondary-dark">Binding</Tag>
        ) : (
          <Tag className="bg-base-dark">Guidance, not binding</Tag>
        )}{' '}
        <Tag className="bg-primary-dark">{KIND_WORDS[d.kind]}</Tag>{' '}
        {d.region ? (
          <span className="jurisdiction-code" title={d.region.name}>
            {d.region.code}
          </span>
        ) : null}{' '}
        {d.identifier} · {d.jurisdiction}
      </p>
      {applies ? null : (
        <p className="usa-alert usa-alert--info usa-alert--slim usa-alert--no-icon not-applied">
          <span className="usa-alert__body">
            {d.region?.name ?? 'This jurisdiction'} is not among the jurisdictions set for this machine
            (Settings). Findings still name this directive, under &ldquo;In jurisdictions not applied to this
            machine&rdquo;.
          </span>
        </p>
      )}
      <div className="usa-summary-box" role="region" aria-label="In plain language">
        <h3 className="usa-summary-box__heading">In plain language</h3>
        <p className="usa-summary-box__text">
          <Sourced fact={d.summary} cite={cite} />
        </p>
      </div>
      <h3>Who issued it</h3>
      <p>
        <Sourced fact={d.issuer} cite={cite} />
      </p>
      <h3>Whom it binds</h3>
      <ul className="usa-list">
        {d.binds.map((f, i) => (
          <li key={i}>
            <Sourced fact={f} cite={cite} />
          </li>
        ))}
      </ul>
      <h3>What it requires</h3>
      <ul className="usa-list">
        {d.requires.map((f, i) => (
          <li key={i}>
            <Sourced fact={f} cite={cite} />
          </li>
        ))}
      </ul>
      <h3>Deadlines</h3>
      <ol className="usa-process-list timeline" aria-label={`Timeline of ${d.shortName}`}>
        {timeline.map((t) => (
          <li key={t.key} className="usa-process-list__item">
            <h4 className="usa-process-list__heading">
              {t.date ? <time dateTime={t.date}>{formatDate(t.date)}</time> : 'Date not fixed'}: {t.label}
            </h4>
            <p className="margin-top-05">
              <Sourced fact={t.fact} cite={cite} />
            </p>
          </li>
        ))}
      </ol>
      {d.covers.length ? (
        <>
          <h3>Vendors it names</h3>
          <ul className="usa-list">
            {d.covers.map((c, i) => (
              <li key={i}>
                <strong>{c.name}</strong>
                {c.vendor ? null : <span className="text-base-dark"> (not detected by Divest)</span>}:{' '}
                <Sourced fact={c} cite={cite} />
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <h3>What it covers</h3>
      <ul className="usa-list">
        {d.scope.map((f, i) => (
          <li key={i}>
            <Sourced fact={f} cite={cite} />
          </li>
        ))}
      </ul>
      {d.exclusions.length ? (
        <>
          <h3>What it does not cover</h3>
          <ul className="usa-list">
            {d.exclusions.map((f, i) => (
              <li key={i}>
                <Sourced fact={f} cite={cite} />
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <h3>Why</h3>
      <ul className="usa-list">
        {d.reasons.map((f, i) => (
          <li key={i}>
            <Sourced fact={f} cite={cite} />
          </li>
        ))}
      </ul>
      {d.history.length ? (
        <>
          <h3>History</h3>
          <ol className="usa-process-list timeline" aria-label={`History of ${d.shortName}`}>
            {[...d.history]
              .sort((a, b) => a.date.localeCompare(b.date))
              .map((h, i) => (
                <li key={i} className="usa-process-list__item">
                  <h4 className="usa-process-list__heading">
                    <time dateTime={h.date}>{formatDate(h.date)}</time>
                  </h4>
                  <p className="margin-top-05">
                    <Sourced fact={h} cite={cite} />
                  </p>
                </li>
              ))}
          </ol>
        </>
      ) : null}
      {products.length ? (
        <>
          <h3>Products in the catalog it covers</h3>
          <ul className="usa-list">
            {products.map((p) => (
              <li key={p.id}>{p.name}</li>
            ))}
          </ul>
        </>
      ) : null}
      <h3 id={`sources-${d.id}`}>Sources</h3>
      <ol className="sources" aria-labelledby={`sources-${d.id}`}>
        {refs.map((r) => (
          <li key={r.id} id={`ref-${r.id}`}>
            <span className="source-title">{r.title}</span>
            {'note' in r && r.note ? <span className="text-base-dark">. {r.note}</span> : null}
            {'url' in r && r.url ? (
              <>
                <br />
                <span className="source-url">{r.url}</span>
              </>
            ) : null}
          </li>
        ))}
      </ol>
    </article>
  );
}

/** The Directive library screen. */
export function DirectivesScreen() {
  const { state, navigate } = useStore();
  const catalog = state.catalog.value;
  if (state.catalog.error) {
    return (
      <>
        <ScreenHeading>Directive library</ScreenHeading>
        <ErrorAlert error={state.catalog.error} />
      </>
    );
  }
  if (!catalog)
    return (
      <>
        <ScreenHeading>Directive library</ScreenHeading>
        <EmptyState title="Loading the catalog">
          <p>The directives are read from the catalog shipped with Divest.</p>
        </EmptyState>
      </>
    );
  const selected = catalog.directives.find((d) => d.id === state.directiveId) ?? catalog.directives[0];
  const setting = parseJurisdictions(state.settings?.jurisdictions ?? '');
  return (
    <>
      <ScreenHeading
        lead={`Why these products are banned, by whom, and by when. Catalog ${catalog.version}; every claim is numbered to its source, and claims the research could not confirm are marked UNCONFIRMED.`}
      >
        Directive library
      </ScreenHeading>
      <nav aria-label="Directives by jurisdiction" className="directive-picker">
        {byJurisdiction(catalog.directives).map((g) => {
          const labelId = `jurisdiction-${g.code || 'none'}`;
          const applies = g.directives.some((d) => appliesHere(d, setting));
          return (
            <div key={g.code} className="directive-group">
              <p id={labelId} className="directive-group__label">
                {g.name}
                {g.code ? <span className="jurisdiction-code">{g.code}</span> : null}
                {applies ? null : <span className="text-base-dark"> · not applied to this machine</span>}
              </p>
              <ul className="usa-button-group" aria-labelledby={labelId}>
                {g.directives.map((d) => (
                  <li key={d.id} className="usa-button-group__item">
                    <Button
                      type="button"
                      outline={d.id !== selected?.id}
                      aria-current={d.id === selected?.id ? 'page' : undefined}
                      onClick={() => navigate('directives', d.id)}
                    >
                      {d.shortName}
                      {forceOf(d) === 'guidance' ? (
                        <span className="directive-force"> · guidance</span>
                      ) : null}
                    </Button>
                  </li>
                ))}
              </ul>
            </div>
          );
        })}
      </nav>
      {selected ? (
        <DirectiveView
          key={selected.id}
          d={selected}
          catalog={catalog}
          applies={appliesHere(selected, setting)}
        />
      ) : null}
    </>
  );
}
