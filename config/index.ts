// config/: what every bpfdiff process reads from its environment, and the logger it configures.
// It imports nothing of bpfdiff's, so every folder but core/ may use it.
export * from './settings.ts';
export { createLogger, logFormat } from './log.ts';
