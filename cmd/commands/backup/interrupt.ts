// Ctrl-C or SIGTERM during a run that writes to a storage location: the first one aborts the run
// (which then records how it ended, e.g. a backup Failed "interrupted"), a second one quits at once.
import type { Writable } from 'node:stream';

export interface Interrupt {
  signal: AbortSignal;
  /** Stops listening for the signals. */
  dispose(): void;
}

export function interruptOnSignals(stderr: Writable, says: (signal: NodeJS.Signals) => string): Interrupt {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(130);
    stderr.write(`\n${signal}: ${says(signal)} (Ctrl-C again to quit at once)\n`);
    controller.abort(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
