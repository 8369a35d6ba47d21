/**
 * Ctrl-C / SIGTERM (and a notebook's interrupt, which tslab delivers as SIGINT) become an
 * AbortSignal for the duration of one call. The first signal asks the work to stop
 * cleanly; a second one is left to Node's default handling, so it can always be killed.
 */
export interface Interrupt {
  readonly signal: AbortSignal;
  /** The signal that fired, if any. */
  readonly received: () => NodeJS.Signals | null;
  dispose(): void;
}

export function interruptOnSignals(onFirst?: (sig: NodeJS.Signals) => void, signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM"]): Interrupt {
  const controller = new AbortController();
  let received: NodeJS.Signals | null = null;
  const handler = (sig: NodeJS.Signals) => {
    if (received === null) {
      received = sig;
      onFirst?.(sig);
      controller.abort(new Error(`received ${sig}`));
      // Remove ourselves: a second signal gets the default behaviour (terminate).
      dispose();
    }
  };
  const dispose = () => {
    for (const s of signals) process.removeListener(s, handler);
  };
  for (const s of signals) process.on(s, handler);
  return { signal: controller.signal, received: () => received, dispose };
}
