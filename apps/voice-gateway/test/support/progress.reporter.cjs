// Jest's own per-file output: what its 'default' reporter prints, without the summary, which
// skip-summary.reporter.cjs prints followed by the skipped suites (see jest.config.ts).
const { DefaultReporter, VerboseReporter } = require('@jest/reporters');

module.exports = function ProgressReporter(globalConfig) {
  return globalConfig.verbose
    ? new VerboseReporter(globalConfig)
    : new DefaultReporter(globalConfig);
};
