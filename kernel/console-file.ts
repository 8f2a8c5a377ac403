// The guest's console as QEMU writes it into a file (`-chardev file`), read from where the
// last read stopped. QEMU's UART writing to a pipe gives up on characters when the reader is
// slow (its transmit retries run out), and a campaign's host process is often slow to read:
// with the event loop blocked 300 ms in every 350, 12 of 20 oops reports lost characters
// ("RIP: 0010:choad_mem" for check_load_mem). Writes to a regular file never wait, so nothing
// is lost, however late the host reads.
import { closeSync, openSync, readSync, rmSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

const CHUNK = 64 * 1024;

export class ConsoleFile {
  private fd: number | undefined;
  private offset = 0;
  private readonly decoder = new StringDecoder('utf8');
  private readonly buf = Buffer.allocUnsafe(CHUNK);

  constructor(readonly path: string) {
    // a file left by an earlier guest of the same name must not be read as this one's
    rmSync(path, { force: true });
  }

  /** What the guest printed since the last call ('' when nothing, or QEMU has not made the file yet). */
  drain(): string {
    if (this.fd === undefined) {
      try {
        this.fd = openSync(this.path, 'r');
      } catch {
        return '';
      }
    }
    let text = '';
    for (;;) {
      const n = readSync(this.fd, this.buf, 0, CHUNK, this.offset);
      if (n <= 0) break;
      this.offset += n;
      text += this.decoder.write(this.buf.subarray(0, n));
      if (n < CHUNK) break;
    }
    return text;
  }

  /** Stops reading and removes the file. */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    rmSync(this.path, { force: true });
  }
}
