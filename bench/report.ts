import type { Goal } from './cases.js';
import type { LoadResult } from './load.js';

export interface RoundMeasurement extends LoadResult {
  round: number;
  /** Requests per second over the mean of the two baseline runs around this one (1 for the baseline itself). */
  ratio: number | null;
}

export interface CaseOutcome {
  id: string;
  label: string;
  goal: Goal | null;
  /** Why the case was not measured; null when it was. */
  unavailable: string | null;
  rounds: RoundMeasurement[];
}

export interface CaseSummary {
  id: string;
  label: string;
  goal: string;
  requestsPerSecond: number | null;
  ratio: number | null;
  p99Ms: number | null;
  /** Median CPU use of the server process during the runs, % of one core. */
  serverCpuPercent: number | null;
  /** PASS, FAIL, or '—' for a reference row or a case not measured. */
  result: 'PASS' | 'FAIL' | '—';
  notes: string[];
}

/** @example median([3, 1, 2]) // 2 */
export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Medians over rounds (requests/s, ratio to the baseline runs around each, p99) and the verdict
 * against the goal. Any non-2xx answer or connection error fails the case: throughput counts
 * served requests only, and errors would hide the real cost.
 */
export function summarize(outcomes: CaseOutcome[]): CaseSummary[] {
  const rpsOf = new Map(outcomes.map((o) => [o.id, median(o.rounds.map((r) => r.requestsPerSecond))]));
  return outcomes.map((o) => {
    const requestsPerSecond = rpsOf.get(o.id) ?? null;
    const ratio = median(o.rounds.flatMap((r) => (r.ratio === null ? [] : [r.ratio])));
    const p99Ms = median(o.rounds.map((r) => r.p99Ms));
    const serverCpuPercent = median(o.rounds.flatMap((r) => (r.serverCpuPercent === null ? [] : [r.serverCpuPercent])));
    const notes: string[] = [];
    if (o.unavailable) return { id: o.id, label: o.label, goal: o.goal?.text ?? '', requestsPerSecond, ratio, p99Ms, serverCpuPercent, result: '—', notes: [o.unavailable] };
    const failures: string[] = [];
    const non2xx = o.rounds.reduce((n, r) => n + r.non2xx, 0);
    const errors = o.rounds.reduce((n, r) => n + r.errors, 0);
    if (non2xx > 0) {
      const codes = new Map<string, number>();
      for (const r of o.rounds) for (const [code, count] of Object.entries(r.statusCodes)) if (!code.startsWith('2')) codes.set(code, (codes.get(code) ?? 0) + count);
      failures.push(`${non2xx} non-2xx answers (${[...codes].map(([c, n]) => `${c}×${n}`).join(', ')})`);
    }
    if (errors > 0) failures.push(`${errors} connection errors`);
    const goal = o.goal;
    if (goal) {
      if (goal.minRatio !== undefined && (ratio ?? 0) < goal.minRatio) failures.push(`ratio ${ratio?.toFixed(2)} < ${goal.minRatio}`);
      if (goal.maxP99Ms !== undefined && (p99Ms ?? Infinity) >= goal.maxP99Ms) failures.push(`p99 ${p99Ms} ms >= ${goal.maxP99Ms} ms`);
      if (goal.minRequestsPerSecond !== undefined && (requestsPerSecond ?? 0) < goal.minRequestsPerSecond) failures.push(`${Math.round(requestsPerSecond ?? 0)}/s < ${goal.minRequestsPerSecond}/s`);
      if (goal.aheadOf !== undefined) {
        const other = rpsOf.get(goal.aheadOf) ?? null;
        if (other === null) failures.push(`${goal.aheadOf} was not measured, so "ahead of" cannot be judged`);
        else if ((requestsPerSecond ?? 0) <= other) failures.push(`behind ${goal.aheadOf} (${Math.round(other)}/s)`);
      }
    }
    notes.push(...failures);
    return { id: o.id, label: o.label, goal: goal?.text ?? '', requestsPerSecond, ratio, p99Ms, serverCpuPercent, result: goal === null ? (failures.length ? 'FAIL' : '—') : failures.length ? 'FAIL' : 'PASS', notes };
  });
}

const number = (n: number | null, digits = 0) => (n === null ? '' : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }));

/** The summary as a plain-text table, with one line per note under it. */
export function formatTable(summaries: CaseSummary[]): string {
  const header = ['case', 'req/s (median)', 'ratio', 'p99 ms', 'server CPU', 'goal', 'result'];
  const rows = summaries.map((s) => {
    if (s.requestsPerSecond === null) return [s.label, s.notes[0]?.startsWith('not available') ? 'not available in this build' : 'not measured (see below)', '', '', '', s.goal, s.result];
    return [s.label, number(s.requestsPerSecond), s.ratio === null ? '' : `${number(s.ratio, 2)}x`, number(s.p99Ms), s.serverCpuPercent === null ? '' : `${number(s.serverCpuPercent)}%`, s.goal, s.result];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 1 && i <= 4 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
  const notes = summaries.flatMap((s) => s.notes.map((n) => `  ${s.label.split(' ')[0]}: ${n}`));
  return [...out, ...(notes.length ? ['', ...notes] : [])].join('\n');
}
