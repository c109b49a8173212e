import { monolingual, pick, useI18n } from './i18n.tsx';
import type { GradeReport, RunReport, SandboxFailure, TraceEvent } from './types.ts';

/** Trace rows rendered at most (the full trace can have thousands of events). */
export const MAX_TRACE_ROWS = 500;

function formatTime(t: number): string {
  return `${Number.isInteger(t) ? t : t.toFixed(1)} ms`;
}

function details(e: TraceEvent): string {
  const parts: string[] = [];
  if (e.peer) parts.push(`→ ${e.peer}`);
  if (e.data !== undefined && e.data !== null) {
    const d = e.data as Record<string, unknown>;
    if (e.kind === 'log' && typeof d === 'object' && typeof d.message === 'string') parts.push(d.message);
    else {
      let json = JSON.stringify(e.data);
      if (json.length > 220) json = `${json.slice(0, 217)}…`;
      parts.push(json);
    }
  }
  return parts.join(' ');
}

/** A check's informational evidence (CheckSpec.observe): one paragraph per line, never scored. */
function Observation(props: { text: string }) {
  const { t } = useI18n();
  return (
    <div className="check-observation" data-testid="observation">
      <span className="muted">{t.observed}:</span>
      {props.text.split('\n').map((line, i) => (
        <p key={i}>{line}</p>
      ))}
    </div>
  );
}

export function FailureView(props: { failure: SandboxFailure }) {
  const { t, lang } = useI18n();
  const { failure } = props;
  if (failure.kind === 'compile') {
    return (
      <div className="banner banner-error" role="alert" data-testid="diagnostics">
        <strong>{t.compileErrors}</strong>
        <ul>
          {failure.diagnostics.map((d, i) => (
            <li key={i}>
              <code>
                {d.line}:{d.column}
              </code>{' '}
              {d.message}
            </li>
          ))}
        </ul>
      </div>
    );
  }
  return (
    <p className="banner banner-error" role="alert" data-testid="sandbox-error">
      {failure.kind === 'timeout' ? `${t.timeoutMessage} ` : ''}
      {pick(failure.message, lang)}
    </p>
  );
}

