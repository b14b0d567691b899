// Everything a benchmark starts (child processes, servers, temp dirs) is
// registered here and undone, newest first, when the run ends, fails or is
// interrupted. A benchmark must never leave a process or a directory behind.

type Undo = () => unknown;

const undos: { name: string; undo: Undo }[] = [];
const exitKills = new Map<number, string>();
let running: Promise<void> | undefined;
let installed = false;

/** Registers an undo step; returns a function that runs it early (once) and unregisters it. */
export function onCleanup(name: string, undo: Undo): () => Promise<void> {
  install();
  const entry = { name, undo };
  undos.push(entry);
  let done = false;
  return async () => {
    if (done) return;
    done = true;
    const i = undos.indexOf(entry);
    if (i >= 0) undos.splice(i, 1);
    await undo();
  };
}

/** A process to SIGKILL synchronously if this process exits before its cleanup ran. */
export function killOnExit(pid: number, name: string): () => void {
  install();
  exitKills.set(pid, name);
  return () => exitKills.delete(pid);
}

/** Runs every registered undo step, newest first; errors are reported, never thrown. */
export function cleanupAll(): Promise<void> {
  running ??= (async () => {
    while (undos.length > 0) {
      const { name, undo } = undos.pop()!;
      try {
        await undo();
      } catch (err) {
        process.stderr.write(`cleanup of ${name} failed: ${(err as Error).message}\n`);
      }
    }
  })();
  return running;
}

/** Runs a benchmark's main function, then cleans up whatever happened, and sets the exit code. */
export async function runBenchmark(main: () => Promise<void>): Promise<void> {
  install();
  try {
    await main();
  } catch (err) {
    process.stderr.write(`benchmark failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  } finally {
    await cleanupAll();
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`${signal}: cleaning up\n`);
      void cleanupAll().finally(() => process.exit(130));
    });
  }
  process.on('exit', () => {
    for (const pid of exitKills.keys()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}
