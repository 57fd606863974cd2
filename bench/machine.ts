/**
 * The machine's load while a figure is measured: the 1-minute load average, and the CPU that processes
 * other than the benchmark's own used meanwhile (the whole machine's busy time from /proc/stat minus this
 * process tree's, from /proc/<pid>/stat). Linux only; both are reported with every figure.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';

/** Clock ticks per second of /proc times (USER_HZ, 100 on Linux). */
const TICKS = 100;

export interface Load {
  /** 1-minute load average at the end of the measurement. */
  readonly loadavg1: number;
  /** CPU used by processes outside the benchmark, in % of one core (100 = one core fully busy). */
  readonly otherCpuPercent: number;
  /** CPU the benchmark's own processes used, in % of one core. */
  readonly benchCpuPercent: number;
  readonly cores: number;
}

function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After "pid (comm) ", the first field is the state (field 3 of proc(5)).
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined; // the process is gone
  }
}

/** CPU seconds a process used (user + system); with `children`, also its reaped children's. */
export function cpuSecondsOf(pid: number, children = false): number {
  const f = statFields(pid);
  if (!f) return 0;
  // utime, stime, cutime, cstime are fields 14-17 of proc(5).
  const own = Number(f[11]) + Number(f[12]);
  return (children ? own + Number(f[13]) + Number(f[14]) : own) / TICKS;
}

/** This process and every live descendant. */
function ownTree(): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const f = statFields(pid);
    if (f) parent.set(pid, Number(f[1]));
  }
  const tree = [process.pid];
  for (const pid of parent.keys()) {
    let at = parent.get(pid);
    for (let hops = 0; at !== undefined && at > 1 && hops < 64; hops++) {
      if (at === process.pid) {
        tree.push(pid);
        break;
      }
      at = parent.get(at);
    }
  }
  return tree;
}

function machineBusySeconds(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return (user + nice + system + irq + softirq + steal) / TICKS;
}

function treeSeconds(): number {
  // Live processes' own time, plus what the reaped ones left in this process's children counters.
  return ownTree().reduce((sum, pid) => sum + cpuSecondsOf(pid, true), 0);
}

/** Starts watching; the returned function reports the load since. */
export function watchLoad(): () => Load {
  const started = performance.now();
  const busy0 = machineBusySeconds();
  const own0 = treeSeconds();
  return () => {
    const seconds = (performance.now() - started) / 1000;
    const busy = machineBusySeconds() - busy0;
    const own = treeSeconds() - own0;
    return {
      loadavg1: Math.round(loadavg()[0] * 100) / 100,
      otherCpuPercent: Math.max(0, Math.round(((busy - own) / seconds) * 100)),
      benchCpuPercent: Math.round((own / seconds) * 100),
      cores: cpus().length,
    };
  };
}
