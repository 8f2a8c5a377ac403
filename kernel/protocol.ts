// The host side of the guest agent's wire protocol (vm-images/agent/PROTOCOL.md, version 1):
// frames, TLV fields and the typed RUN/LOOP requests and responses. Pure: no I/O here.

export const PROTOCOL_VERSION = 1;
/** Frames longer than this are a protocol error on either side. */
export const MAX_FRAME = 64 * 1024 * 1024;
export const RESPONSE_BIT = 0x8000;

export const MsgType = {
  HELLO: 1,
  RUN: 2,
  SYSCTL: 3,
  UNAME: 4,
  TRIGGER: 5,
  LOOP: 6,
  ERROR: 7,
} as const;
export type MsgType = (typeof MsgType)[keyof typeof MsgType];

export const Tag = {
  UNAME: 1,
  AGENT_VERSION: 2,
  PROG_TYPE: 3,
  INSNS: 4,
  BTF: 5,
  FUNC_INFO: 6,
  MAPS: 7,
  INPUT: 8,
  REPEAT: 9,
  LOG_LEVEL: 10,
  LOG_SIZE: 11,
  WANT_JIT_IMAGE: 12,
  STAGE: 13,
  ERRNO: 14,
  LOG: 15,
  BTF_LOG: 16,
  RETVAL: 17,
  TEST_ERRNO: 18,
  DURATION_NS: 19,
  XLATED_LEN: 20,
  JITED_LEN: 21,
  JITED_FUNC_LENS: 22,
  JITED_IMAGE: 23,
  VERIFIED_INSNS: 24,
  NAME: 25,
  VALUE: 26,
  KIND: 27,
  COUNT: 28,
  ELAPSED_NS: 29,
  MESSAGE: 30,
  XLATED: 31,
  MAP_IDS: 32,
} as const;
export type Tag = (typeof Tag)[keyof typeof Tag];

/** How far a RUN got (the STAGE field). */
export const RunStage = {
  DONE: 0,
  BTF_LOAD: 1,
  MAP_CREATE: 2,
  PROG_LOAD: 3,
  TEST_RUN: 4,
} as const;
export type RunStage = (typeof RunStage)[keyof typeof RunStage];

export const TriggerKind = { CRASH: 1, HANG: 2, EXIT: 3 } as const;
export type TriggerKind = (typeof TriggerKind)[keyof typeof TriggerKind];

export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

/** One TLV field; several fields may share a tag, so a frame keeps them as a list. */
export interface Field {
  tag: number;
  value: Uint8Array;
}

export interface Frame {
  id: number;
  type: number;
  fields: Field[];
}

const FRAME_HEADER = 12; // u32 length, u32 id, u16 type, u16 reserved
const FIELD_HEADER = 8; // u16 tag, u16 reserved, u32 len

export function encodeFrame(frame: Frame): Buffer {
  let body = FRAME_HEADER - 4;
  for (const f of frame.fields) body += FIELD_HEADER + f.value.length;
  if (body > MAX_FRAME) throw new ProtocolError(`frame of ${body} bytes exceeds ${MAX_FRAME}`);
  const out = Buffer.allocUnsafe(4 + body);
  out.writeUInt32LE(body, 0);
  out.writeUInt32LE(frame.id >>> 0, 4);
  out.writeUInt16LE(frame.type, 8);
  out.writeUInt16LE(0, 10);
  let at = FRAME_HEADER;
  for (const f of frame.fields) {
    out.writeUInt16LE(f.tag, at);
    out.writeUInt16LE(0, at + 2);
    out.writeUInt32LE(f.value.length, at + 4);
    out.set(f.value, at + FIELD_HEADER);
    at += FIELD_HEADER + f.value.length;
  }
  return out;
}

/** Decodes one complete frame body (everything after the length word). */
export function decodeFrameBody(body: Uint8Array): Frame {
  if (body.length < 8) throw new ProtocolError(`frame body of ${body.length} bytes is shorter than 8`);
  const buf = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const frame: Frame = { id: buf.readUInt32LE(0), type: buf.readUInt16LE(4), fields: [] };
  let at = 8;
  while (at < buf.length) {
    if (buf.length - at < FIELD_HEADER) throw new ProtocolError(`truncated field header at byte ${at}`);
    const tag = buf.readUInt16LE(at);
    const len = buf.readUInt32LE(at + 4);
    const start = at + FIELD_HEADER;
    if (start + len > buf.length) throw new ProtocolError(`field ${tag} of ${len} bytes runs past the frame`);
    frame.fields.push({ tag, value: buf.subarray(start, start + len) });
    at = start + len;
  }
  return frame;
}

