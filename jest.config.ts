import type { Config } from 'jest';

const config: Config = {
  rootDir: '.',
  roots: ['<rootDir>/apps', '<rootDir>/libs'],
  // Node, plus a record of the real process's uncaughtException/unhandledRejection events; the
  // setup file fails the test (or the file) during which either fired.
  testEnvironment:
    '<rootDir>/apps/voice-gateway/test/support/process-faults.environment.ts',
  setupFilesAfterEnv: [
    '<rootDir>/apps/voice-gateway/test/support/process-faults.setup.ts',
  ],
  moduleFileExtensions: ['js', 'json', 'ts'],
  // Unit specs beside the code, e2e specs in apps/<app>/test.
  testRegex: '.*\\.(e2e-)?spec\\.ts$',
  transform: {
    // tsconfig.spec.json sets isolatedModules: per-file transpile, no type check.
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }],
  },
  moduleNameMapper: {
    '^@app/audio-bridge(|/.*)$': '<rootDir>/libs/audio-bridge/src$1',
    '^@app/call-manager(|/.*)$': '<rootDir>/libs/call-manager/src$1',
    '^@app/gemini-client(|/.*)$': '<rootDir>/libs/gemini-client/src$1',
    '^@app/media-gateway(|/.*)$': '<rootDir>/libs/media-gateway/src$1',
    '^@app/simulators(|/.*)$': '<rootDir>/libs/simulators/src$1',
    '^@app/twilio(|/.*)$': '<rootDir>/libs/twilio/src$1',
  },
  // Jest's default output (per-file results, then the summary), then one line per skipped suite with
  // its reason: suites that skip by design carry it in their title (libs/simulators/src/shared/
  // skip-reason.util.ts). 'default' is not listed as it always prints its summary last.
  reporters: [
    '<rootDir>/apps/voice-gateway/test/support/progress.reporter.cjs',
    '<rootDir>/apps/voice-gateway/test/support/skip-summary.reporter.cjs',
  ],
  collectCoverageFrom: ['{apps,libs}/*/src/**/*.ts', '!**/main.ts'],
  coverageDirectory: '<rootDir>/coverage',
};

export default config;
