/**
 * Progress on stderr for long runs: done/total, rate, ETA. Throttled (a
 * redrawn line twice a second on a terminal, a plain line every 10 s when
 * piped to a log).
 */
export class Progress {
  private done = 0;
  private cached = 0;
  private readonly start = Date.now();
  private last = 0;
  private readonly tty: boolean;

  constructor(
    private readonly label: string,
    private readonly total: number,
    /** null: silent. */
    private readonly out: NodeJS.WriteStream | null = process.stderr,
  ) {
    this.tty = Boolean(out?.isTTY);
  }

  /** One item finished; `cached` items do not count towards the rate. */
  tick(cached = false): void {
    this.done++;
    if (cached) this.cached++;
    const now = Date.now();
    if (now - this.last >= (this.tty ? 500 : 10_000) || this.done === this.total) {
      this.last = now;
      this.print(now);
    }
  }

  private print(now: number): void {
    if (!this.out) return;
    const secs = (now - this.start) / 1000;
    const computed = this.done - this.cached;
    const rate = secs > 0 ? computed / secs : 0;
    const left = this.total - this.done;
    const eta = rate > 0 ? formatDuration(left / rate) : "?";
    const pct = this.total ? Math.floor((100 * this.done) / this.total) : 100;
    const line =
      `${this.label} ${this.done}/${this.total} (${pct}%)` +
      (this.cached ? `, ${this.cached} cached` : "") +
      `, ${rate.toFixed(1)}/s, ETA ${left === 0 ? "0s" : eta}`;
    this.out.write(this.tty ? `\r\x1b[2K${line}` : `${line}\n`);
  }

  finish(): void {
    if (this.done < this.total) this.print(Date.now());
    if (this.tty) this.out?.write("\n");
  }
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}
