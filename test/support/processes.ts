// The processes this test process started, read from /proc (Linux only): to see a flags file's parse process,
// its priority, and that it is gone.
import { readdirSync, readFileSync } from 'node:fs';

export interface ChildProcessInfo {
  pid: number;
  /** the nice value of its main thread */
  nice: number;
  commandLine: string;
}

/** The live child processes of this process. */
export function childProcesses(): ChildProcessInfo[] {
  const children: ChildProcessInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // fields after the command name in parentheses: state, ppid, …; nice is the 19th field overall
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) !== process.pid || fields[0] === 'Z') continue;
      const commandLine = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      children.push({ pid: Number(entry), nice: Number(fields[16]), commandLine });
    } catch {
      // gone meanwhile
    }
  }
  return children;
}

/** The child processes parsing a flags file for this process. */
export function parseProcesses(): ChildProcessInfo[] {
  return childProcesses().filter((child) => child.commandLine.includes('parseFlagsFile'));
}
