// A progress line on stderr for long runs (every node of a cluster, every probe of a conformance run, one
// gateway's flow analysis): only when stderr is a terminal, so that logs and pipes get the report alone.
// The line's text is a pure function of the counts and the time taken.

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

/** Where a progress line goes and what time it is: the terminal and the clock, or a test's. */
export interface ProgressOutput {
  readonly write: (text: string) => void;
  /** Milliseconds. */
  readonly now: () => number;
  /** The terminal's width, if known. */
  readonly columns?: number;
}

const stderrOutput = (): ProgressOutput | undefined =>
  process.stderr.isTTY === true
    ? {
        write: (text) => void process.stderr.write(text),
        now: () => performance.now(),
        ...(process.stderr.columns === undefined ? {} : { columns: process.stderr.columns }),
      }
    : undefined;

const drawLine = (out: ProgressOutput, text: string): void =>
  // Cut to the terminal's width: a wrapped line is not redrawn in place by \r.
  out.write(`\r\x1b[K${out.columns === undefined ? text : text.slice(0, out.columns - 1)}`);

/**
 * A callback that redraws the progress line at every call, or undefined when stderr is not a terminal.
 * The line is cleared when all are done.
 */
export const ttyProgress = (
  what: string,
  unit: string,
  out: ProgressOutput | undefined = stderrOutput(),
): ((done: number, total: number, current?: string) => void) | undefined => {
  if (out === undefined) return undefined;
  const started = out.now();
  return (done, total, current) => {
    drawLine(
      out,
      progressText(what, {
        done,
        total,
        unit,
        elapsedMs: out.now() - started,
        ...(current === undefined ? {} : { current }),
      }),
    );
    if (done === total) out.write("\r\x1b[K");
  };
};

/** Show nothing for the first second (most single nodes are done by then), then redraw at most 4 times a second. */
const QUIET_MS = 1000;
const REDRAW_MS = 250;

/**
 * The progress of a flow analysis over nodes (preflight, upgrade-check, diff): `onNode` as the main thread
 * reaches each node and as other threads finish theirs (the same node again: its packets go on being
 * counted), `onTrace` for each packet the main thread traces, so that a node that takes minutes (a gateway)
 * shows it is moving: "upgrade-check: 0/1 nodes (0%), node-02500 (12000 packets traced), 2m10s so far".
 * Undefined when stderr is not a terminal.
 */
export const nodeProgress = (
  what: string,
  out: ProgressOutput | undefined = stderrOutput(),
):
  | { readonly onNode: (done: number, total: number, node?: string) => void; readonly onTrace: () => void }
  | undefined => {
  if (out === undefined) return undefined;
  const started = out.now();
  let done = 0;
  let total = 0;
  let node: string | undefined;
  let traced = 0;
  let drawn = false;
  let lastDraw = -Infinity;
  const draw = (now: number): void => {
    lastDraw = now;
    drawn = true;
    drawLine(
      out,
      progressText(what, {
        done,
        total,
        unit: "nodes",
        elapsedMs: now - started,
        ...(node === undefined ? {} : { current: `${node} (${traced} packets traced)` }),
      }),
    );
  };
  const maybeDraw = (): void => {
    const now = out.now();
    if (now - started >= QUIET_MS && now - lastDraw >= REDRAW_MS) draw(now);
  };
  return {
    onNode: (d, t, n) => {
      done = d;
      total = t;
      // The same node again (a worker finished one meanwhile): its packets go on being counted.
      if (n !== node) traced = 0;
      node = n;
      if (d < t) maybeDraw();
      else if (drawn) out.write("\r\x1b[K");
    },
    onTrace: () => {
      traced++;
      // The clock is read every 64 traces only: a trace takes 0.1-1 ms.
      if ((traced & 63) === 0) maybeDraw();
    },
  };
};
