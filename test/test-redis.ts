// For tests: a real redis-server on 127.0.0.1 (random port) with its data in a temp directory,
// removed again at the end.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedRedis, type EmbeddedRedis } from '../store/index.ts';

export async function startTestRedis(): Promise<EmbeddedRedis & { cleanup(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bpfdiff-redis-'));
  const server = await startEmbeddedRedis({ dataDir });
  return {
    ...server,
    restart: () => server.restart(),
    stop: () => server.stop(),
    async cleanup() {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
