// Clean shutdown for the service commands: on the first SIGINT/SIGTERM close everything in
// order (API, workers, Redis) under a force-exit timer; a second signal exits at once.
import type { Logger } from 'pino';

export interface Closer {
  name: string;
  close(): Promise<void>;
}

/** Resolves once every closer has run after a signal; the caller then returns from main. */
export function closeOnSignal(closers: Closer[], log: Logger, forceAfterMs = 20_000): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        log.warn({ signal }, 'second signal: exiting now');
        process.exit(130);
      }
      stopping = true;
      log.info({ signal }, 'shutting down');
      const force = setTimeout(() => {
        log.error({ afterMs: forceAfterMs }, 'shutdown took too long: exiting');
        process.exit(1);
      }, forceAfterMs);
      force.unref();
      void (async () => {
        for (const closer of closers) {
          try {
            await closer.close();
            log.info({ part: closer.name }, 'closed');
          } catch (err) {
            log.error({ part: closer.name, err: (err as Error).message }, 'close failed');
          }
        }
        clearTimeout(force);
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        resolve();
      })();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
