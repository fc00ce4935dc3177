/**
 * Which process runs an experiment, as the library records it (experiments.owner), and
 * whether that process is still alive. A Lab marks the experiments it runs with its mark and
 * refreshes their heartbeat; a process killed without warning leaves its mark behind, and
 * the experiment then reads as `interrupted` instead of `running` forever.
 *
 * SQLite in WAL mode needs the processes that share a library to share memory, so they are on
 * one host, where a mark is checked by its process: the pid with the process's start time
 * (Linux's /proc), so a pid the system gave to another process since does not count. A mark
 * from another host name (containers sharing a volume) is checked by its heartbeat only.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** What experiments.owner holds. */
export interface OwnerMark {
  host: string;
  pid: number;
  /** The process's start (Linux: /proc/PID/stat field 22, clock ticks after boot); null elsewhere. */
  start: string | null;
  /** A random id of the Lab (one process may hold several Labs: tests, a window and a server). */
  lab: string;
}

/** How often a Lab refreshes the heartbeat of the experiments it runs (ms). */
export const HEARTBEAT_MS = 5_000;

/** A heartbeat older than this, from another host, means its Lab is gone (ms). */
export const STALE_MS = 60_000;

/** The start time of a process, or null where it cannot be read (no /proc, no such process). */
export function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (the command) is in parentheses and may hold spaces: count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

/** This process's mark for the Lab `lab`. */
export function ownMark(lab: string): OwnerMark {
  return { host: hostname(), pid: process.pid, start: processStart(process.pid), lab };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, but belongs to another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Reads a stored mark; anything malformed counts as no mark (the run is then not alive). */
export function parseMark(text: string | null): OwnerMark | undefined {
  if (text === null) return undefined;
  try {
    const m = JSON.parse(text) as Partial<OwnerMark>;
    if (typeof m.host !== 'string' || !Number.isInteger(m.pid) || typeof m.lab !== 'string') return undefined;
    return { host: m.host, pid: m.pid!, start: typeof m.start === 'string' ? m.start : null, lab: m.lab };
  } catch {
    return undefined;
  }
}

/** Whether the process a mark names still runs (with `heartbeatAt` for a mark from another host). */
export function markAlive(mark: OwnerMark, heartbeatAt: number | null, now: number): boolean {
  if (mark.host !== hostname()) return heartbeatAt !== null && now - heartbeatAt < STALE_MS;
  if (mark.pid === process.pid) return mark.start === null || mark.start === processStart(process.pid);
  if (mark.start !== null) {
    const start = processStart(mark.pid);
    // Readable here: the same process only if it started at the same tick.
    if (start !== null || processStart(process.pid) !== null) return start === mark.start;
  }
  return processAlive(mark.pid);
}
