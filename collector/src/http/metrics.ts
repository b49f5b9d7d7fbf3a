// The collector's own health for Prometheus (`GET /metrics`): counters kept in memory by the
// routes, gauges read from the store at scrape time. Hand-written text exposition format.
import type { StoreStats } from '../store/store.js';

const LATENCY_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export class CollectorMetrics {
  ingestedReports = 0;
  duplicateReports = 0;
  ingestRequests = 0;
  enrolled = 0;
  readonly rejected = new Map<string, number>();
  private readonly latencyBuckets = LATENCY_BUCKETS_S.map(() => 0);
  private latencyCount = 0;
  private latencySum = 0;

  reject(reason: string): void {
    this.rejected.set(reason, (this.rejected.get(reason) ?? 0) + 1);
  }

  observeIngest(seconds: number): void {
    this.latencyCount++;
    this.latencySum += seconds;
    for (const [i, le] of LATENCY_BUCKETS_S.entries()) if (seconds <= le) this.latencyBuckets[i]!++;
  }

  render(stats: StoreStats): string {
    const out: string[] = [];
    const metric = (name: string, type: string, help: string, lines: string[]) =>
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...lines);
    metric('vitals_ingested_reports_total', 'counter', 'Reports stored for the first time.', [
      `vitals_ingested_reports_total ${this.ingestedReports}`,
    ]);
    metric('vitals_duplicate_reports_total', 'counter', 'Reports received again (agent retries), stored once.', [
      `vitals_duplicate_reports_total ${this.duplicateReports}`,
    ]);
    metric('vitals_ingest_requests_total', 'counter', 'Ingest requests answered 200.', [
      `vitals_ingest_requests_total ${this.ingestRequests}`,
    ]);
    metric('vitals_enrollments_total', 'counter', 'Agents enrolled by this process.', [
      `vitals_enrollments_total ${this.enrolled}`,
    ]);
    metric(
      'vitals_rejected_requests_total',
      'counter',
      'Requests answered 4xx/5xx, by error code.',
      [...this.rejected].map(([reason, n]) => `vitals_rejected_requests_total{reason="${reason}"} ${n}`),
    );
    metric('vitals_ingest_duration_seconds', 'histogram', 'Ingest request time until the batch is committed.', [
      ...LATENCY_BUCKETS_S.map(
        (le, i) => `vitals_ingest_duration_seconds_bucket{le="${le}"} ${this.latencyBuckets[i]}`,
      ),
      `vitals_ingest_duration_seconds_bucket{le="+Inf"} ${this.latencyCount}`,
      `vitals_ingest_duration_seconds_sum ${this.latencySum}`,
      `vitals_ingest_duration_seconds_count ${this.latencyCount}`,
    ]);
    metric('vitals_agents', 'gauge', 'Enrolled agents that are not retired.', [`vitals_agents ${stats.agents}`]);
    metric('vitals_db_size_bytes', 'gauge', 'Database file size including the WAL.', [
      `vitals_db_size_bytes ${stats.dbBytes}`,
    ]);
    metric('vitals_write_queue_batches', 'gauge', 'Ingest batches waiting for the next group commit.', [
      `vitals_write_queue_batches ${stats.pendingBatches}`,
    ]);
    metric('vitals_write_commits_total', 'counter', 'Group-commit transactions.', [
      `vitals_write_commits_total ${stats.commits}`,
    ]);
    return `${out.join('\n')}\n`;
  }
}
