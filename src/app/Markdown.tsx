import { marked } from 'marked';
import { useMemo } from 'react';

marked.setOptions({ gfm: true, breaks: false });

/** Renders an exercise statement. Statements come from our own repository (bundled), not from users. */
export function Markdown(props: { source: string; lang: string; className?: string }) {
  const html = useMemo(() => marked.parse(props.source, { async: false }), [props.source]);
  return <div className={props.className ?? 'markdown'} lang={props.lang} dangerouslySetInnerHTML={{ __html: html }} />;
}
