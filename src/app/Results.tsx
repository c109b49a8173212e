import { pick, useI18n } from './i18n.tsx';
import type { Diagnostic, GradeReport, RunResult } from './types.ts';

/** Trace rows rendered at most (the full trace can have tens of thousands of events). */
export const MAX_TRACE_ROWS = 400;

function formatTime(t: number): string {
  return `${Number.isInteger(t) ? t : t.toFixed(1)} ms`;
}

function Diagnostics(props: { diagnostics: Diagnostic[] }) {
  const { t } = useI18n();
  return (
    <div className="banner banner-error" role="alert" data-testid="diagnostics">
      <strong>{t.compileErrors}</strong>
      <ul>
        {props.diagnostics.map((d, i) => (
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

export function RunView(props: { run: RunResult; title?: string; closeHref?: string; checkTitle(id: string): string }) {
  const { t, lang } = useI18n();
  const { run } = props;
  const shown = run.trace.slice(0, MAX_TRACE_ROWS);
  return (
    <div className="run-view" data-testid="run-result" data-passed={String(run.passed)}>
      {props.title && (
        <div className="replay-head">
          <strong data-testid="replay-title">{props.title}</strong>
          {props.closeHref && <a href={props.closeHref}>{t.closeReplay}</a>}
        </div>
      )}
      {run.sandboxError && (
        <p className="banner banner-error" role="alert" data-testid="sandbox-error">
          {pick(run.sandboxError, lang)}
        </p>
      )}
      {run.diagnostics && run.diagnostics.length > 0 && <Diagnostics diagnostics={run.diagnostics} />}
      {!run.sandboxError && !(run.diagnostics && run.diagnostics.length) && (
        <p className={`outcome ${run.passed ? 'ok' : 'bad'}`} data-testid="run-outcome">
          <span aria-hidden="true">{run.passed ? '✓' : '✗'}</span> {props.checkTitle(run.checkId)} · {t.seed} {run.seed}:{' '}
          {pick(run.outcome, lang)}
        </p>
      )}
      <details open className="logs">
        <summary>
          <h3>
            {t.logs} ({run.logs.length})
          </h3>
        </summary>
        {run.logs.length === 0 ? (
          <p className="muted">{t.noLogs}</p>
        ) : (
          <ol className="log-list" data-testid="logs">
            {run.logs.map((l, i) => (
              <li key={i} className={`log-${l.level}`}>
                <span className="log-time">{formatTime(l.t)}</span>
                <span className="log-service">{l.service}</span>
                <span className="log-text">{l.text}</span>
              </li>
            ))}
          </ol>
        )}
      </details>
      <details open className="trace">
        <summary>
          <h3>
            {t.trace} ({t.traceEvents(run.trace.length)})
          </h3>
        </summary>
        {run.trace.length > shown.length && <p className="muted">{t.traceTruncated(shown.length, run.trace.length)}</p>}
        <div className="table-scroll" tabIndex={0} aria-label={t.trace}>
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
                  <td>{e.service}</td>
                  <td>
                    <span className="kind">{e.kind}</span>
                  </td>
                  <td className="details">{e.details}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </div>
  );
}

export function GradeView(props: { report: GradeReport; replayHref(checkId: string, seed: number): string }) {
  const { t, lang } = useI18n();
  const { report } = props;
  const full = report.score >= report.maxScore && report.maxScore > 0;
  return (
    <div className="grade-view" data-testid="grade-result">
      <p className={`score ${full ? 'ok' : ''}`} data-testid="score">
        {t.score}: <strong>{t.scoreLine(report.score, report.maxScore)}</strong>
        {report.level && (
          <span className="level">
            {' '}
            · {t.levelLabel}: {pick(report.level, lang)}
          </span>
        )}
      </p>
      {report.sandboxError && (
        <p className="banner banner-error" role="alert" data-testid="sandbox-error">
          {pick(report.sandboxError, lang)}
        </p>
      )}
      {report.diagnostics && report.diagnostics.length > 0 && <Diagnostics diagnostics={report.diagnostics} />}
      <ul className="checks" aria-label={t.results}>
        {report.checks.map((c) => (
          <li key={c.checkId} className={c.passed ? 'ok' : 'bad'} data-check-id={c.checkId} data-passed={String(c.passed)}>
            <span className="check-mark" aria-label={c.passed ? t.passed : t.failed} role="img">
              {c.passed ? '✓' : '✗'}
            </span>
            <div className="check-body">
              <div className="check-title">
                <span>{pick(c.title, lang)}</span>
                <span className="check-points">
                  {c.points} / {c.maxPoints} {t.points}
                </span>
              </div>
              {c.message && <p className="check-message">{pick(c.message, lang)}</p>}
              {c.failingSeed !== undefined && (
                <p className="check-seed">
                  <span data-testid="failing-seed">{t.failingSeed(c.failingSeed)}</span> ·{' '}
                  <a href={props.replayHref(c.checkId, c.failingSeed)} data-testid="replay-link">
                    {t.replaySeed}
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
