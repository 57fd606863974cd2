/**
 * The benchmark's summary: one row per figure, the project's median and worst round beside the
 * reference's, the target, whether every round met it, and the worst load seen while it was measured.
 */
import type { ColdStartRow } from './cold-start';
import type { ConnectRound } from './figures/connect';
import type { FunctionCpuResults } from './figures/function-cpu';
import type { RelayCpuRound } from './figures/relay-cpu';
import type { SustainedRound } from './figures/sustained';
import type { Load } from './machine';
import { median, round } from './stats';

export interface Row {
  readonly figure: string;
  readonly project: string;
  readonly reference: string;
  readonly target: string;
  readonly met: string;
  readonly load: string;
}

interface Inputs {
  readonly native: Record<'project' | 'bare', ConnectRound[]>;
  /** `socketio-wire`: desktops speaking the protocol over ws; `socketio`: socket.io-client desktops. */
  readonly sio: Record<'socketio-wire' | 'socketio' | 'bare', ConnectRound[]>;
  readonly relay: Record<'project' | 'bare', RelayCpuRound[]>;
  /** One set of rounds per offered rate. */
  readonly fn: ReadonlyArray<{ eps: number } & FunctionCpuResults>;
  readonly sustained: { rounds: SustainedRound[]; sustainedEps: Record<'project' | 'bare', number> };
  readonly webhook: ReadonlyArray<{ p99Ms: number; errors: number; achievedRps: number; loadavg1: number }>;
  readonly coldStart: readonly ColdStartRow[];
  readonly sizes: { native: number; socketio: number; relayDesktops: number; relayEps: number; pathDesktops: number };
}

const fmt = (value: number, digits = 1): string => round(value, digits).toLocaleString('en-US');
/** `median (worst)` of one field over rounds. */
function mw<R>(rounds: readonly R[], of: (r: R) => number, digits = 1, unit = ''): string {
  const values = rounds.map(of);
  return `${fmt(median(values), digits)}${unit} (${fmt(Math.max(...values), digits)}${unit})`;
}

function loadOf(...groups: ReadonlyArray<ReadonlyArray<{ load: Load }>>): string {
  const loads = groups.flat().map((r) => r.load);
  return `${fmt(Math.max(...loads.map((l) => l.loadavg1)), 2)}, ${Math.max(...loads.map((l) => l.otherCpuPercent))}%`;
}

/**
 * "yes" when the ratio of medians is within `limit`, the worst project round within it too, and no desktop
 * of any round (project or reference) failed to connect; else why not.
 */
function verdict(project: number, reference: number, limit: number, worstProject: number, rounds: ReadonlyArray<{ failed: number }>): string {
  const ratio = project / reference;
  const worst = worstProject / reference;
  const failed = rounds.reduce((n, r) => n + r.failed, 0);
  return `${ratio <= limit && worst <= limit && failed === 0 ? 'yes' : 'NO'}: ${fmt(ratio, 2)}× (worst ${fmt(worst, 2)}×)${failed > 0 ? `, ${fmt(failed, 0)} desktops failed` : ''}`;
}

