/**
 * The benchmark's verdicts (bench/report.ts), from rounds given here rather than measured: a figure is met
 * only when its median and its worst round are within the target and nothing failed or went missing in any
 * round of either side. What the rounds measure is tested at toy sizes in bench-harness.test.ts.
 */
import assert from 'node:assert/strict';
import type { ConnectRound } from '../bench/figures/connect';
import type { FunctionCpuRound, FunctionSystem } from '../bench/figures/function-cpu';
import type { RelayCpuRound } from '../bench/figures/relay-cpu';
import type { Load } from '../bench/machine';
import { summarize, type Row } from '../bench/report';

const load: Load = { loadavg1: 1, otherCpuPercent: 0, benchCpuPercent: 100, cores: 2 };

function connect(system: 'project' | 'bare', seconds: number, failed = 0): ConnectRound {
  return { system, protocol: 'native', desktops: 100, failed, seconds, relayCpuPercent: 50, rssPerConnectionBytes: 6 * 1024, load };
}

function relayRound(system: 'project' | 'bare', cpuMicrosPerEvent: number, lost = 0): RelayCpuRound {
  return { system, eps: 100, sent: 100, delivered: 100 - lost, lost, p99Ms: 1, cpuMicrosPerEvent, load };
}

function fnRound(system: FunctionSystem, cpuMicrosPerEvent: number, acknowledged = 100): FunctionCpuRound {
  return { system, eps: 100, sent: 100, acknowledged, cpuMicrosPerEvent, load };
}

interface Case {
  native?: { project: ConnectRound[]; bare: ConnectRound[] };
  wire?: ConnectRound[];
  relay?: { project: RelayCpuRound[]; bare: RelayCpuRound[] };
  fn?: { project: FunctionCpuRound[]; noop: FunctionCpuRound[] };
}

/** The rows of a run whose every figure is met, with `change` replacing some of its rounds. */
function rows(change: Case = {}): Row[] {
  const bare = [connect('bare', 2), connect('bare', 2), connect('bare', 2)];
  return summarize({
    native: change.native ?? { project: [connect('project', 2.5), connect('project', 2.6), connect('project', 2.4)], bare },
    sio: { 'socketio-wire': change.wire ?? [connect('project', 3), connect('project', 3.2), connect('project', 3.1)], socketio: [connect('project', 5)], bare },
    relay: change.relay ?? { project: [relayRound('project', 21), relayRound('project', 21)], bare: [relayRound('bare', 20), relayRound('bare', 20)] },
    fn: [
      {
        eps: 100,
        ...(change.fn ?? { project: [fnRound('project', 105), fnRound('project', 105)], noop: [fnRound('noop', 100), fnRound('noop', 100)] }),
        minimal: [fnRound('minimal', 103), fnRound('minimal', 104)],
        minimalNoop: [fnRound('noop', 100), fnRound('noop', 80)],
        bare: [fnRound('bare', 50)],
      },
    ],
    sustained: { rounds: [], sustainedEps: { project: 0, bare: 0 } },
    webhook: [{ p99Ms: 5, errors: 0, achievedRps: 1000, loadavg1: 1 }],
    coldStart: [],
    sizes: { native: 100, socketio: 100, relayDesktops: 100, relayEps: 100, pathDesktops: 100 },
  });
}

const met = (all: Row[], starts: string): string => {
  const row = all.find((r) => r.figure.startsWith(starts));
  assert.ok(row, `a row for ${starts}`);
  return row.met;
};

describe('benchmark verdicts', () => {
  it('says yes when every compared figure is within its target in the median and the worst round, nothing failed or missing', () => {
    const all = rows();
    assert.match(met(all, '100 native desktops'), /^yes: 1\.25× \(worst 1\.3×\)$/);
    assert.match(met(all, '100 Socket.IO desktops'), /^yes: 1\.55×/);
    assert.match(met(all, 'relay CPU'), /^yes: 1\.05×/);
    assert.match(met(all, 'event function CPU'), /^yes: 1\.05×/);
  });

  it("reports the job's floor under the framework as each round's minimal function over the no-op beside it, with no verdict", () => {
    assert.equal(met(rows(), "the job's floor"), '1.17× (worst round 1.3×)');
  });

  it('says NO when a desktop failed to connect in any round, of the project or of the reference', () => {
    const project = [connect('project', 2.5), connect('project', 2.5, 1), connect('project', 2.5)];
    assert.match(met(rows({ native: { project, bare: [connect('bare', 2), connect('bare', 2), connect('bare', 2)] } }), '100 native desktops'), /^NO: 1\.25× \(worst 1\.25×\), 1 desktops failed$/);
    const bare = [connect('bare', 2), connect('bare', 2, 3), connect('bare', 2)];
    assert.match(met(rows({ native: { project: [connect('project', 2.5)], bare } }), '100 native desktops'), /^NO: .*, 3 desktops failed$/);
    assert.match(met(rows({ wire: [connect('project', 3, 2)] }), '100 Socket.IO desktops'), /^NO: 1\.5× \(worst 1\.5×\), 2 desktops failed$/);
  });

  it('says NO when the worst round is past the target though the median is within it', () => {
    const project = [connect('project', 2.5), connect('project', 3.2), connect('project', 2.4)];
    assert.match(met(rows({ native: { project, bare: [connect('bare', 2), connect('bare', 2), connect('bare', 2)] } }), '100 native desktops'), /^NO: 1\.25× \(worst 1\.6×\)$/);
    const relay = { project: [relayRound('project', 21), relayRound('project', 21), relayRound('project', 23)], bare: [relayRound('bare', 20), relayRound('bare', 20), relayRound('bare', 20)] };
    assert.match(met(rows({ relay }), 'relay CPU'), /^NO: 1\.05× \(worst round 1\.15×\)$/);
  });

  it('says NO when events were lost or deliveries went unacknowledged, whatever the CPU', () => {
    const relay = { project: [relayRound('project', 21), relayRound('project', 21)], bare: [relayRound('bare', 20, 4), relayRound('bare', 20)] };
    assert.match(met(rows({ relay }), 'relay CPU'), /^NO: 1\.05× \(worst round 1\.05×\), 4 missing$/);
    const fn = { project: [fnRound('project', 105, 99), fnRound('project', 105)], noop: [fnRound('noop', 100), fnRound('noop', 100)] };
    assert.match(met(rows({ fn }), 'event function CPU'), /^NO: 1\.05× \(worst round 1\.05×\), 1 missing$/);
  });
});
