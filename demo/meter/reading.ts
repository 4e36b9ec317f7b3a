/** What a development vault's meter counted since its last reading (demo/meter/vault.ts); plain data, read by `npm run cost`. */
export interface MeterReading {
  /** RPC calls by method, and alarm invocations. */
  requests: Record<string, number>;
  alarms: number;
  rowsRead: number;
  rowsWritten: number;
  /** setAlarm calls; Cloudflare bills each as one row written. */
  alarmWrites: number;
  d1Batches: number;
  d1RowsRead: number;
  d1RowsWritten: number;
  /** Wall time of alarm invocations (the D1 flush is awaited inside). */
  alarmMs: number;
}
