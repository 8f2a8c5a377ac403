// One line at the bottom of a terminal that is redrawn in place (the campaign's progress), with
// log lines written above it: each write clears the status line, writes, and draws it again.
import { Writable } from 'node:stream';

export class StatusLine {
  private text = '';
  /** where log lines go so they appear above the status line */
  readonly above: Writable;

  constructor(private readonly tty: NodeJS.WritableStream & { columns?: number }) {
    this.above = new Writable({
      write: (chunk: Buffer | string, _encoding, done) => {
        this.tty.write(`\r\x1b[2K${chunk.toString()}`);
        this.draw();
        done();
      },
    });
  }

  set(text: string): void {
    this.text = text;
    this.tty.write('\r\x1b[2K');
    this.draw();
  }

  /** removes the line (at exit), leaving the last text as a plain line when `keep` */
  clear(keep = false): void {
    this.tty.write(keep && this.text ? `\r\x1b[2K${this.text}\n` : '\r\x1b[2K');
    this.text = '';
  }

  private draw(): void {
    if (!this.text) return;
    const width = this.tty.columns ?? 120;
    this.tty.write(this.text.length > width - 1 ? `${this.text.slice(0, width - 2)}…` : this.text);
  }
}
