import { register } from 'prom-client';
import { useSecrets } from '../logging/secret-scrubber';
import { installProcessFaultHandlers } from './process-faults';

describe('installProcessFaultHandlers', () => {
  it('logs and counts an unhandled rejection and an uncaught exception, and the process goes on', async () => {
    const errors: Array<Record<string, unknown>> = [];
    const logger = {
      log: () => undefined,
      warn: () => undefined,
      error: (entry: Record<string, unknown>) => errors.push(entry),
    };
    const remove = installProcessFaultHandlers(logger);
    try {
      process.emit(
        'unhandledRejection',
        new Error('lost promise'),
        Promise.resolve(),
      );
      process.emit('uncaughtException', new Error('thrown nowhere'));
    } finally {
      remove();
    }
    expect(errors.map((e) => e.kind)).toEqual([
      'unhandledRejection',
      'uncaughtException',
    ]);
    expect(errors[0].stack).toContain('lost promise');
    const metric = await register
      .getSingleMetric('process_faults_total')
      ?.get();
    const byKind: Record<string, number> = {};
    for (const v of metric?.values ?? [])
      byKind[String(v.labels.kind)] = v.value;
    expect(byKind).toEqual({ unhandledRejection: 1, uncaughtException: 1 });
  });

  it('logs a fault without the configured secrets it quotes', () => {
    const secret = 'fault-secret-0123456789';
    useSecrets([secret]);
    const errors: Array<Record<string, unknown>> = [];
    const remove = installProcessFaultHandlers({
      log: () => undefined,
      warn: () => undefined,
      error: (entry: Record<string, unknown>) => errors.push(entry),
    });
    try {
      process.emit(
        'unhandledRejection',
        new Error(`redis://:${secret}@127.0.0.1:6379 refused`),
        Promise.resolve(),
      );
    } finally {
      remove();
    }
    expect(errors[0].err).toBe('redis://:[redacted]@127.0.0.1:6379 refused');
    expect(JSON.stringify(errors)).not.toContain(secret);
  });
});
