import { defineConfig } from 'vitest/config';

// Two projects: `unit` runs pure tests beside the code; `e2e` boots kernels and servers
// and runs its files one at a time, since a 2-core machine cannot host two VM pools at once.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{core,config,kernel,engine,store,workers,services,cli,scripts}/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/**/*.test.ts'],
          testTimeout: 600_000,
          hookTimeout: 600_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