/**
 * Reassembles frames from a byte stream that arrives in arbitrary chunks.
 * Chunks are kept in a list and joined only once a whole frame is there, so a
 * 16 MiB log arriving in 64 KiB pieces is copied once, not once per piece.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;

  push(chunk: Uint8Array): Frame[] {
    this.chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    this.buffered += chunk.byteLength;
    const frames: Frame[] = [];
    for (;;) {
      if (this.buffered < 4) break;
      const head = this.peek(4);
      const length = head.readUInt32LE(0);
      if (length < 8 || length > MAX_FRAME) throw new ProtocolError(`bad frame length ${length}`);
      if (this.buffered < 4 + length) break;
      const whole = this.take(4 + length);
      frames.push(decodeFrameBody(whole.subarray(4)));
    }
    return frames;
  }

  private peek(n: number): Buffer {
    if (this.chunks[0].length >= n) return this.chunks[0];
    this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0];
  }

  private take(n: number): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    return out;
  }
}

// ---- field builders and readers ----

export function u32Field(tag: number, v: number): Field {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32LE(v >>> 0, 0);
  return { tag, value: b };
}

export function stringField(tag: number, s: string): Field {
  return { tag, value: Buffer.from(s, 'utf8') };
}

export function bytesField(tag: number, b: Uint8Array): Field {
  return { tag, value: b };
}

export function findField(frame: Frame, tag: number): Uint8Array | undefined {
  return frame.fields.find((f) => f.tag === tag)?.value;
}

function view(b: Uint8Array): Buffer {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

function expectLen(tag: number, b: Uint8Array, len: number): Buffer {
  if (b.length !== len) throw new ProtocolError(`field ${tag}: expected ${len} bytes, got ${b.length}`);
  return view(b);
}

export function readU32(frame: Frame, tag: number): number | undefined {
  const b = findField(frame, tag);
  return b === undefined ? undefined : expectLen(tag, b, 4).readUInt32LE(0);
}

export function readI32(frame: Frame, tag: number): number | undefined {
  const b = findField(frame, tag);
  return b === undefined ? undefined : expectLen(tag, b, 4).readInt32LE(0);
}

export function readU64(frame: Frame, tag: number): bigint | undefined {
  const b = findField(frame, tag);
  return b === undefined ? undefined : expectLen(tag, b, 8).readBigUInt64LE(0);
}

export function readString(frame: Frame, tag: number): string | undefined {
  const b = findField(frame, tag);
  return b === undefined ? undefined : view(b).toString('utf8');
}

export function readU32Array(frame: Frame, tag: number): number[] | undefined {
  const b = findField(frame, tag);
  if (b === undefined) return undefined;
  if (b.length % 4 !== 0) throw new ProtocolError(`field ${tag}: ${b.length} bytes is not a u32 array`);
  const v = view(b);
  const out: number[] = [];
  for (let at = 0; at < b.length; at += 4) out.push(v.readUInt32LE(at));
  return out;
}

// ---- typed messages ----

export interface MapSpec {
  mapType: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
}

/** The RUN request's fields (also the body of LOOP, plus a count). */
export interface RunRequest {
  progType: number;
  insns: Uint8Array;
  /** empty: load without BTF and func_info */
  btf?: Uint8Array;
  funcInfo?: Uint8Array;
  maps?: MapSpec[];
  input?: Uint8Array;
  repeat?: number;
  logLevel?: number;
  logSize?: number;
  wantJitImage?: boolean;
}

export interface RunResponse {
  stage: RunStage;
  errno: number;
  log: string;
  btfLog?: string;
  retval?: number;
  testErrno?: number;
  durationNs?: number;
  xlatedLen?: number;
  jitedLen?: number;
  jitedFuncLens?: number[];
  jitedImage?: Uint8Array;
  /** `xlated_prog_insns` as bpf_insn_prepare_dump leaves it (map loads carry map ids) */
  xlated?: Uint8Array;
  /** ids of the program's used maps, in the verifier's order (first reference first) */
  mapIds?: number[];
  verifiedInsns?: number;
}

