// Describes how a process ended in the words Mesos uses (stout's WSTRINGIFY
// with glibc's strsignal): "exited with status 1", "terminated with signal
// Killed". It only formats; it never inspects processes.

import { constants } from 'node:os';

export type ProcessEnd = { kind: 'exited'; code: number } | { kind: 'signaled'; signal: NodeJS.Signals };

const SIGNAL_DESCRIPTIONS: Partial<Record<NodeJS.Signals, string>> = {
  SIGHUP: 'Hangup',
  SIGINT: 'Interrupt',
  SIGQUIT: 'Quit',
  SIGILL: 'Illegal instruction',
  SIGTRAP: 'Trace/breakpoint trap',
  SIGABRT: 'Aborted',
  SIGBUS: 'Bus error',
  SIGFPE: 'Floating point exception',
  SIGKILL: 'Killed',
  SIGUSR1: 'User defined signal 1',
  SIGSEGV: 'Segmentation fault',
  SIGUSR2: 'User defined signal 2',
  SIGPIPE: 'Broken pipe',
  SIGALRM: 'Alarm clock',
  SIGTERM: 'Terminated',
  SIGSTKFLT: 'Stack fault',
  SIGCHLD: 'Child exited',
  SIGCONT: 'Continued',
  SIGSTOP: 'Stopped (signal)',
  SIGTSTP: 'Stopped',
  SIGTTIN: 'Stopped (tty input)',
  SIGTTOU: 'Stopped (tty output)',
  SIGURG: 'Urgent I/O condition',
  SIGXCPU: 'CPU time limit exceeded',
  SIGXFSZ: 'File size limit exceeded',
  SIGVTALRM: 'Virtual timer expired',
  SIGPROF: 'Profiling timer expired',
  SIGWINCH: 'Window changed',
  SIGIO: 'I/O possible',
  SIGPWR: 'Power failure',
  SIGSYS: 'Bad system call',
};

export function describeProcessEnd(end: ProcessEnd): string {
  switch (end.kind) {
    case 'exited':
      return `exited with status ${end.code}`;
    case 'signaled': {
      const number = constants.signals[end.signal];
      return `terminated with signal ${SIGNAL_DESCRIPTIONS[end.signal] ?? `Unknown signal ${number ?? end.signal}`}`;
    }
  }
}

export function processEndSucceeded(end: ProcessEnd): boolean {
  return end.kind === 'exited' && end.code === 0;
}

/** The wait(2) status word of an ended process, as Mesos forwards it in ExitedExecutorMessage. */
export function waitStatusOf(end: ProcessEnd): number {
  switch (end.kind) {
    case 'exited':
      return (end.code & 0xff) << 8;
    case 'signaled':
      return constants.signals[end.signal] ?? 0;
  }
}
