// kernel/: the real-kernel side on the host: the image catalog, QEMU guests running the
// bpfdiff agent, the VM pool, and the mapping of agent answers to Outcomes.
export { VmPool, PoolBrokenError, DEFAULT_CPU_MODEL, type PoolOptions, type PoolJob, type PoolMetrics, type GuestInfo, type RunProgress } from './pool.ts';
export { Vm, VmBootError, BASE_APPEND, describeExit, type Accel, type VmConfig, type VmReply, type VmExit } from './vm.ts';
export { chooseAccel, probeKvm, accelCachePath, type AccelChoice } from './accel.ts';
export {
  readCatalog,
  resolveKernel,
  defaultCatalogPath,
  KernelCatalogError,
  CATALOG_FORMAT,
  type Catalog,
  type KernelImage,
} from './catalog.ts';
export { outcomeFromRun, crashOutcome, hangOutcome, errorOutcome, errnoName, type OutcomeContext } from './outcome.ts';
export { runRequestFor, needsBtf, type RunSettings } from './run-request.ts';
export { scanConsole, hasFatalLine, ConsoleLog, type ConsoleTrouble } from './console.ts';
export { AgentClient, AgentGoneError, RequestTimeoutError } from './agent-client.ts';
export * as protocol from './protocol.ts';
export { runSelftests, selftestLogLevel, type SelftestRunOptions } from './selftest-run.ts';
