// A progress line on stderr for long runs (every node of a cluster, every probe of a conformance run):
// only when stderr is a terminal, so that logs and pipes get the report alone. The line's text is a pure
// function of the counts and the time taken.

/** "45s", "3m20s", "2h05m". */
export const durationText = (ms: number): string => {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
};

export interface ProgressState {
  readonly done: number;
  readonly total: number;
  /** What the counts count ("nodes", "probes"). */
  readonly unit: string;
  readonly elapsedMs: number;
  /** What is being worked on now (a node's name). */
  readonly current?: string;
}

/**
 * "preflight: 12/5000 nodes (0%), node-00012, 1m20s so far, about 9h15m left". The estimate assumes the
 * rest take as long as those done on average; it is left out until one is done.
 */
export const progressText = (what: string, p: ProgressState): string => {
  const pct = p.total === 0 ? 100 : Math.floor((100 * p.done) / p.total);
  const left =
    p.done === 0 || p.done >= p.total
      ? ""
      : `, about ${durationText((p.elapsedMs / p.done) * (p.total - p.done))} left`;
  return `${what}: ${p.done}/${p.total} ${p.unit} (${pct}%)${p.current === undefined ? "" : `, ${p.current}`}, ${durationText(p.elapsedMs)} so far${left}`;
};

/**
 * A callback that redraws the progress line, or undefined when stderr is not a terminal (or there is only
 * `minTotal - 1` or fewer to do, where a line would only flicker). The line is cleared when all are done.
 */
export const ttyProgress = (
  what: string,
  unit: string,
  minTotal = 1,
): ((done: number, total: number, current?: string) => void) | undefined => {
  if (process.stderr.isTTY !== true) return undefined;
  const started = performance.now();
  return (done, total, current) => {
    if (total < minTotal) return;
    const text = progressText(what, {
      done,
      total,
      unit,
      elapsedMs: performance.now() - started,
      ...(current === undefined ? {} : { current }),
    });
    // Cut to the terminal's width: a wrapped line is not redrawn in place by \r.
    const width = process.stderr.columns;
    process.stderr.write(`\r\x1b[K${width === undefined ? text : text.slice(0, width - 1)}`);
    if (done === total) process.stderr.write("\r\x1b[K");
  };
};
