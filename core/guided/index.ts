// core/guided: coverage-guided campaigns without kernel coverage. Per program the model's rule
// ids and the reason lines; per campaign their union and a bounded corpus of the programs that
// brought something new; and IR-level mutations of those programs for a share of each batch.
export { formatCoverage, type CoverageSummary } from './coverage.ts';
export { GuidedCampaign, DEFAULT_GUIDED_SHARE, GUIDED_GENERATOR_ID, type GuidedOptions, type CoveredProgram } from './campaign.ts';