export function summarize(input: Inputs): Row[] {
  const { native, sio, relay, fn, sustained, sizes } = input;
  const kib = (r: ConnectRound): number => r.rssPerConnectionBytes / 1024;
  const secs = (r: ConnectRound): number => r.seconds;
  const cpu = (r: { cpuMicrosPerEvent: number }): number => r.cpuMicrosPerEvent;
  const worstOf = <R>(rounds: readonly R[], of: (r: R) => number): number => Math.max(...rounds.map(of));
  const medOf = <R>(rounds: readonly R[], of: (r: R) => number): number => median(rounds.map(of));
  const rssWorst = worstOf(native.project, kib);
  /** Deliveries acknowledged of those offered, over every round. */
  const acked = (rounds: ReadonlyArray<{ sent: number; acknowledged: number }>): string =>
    `${fmt(rounds.reduce((n, r) => n + r.acknowledged, 0), 0)} of ${fmt(rounds.reduce((n, r) => n + r.sent, 0), 0)}`;
  /**
   * Each round's project figure over the reference's of the same round (measured side by side); "yes" only
   * when the median and the worst round are within 1.1× and nothing was lost (`missing`: events not
   * delivered, or deliveries not acknowledged, over every round of both).
   */
  const pairedRatios = (project: ReadonlyArray<{ cpuMicrosPerEvent: number }>, reference: ReadonlyArray<{ cpuMicrosPerEvent: number }>): { ratio: number; worst: number } => {
    const ratios = project.map((p, i) => p.cpuMicrosPerEvent / reference[i].cpuMicrosPerEvent);
    return { ratio: median(ratios), worst: Math.max(...ratios) };
  };
  const paired = (project: ReadonlyArray<{ cpuMicrosPerEvent: number }>, reference: ReadonlyArray<{ cpuMicrosPerEvent: number }>, missing: number): string => {
    const { ratio, worst } = pairedRatios(project, reference);
    return `${ratio <= 1.1 && worst <= 1.1 && missing === 0 ? 'yes' : 'NO'}: ${fmt(ratio, 2)}× (worst round ${fmt(worst, 2)}×)${missing > 0 ? `, ${fmt(missing, 0)} missing` : ''}`;
  };
  const unacknowledged = (rounds: ReadonlyArray<{ sent: number; acknowledged: number }>): number => rounds.reduce((n, r) => n + r.sent - r.acknowledged, 0);
  const byRate = (system: 'project' | 'bare'): string => {
    const rounds = sustained.rounds.filter((r) => r.system === system);
    const at = rounds.filter((r) => r.eps === sustained.sustainedEps[system]);
    const failed = rounds.filter((r) => r.eps > sustained.sustainedEps[system]);
    const firstFail = failed.length ? Math.min(...failed.map((r) => r.eps)) : undefined;
    const failText = firstFail ? `; ${fmt(firstFail, 0)}/s: p99 ${mw(failed.filter((r) => r.eps === firstFail), (r) => r.p99Ms, 1, ' ms')}, lost ${Math.max(...failed.filter((r) => r.eps === firstFail).map((r) => r.lost))}` : '; the highest rate tried';
    return `${fmt(sustained.sustainedEps[system], 0)}/s${at.length ? ` (p99 ${mw(at, (r) => r.p99Ms, 1, ' ms')})` : ''}${failText}`;
  };
  return [
    {
      figure: `${fmt(sizes.native, 0)} native desktops connect and join one relay`,
      project: `${mw(native.project, secs, 2, ' s')}, relay CPU ${mw(native.project, (r) => r.relayCpuPercent, 0, '%')}`,
      reference: mw(native.bare, secs, 2, ' s'),
      target: '≤ 1.5× reference',
      met: verdict(medOf(native.project, secs), medOf(native.bare, secs), 1.5, worstOf(native.project, secs), [...native.project, ...native.bare]),
      load: loadOf(native.project, native.bare),
    },
    {
      figure: `RSS per connected idle desktop (${fmt(sizes.native, 0)}, native)`,
      project: mw(native.project, kib, 1, ' KiB'),
      reference: mw(native.bare, kib, 1, ' KiB'),
      target: '≤ 10 KiB',
      met: `${medOf(native.project, kib) <= 10 && rssWorst <= 10 ? 'yes' : 'NO'}`,
      load: loadOf(native.project, native.bare),
    },
    {
      figure: `${fmt(sizes.socketio, 0)} Socket.IO desktops connect and join (desktops speaking the protocol over ws; reference: as many native)`,
      project: `${mw(sio['socketio-wire'], secs, 2, ' s')}, relay CPU ${mw(sio['socketio-wire'], (r) => r.relayCpuPercent, 0, '%')}, ${mw(sio['socketio-wire'], kib, 1, ' KiB')}/desktop`,
      reference: mw(sio.bare, secs, 2, ' s'),
      target: '≤ 2× reference',
      met: verdict(medOf(sio['socketio-wire'], secs), medOf(sio.bare, secs), 2, worstOf(sio['socketio-wire'], secs), [...sio['socketio-wire'], ...sio.bare]),
      load: loadOf(sio['socketio-wire'], sio.bare),
    },
    {
      figure: `the same with socket.io-client desktops (the load generator's CPU the limit)`,
      project: `${mw(sio.socketio, secs, 2, ' s')}, relay CPU ${mw(sio.socketio, (r) => r.relayCpuPercent, 0, '%')}, ${mw(sio.socketio, kib, 1, ' KiB')}/desktop`,
      reference: mw(sio.bare, secs, 2, ' s'),
      target: 'reported',
      met: `${fmt(medOf(sio.socketio, secs) / medOf(sio.bare, secs), 2)}× (worst ${fmt(worstOf(sio.socketio, secs) / medOf(sio.bare, secs), 2)}×)`,
      load: loadOf(sio.socketio, sio.bare),
    },
    {
      figure: `relay CPU per delivered event (${fmt(sizes.relayDesktops, 0)} desktops, ${fmt(sizes.relayEps, 0)}/s; both relays on the same events at once)`,
      project: `${mw(relay.project, cpu, 1, ' µs')}, lost ${Math.max(...relay.project.map((r) => r.lost))}`,
      reference: `${mw(relay.bare, cpu, 1, ' µs')}, lost ${Math.max(...relay.bare.map((r) => r.lost))}`,
      target: '≤ 1.1× reference',
      met: paired(relay.project, relay.bare, [...relay.project, ...relay.bare].reduce((n, r) => n + r.lost, 0)),
      load: loadOf(relay.project, relay.bare),
    },
    ...fn.flatMap((at) => {
      const floor = pairedRatios(at.minimal, at.minimalNoop);
      return [
        {
          figure: `event function CPU per event (${fmt(at.eps, 0)}/s each; reference: no-op function under the same framework, at once)`,
          project: `${mw(at.project, cpu, 0, ' µs')}, acknowledged ${acked(at.project)}`,
          reference: `${mw(at.noop, cpu, 0, ' µs')}, acknowledged ${acked(at.noop)} (bare node:http + same script: ${mw(at.bare, cpu, 0, ' µs')})`,
          target: '≤ 1.1× no-op function',
          met: paired(at.project, at.noop, unacknowledged(at.project) + unacknowledged(at.noop)),
          load: loadOf(at.project, at.noop, at.bare),
        },
        {
          figure: `the job's floor under the framework (${fmt(at.eps, 0)}/s each): a minimal function that only decodes, parses and runs the same script, beside the no-op function`,
          project: `${mw(at.minimal, cpu, 0, ' µs')}, acknowledged ${acked(at.minimal)}`,
          reference: `${mw(at.minimalNoop, cpu, 0, ' µs')}, acknowledged ${acked(at.minimalNoop)}`,
          target: 'reported',
          met: `${fmt(floor.ratio, 2)}× (worst round ${fmt(floor.worst, 2)}×)`,
          load: loadOf(at.minimal, at.minimalNoop),
        },
      ];
    }),
    {
      figure: `highest rate through one event-function process, every round p99 < 20 ms and nothing lost (${fmt(sizes.pathDesktops, 0)} desktops)`,
      project: byRate('project'),
      reference: `bare pipeline: ${byRate('bare')}`,
      target: 'reported',
      met: '—',
      load: loadOf(sustained.rounds),
    },
    {
      figure: 'fulfillment webhook, 1,000 requests/s (p99)',
      project: `${mw(input.webhook, (r) => r.p99Ms, 2, ' ms')}, errors ${Math.max(...input.webhook.map((r) => r.errors))}`,
      reference: '—',
      target: 'reported',
      met: '—',
      load: `${fmt(Math.max(...input.webhook.map((r) => r.loadavg1)), 2)}, —`,
    },
    {
      figure: 'cold start to first answer, the unit nearest its target (median of its runs, worst)',
      project: (() => {
        const slow = [...input.coldStart].sort((a, b) => b.maxMs / b.targetMs - a.maxMs / a.targetMs)[0];
        return slow ? `${slow.unit}: ${fmt(slow.medianMs)} ms (${fmt(slow.maxMs)} ms)` : '—';
      })(),
      reference: '—',
      target: '< 300 ms events, < 500 ms others',
      met: input.coldStart.every((r) => r.withinTarget) ? 'yes' : 'NO',
      load: '—',
    },
  ];
}
