// config/: what every bpfdiff process reads from its environment, and the logger it configures.
// It imports nothing of bpfdiff's, so every folder but core/ may use it.
export * from './settings.ts';
export { createLogger, loggerOptions, logFormat, LOG_REDACT_PATHS, type LogFormat } from './log.ts';
