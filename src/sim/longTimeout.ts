// A timeout that may exceed Node's 24.8-day setTimeout limit (failover
// timeouts of weeks are common): it chains shorter timers. It never fires
// early and never keeps the process alive on its own.

const MAX_DELAY_MS = 2_147_483_647;

export interface LongTimeout {
  cancel(): void;
}

export function setLongTimeout(callback: () => void, delayMs: number): LongTimeout {
  let timer: NodeJS.Timeout | undefined;
  let cancelled = false;
  const deadline = Date.now() + Math.max(0, delayMs);
  const arm = (): void => {
    const left = deadline - Date.now();
    timer = setTimeout(
      () => {
        if (cancelled) return;
        if (deadline - Date.now() > 0) arm();
        else callback();
      },
      Math.min(Math.max(left, 0), MAX_DELAY_MS),
    );
    timer.unref();
  };
  arm();
  return {
    cancel() {
      cancelled = true;
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}
