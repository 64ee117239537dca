/**
 * Lambda answers a callback-style handler only once the event loop is empty (unless the handler
 * sets `callbackWaitsForEmptyEventLoop = false`). A runner's loop is never empty (its IPC channel
 * stays open), so "empty" means: no resource beyond those the runner itself held when idle.
 */
let baseline: Map<string, number> | undefined;

function counts(): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of process.getActiveResourcesInfo()) if (r !== 'Immediate') m.set(r, (m.get(r) ?? 0) + 1);
  return m;
}

/** Records the runner's own resources; call once while idle. */
export function recordBaseline(): void {
  baseline = counts();
}

/** Work the runner tracks itself, over its own channel (cache operations in flight). */
const ownWork: (() => number)[] = [];

/** Counts `pending()` as work that keeps the event loop busy, as a socket of its own would. */
export function holdWhilePending(pending: () => number): void {
  ownWork.push(pending);
}

/** `ownTimer`: called from our own poll timer, which Node still lists while its callback runs. */
function isEmpty(ownTimer: boolean): boolean {
  for (const pending of ownWork) if (pending() > 0) return false;
  const now = counts();
  if (ownTimer) now.set('Timeout', (now.get('Timeout') ?? 1) - 1);
  for (const [k, n] of now) if (n > (baseline?.get(k) ?? 0)) return false;
  return true;
}

const waiters: (() => void)[] = [];
let polling = false;

// One poll loop serves every waiter: two loops would each see the other's timer as pending work.
function poll(ownTimer: boolean): void {
  if (isEmpty(ownTimer)) {
    polling = false;
    for (const w of waiters.splice(0)) w();
  } else {
    setTimeout(poll, 1, true);
  }
}

/** Resolves once the function has no pending timers, sockets or requests left. */
export function whenEventLoopEmpty(): Promise<void> {
  return new Promise((resolve) => {
    waiters.push(resolve);
    if (!polling) {
      polling = true;
      setImmediate(poll, false);
    }
  });
}