export function TraceTable(props: { trace: TraceEvent[]; total?: number }) {
  const { t } = useI18n();
  const shown = props.trace.slice(0, MAX_TRACE_ROWS);
  const total = props.total ?? props.trace.length;
  return (
    <>
      {total > shown.length && <p className="muted">{t.traceTruncated(shown.length, total)}</p>}
      <div className="table-scroll" tabIndex={0} role="region" aria-label={t.trace}>
        <table className="trace-table" data-testid="trace">
          <thead>
            <tr>
              <th scope="col">{t.colTime}</th>
              <th scope="col">{t.colService}</th>
              <th scope="col">{t.colKind}</th>
              <th scope="col">{t.colDetails}</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((e) => (
              <tr key={e.id} className={`kind-${e.kind}`}>
                <td className="num">{formatTime(e.t)}</td>
                <td>{e.service ?? ''}</td>
                <td>
                  <span className="kind">{e.kind}</span>
                </td>
                <td className="details">{details(e)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

export function RunView(props: { report: RunReport; title?: string; closeHref?: string }) {
  const { t, lang } = useI18n();
  const { report } = props;
  const allPassed = report.checks.every((c) => c.passed);
  return (
    <div className="run-view" data-testid="run-result" data-passed={String(allPassed)}>
      {props.title && (
        <div className="replay-head">
          <strong data-testid="replay-title">{props.title}</strong>
          {props.closeHref && <a href={props.closeHref}>{t.closeReplay}</a>}
        </div>
      )}
      <p className="run-summary" data-testid="run-summary">
        {t.runSummary(t.reasons[report.reason] ?? report.reason, report.now, report.events)}
      </p>
      {report.problems.length > 0 && (
        <div className="banner banner-error" role="alert" data-testid="problems">
          <strong>{t.problems}</strong>
          <ul>
            {report.problems.map((p, i) => (
              <li key={i}>
                {p.service ? `${p.service}: ` : ''}
                {monolingual(p.message, lang)}
              </li>
            ))}
          </ul>
        </div>
      )}
      {report.checks.length > 0 && (
        <section>
          <h3>{t.verdicts}</h3>
          <ul className="checks compact">
            {report.checks.map((c) => (
              <li key={c.id} className={c.passed ? 'ok' : 'bad'} data-check-id={c.id} data-passed={String(c.passed)}>
                <span className="check-mark" role="img" aria-label={c.passed ? t.passed : t.failed}>
                  {c.passed ? '✓' : '✗'}
                </span>
                <div className="check-body">
                  <div className="check-title">{pick(c.title, lang)}</div>
                  {c.message && <p className="check-message">{monolingual(pick(c.message, lang), lang)}</p>}
                  {c.observation && <Observation text={pick(c.observation, lang)} />}
                </div>
              </li>
            ))}
          </ul>
        </section>
      )}
      <details className="faults">
        <summary>
          <h3>
            {t.faults} ({report.faults.length})
          </h3>
        </summary>
        {report.faults.length === 0 ? (
          <p className="muted">{t.noFaults}</p>
        ) : (
          <ul className="fault-list">
            {report.faults.map((f, i) => (
              <li key={i}>
                <code>{JSON.stringify(f)}</code>
              </li>
            ))}
          </ul>
        )}
      </details>
      <details open className="logs">
        <summary>
          <h3>
            {t.logs} ({report.logs.length})
          </h3>
        </summary>
        {report.logs.length === 0 ? (
          <p className="muted">{t.noLogs}</p>
        ) : (
          <ol className="log-list" data-testid="logs">
            {report.logs.map((l, i) => (
              <li key={i} className={`log-${l.level}`}>
                <span className="log-time">{formatTime(l.t)}</span>
                <span className="log-service">{l.service}</span>
                <span className="log-text">{l.message}</span>
              </li>
            ))}
          </ol>
        )}
      </details>
      <details open className="trace">
        <summary>
          <h3>
            {t.trace} ({t.traceEvents(report.events)})
          </h3>
        </summary>
        <TraceTable trace={report.trace} total={Math.max(report.trace.length, report.events)} />
      </details>
      <details className="state">
        <summary>
          <h3>{t.finalState}</h3>
        </summary>
        {Object.entries(report.state).map(([service, tables]) =>
          Object.entries(tables).map(([table, rows]) => (
            <div key={`${service}.${table}`} className="state-table">
              <h4>
                {service}.{table} ({rows.length})
              </h4>
              <pre>{rows.map((r) => JSON.stringify(r)).join('\n')}</pre>
            </div>
          )),
        )}
      </details>
    </div>
  );
}

export function GradeView(props: {
  report: GradeReport;
  replayHref(checkId: string, target: { seed: number } | { scenario: string }): string;
}) {
  const { t, lang } = useI18n();
  const { report } = props;
  const full = report.score >= report.maxScore && report.maxScore > 0;
  return (
    <div className="grade-view" data-testid="grade-result">
      <p className={`score ${full ? 'ok' : ''}`} data-testid="score">
        {t.score}: <strong>{t.scoreLine(report.score, report.maxScore)}</strong>
        <span className="level">
          {' '}
          · {t.levelReached}: {report.level ? t.levels[report.level] ?? report.level : t.noLevel}
        </span>
        <span className="muted"> · {t.seedsRun(report.seeds)}</span>
      </p>
      {report.problems.length > 0 && (
        <div className="banner banner-error" role="alert" data-testid="problems">
          <strong>{t.problems}</strong>
          <ul>
            {report.problems.map((p, i) => (
              <li key={i}>
                {p.service ? `${p.service}: ` : ''}
                {monolingual(p.message, lang)}
              </li>
            ))}
          </ul>
        </div>
      )}
      <ul className="checks" aria-label={t.results}>
        {report.checks.map((c) => (
          <li key={c.id} className={c.passed ? 'ok' : 'bad'} data-check-id={c.id} data-passed={String(c.passed)}>
            <span className="check-mark" role="img" aria-label={c.passed ? t.passed : t.failed}>
              {c.passed ? '✓' : '✗'}
            </span>
            <div className="check-body">
              <div className="check-title">
                <span>{pick(c.title, lang)}</span>
                <span className="check-points">
                  {c.earned} / {c.points} {t.points}
                </span>
              </div>
              {c.message && <p className="check-message">{monolingual(pick(c.message, lang), lang)}</p>}
              {c.observation && <Observation text={pick(c.observation, lang)} />}
              {!c.passed && c.failingSeed !== null && (
                <p className="check-seed">
                  <span data-testid="failing-seed">{t.failingSeed(c.failingSeed)}</span> ·{' '}
                  <a href={props.replayHref(c.id, { seed: c.failingSeed })} data-testid="replay-link">
                    {t.replaySeed}
                  </a>
                </p>
              )}
              {!c.passed && c.failingSeed === null && c.failingScenario && c.failingScenario !== 'random' && (
                <p className="check-seed">
                  <a href={props.replayHref(c.id, { scenario: c.failingScenario })} data-testid="replay-link">
                    {t.replayScenarioLink}
                  </a>
                </p>
              )}
            </div>
          </li>
        ))}
      </ul>
    </div>
  );
}
