import { Counter, Gauge, register } from 'prom-client';

/** Recording metrics (prom-client default registry, served on GET /metrics). */
export const recordingMetrics = {
  finished: new Counter({
    name: 'recordings_finished_total',
    help: 'Call recordings finished, by status (complete, partial: disk too slow, failed)',
    labelNames: ['status'],
  }),
  writeErrors: new Counter({
    name: 'recording_write_errors_total',
    help: 'Recordings whose disk writes failed or did not finish in time',
  }),
  droppedSeconds: new Counter({
    name: 'recording_audio_dropped_seconds_total',
    help: 'Recorded audio replaced by silence because the disk could not keep up (s)',
  }),
  deleted: new Counter({
    name: 'recording_files_deleted_total',
    help: 'Recording files deleted by the retention sweep',
  }),
};

/**
 * Gauges read from the recordings being written when scraped: how many, and how much rendered audio
 * they hold waiting for the disk (bounded per call by RecordingOptions.maxBufferedBytes).
 */
export function registerRecordingGauges(
  read: () => { active: number; bufferedBytes: number },
): void {
  register.removeSingleMetric('recordings_active');
  register.removeSingleMetric('recording_buffered_bytes');
  new Gauge({
    name: 'recordings_active',
    help: 'Call recordings being written now (calls live, or ended and still publishing)',
    collect() {
      this.set(read().active);
    },
  });
  new Gauge({
    name: 'recording_buffered_bytes',
    help: 'Rendered recording audio held in memory waiting for the disk (bytes)',
    collect() {
      this.set(read().bufferedBytes);
    },
  });
}