export interface LoopResponse {
  errno: number;
  elapsedNs: bigint;
  retval?: number;
}

export interface Hello {
  uname: string;
  agentVersion: number;
}

export function encodeMaps(maps: readonly MapSpec[]): Uint8Array {
  const b = Buffer.alloc(maps.length * 16);
  maps.forEach((m, i) => {
    b.writeUInt32LE(m.mapType, i * 16);
    b.writeUInt32LE(m.keySize, i * 16 + 4);
    b.writeUInt32LE(m.valueSize, i * 16 + 8);
    b.writeUInt32LE(m.maxEntries, i * 16 + 12);
  });
  return b;
}

export function runFields(req: RunRequest): Field[] {
  const fields: Field[] = [u32Field(Tag.PROG_TYPE, req.progType), bytesField(Tag.INSNS, req.insns)];
  // BTF and FUNC_INFO are listed as request fields; empty means "no BTF".
  fields.push(bytesField(Tag.BTF, req.btf ?? new Uint8Array()));
  fields.push(bytesField(Tag.FUNC_INFO, req.funcInfo ?? new Uint8Array()));
  if (req.maps && req.maps.length > 0) fields.push(bytesField(Tag.MAPS, encodeMaps(req.maps)));
  if (req.input) fields.push(bytesField(Tag.INPUT, req.input));
  if (req.repeat !== undefined) fields.push(u32Field(Tag.REPEAT, req.repeat));
  if (req.logLevel !== undefined) fields.push(u32Field(Tag.LOG_LEVEL, req.logLevel));
  if (req.logSize !== undefined) fields.push(u32Field(Tag.LOG_SIZE, req.logSize));
  if (req.wantJitImage) fields.push(u32Field(Tag.WANT_JIT_IMAGE, 1));
  return fields;
}

export function decodeRunResponse(frame: Frame): RunResponse {
  const stage = readU32(frame, Tag.STAGE);
  if (stage === undefined) throw new ProtocolError('RUN response without STAGE');
  if (stage > RunStage.TEST_RUN) throw new ProtocolError(`RUN response with unknown STAGE ${stage}`);
  const image = findField(frame, Tag.JITED_IMAGE);
  const xlated = findField(frame, Tag.XLATED);
  return {
    stage: stage as RunStage,
    errno: readI32(frame, Tag.ERRNO) ?? 0,
    log: readString(frame, Tag.LOG) ?? '',
    btfLog: readString(frame, Tag.BTF_LOG),
    retval: readU32(frame, Tag.RETVAL),
    testErrno: readI32(frame, Tag.TEST_ERRNO),
    durationNs: readU32(frame, Tag.DURATION_NS),
    xlatedLen: readU32(frame, Tag.XLATED_LEN),
    jitedLen: readU32(frame, Tag.JITED_LEN),
    jitedFuncLens: readU32Array(frame, Tag.JITED_FUNC_LENS),
    // copy: the field is a view into a frame buffer that may be reused
    jitedImage: image === undefined ? undefined : Uint8Array.from(image),
    xlated: xlated === undefined ? undefined : Uint8Array.from(xlated),
    mapIds: readU32Array(frame, Tag.MAP_IDS),
    verifiedInsns: readU32(frame, Tag.VERIFIED_INSNS),
  };
}

export function decodeLoopResponse(frame: Frame): LoopResponse {
  const elapsedNs = readU64(frame, Tag.ELAPSED_NS);
  return {
    errno: readI32(frame, Tag.ERRNO) ?? 0,
    elapsedNs: elapsedNs ?? 0n,
    retval: readU32(frame, Tag.RETVAL),
  };
}

export function decodeHello(frame: Frame): Hello {
  const uname = readString(frame, Tag.UNAME);
  if (uname === undefined) throw new ProtocolError('HELLO without UNAME');
  return { uname, agentVersion: readU32(frame, Tag.AGENT_VERSION) ?? 0 };
}
