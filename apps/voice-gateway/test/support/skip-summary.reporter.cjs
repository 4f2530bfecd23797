// Jest loads reporters with plain require(), not through its transform: compile the TypeScript
// reporter beside this file on the fly (transpile only; it imports nothing but Node and a pure util).
require('ts-node').register({
  transpileOnly: true,
  compilerOptions: { module: 'commonjs' },
});
module.exports = require('./skip-summary.reporter.ts').SkipSummaryReporter;
