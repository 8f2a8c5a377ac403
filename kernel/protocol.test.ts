import { describe, expect, it } from 'vitest';
import {
  FrameDecoder,
  MsgType,
  ProtocolError,
  RESPONSE_BIT,
  RunStage,
  Tag,
  bytesField,
  decodeFrameBody,
  decodeLoopResponse,
  decodeRunResponse,
  encodeFrame,
  encodeMaps,
  readU32,
  runFields,
  stringField,
  u32Field,
  type Field,
} from './protocol.ts';

describe('frames', () => {
  it('encodes the header and TLVs exactly as PROTOCOL.md lays them out', () => {
    const bytes = encodeFrame({ id: 7, type: MsgType.SYSCTL, fields: [stringField(Tag.NAME, 'ab'), u32Field(Tag.KIND, 1)] });
    expect(bytes.toString('hex')).toBe(
      [
        '1e000000', // length: 8 + (8+2) + (8+4) = 30
        '07000000', // id
        '0300', '0000', // type, reserved
        '1900', '0000', '02000000', '6162', // NAME "ab"
        '1b00', '0000', '04000000', '01000000', // KIND 1
      ].join(''),
    );
  });

  it('reassembles frames split at every byte and several frames in one chunk', () => {
    const a = encodeFrame({ id: 1, type: MsgType.RUN | RESPONSE_BIT, fields: [u32Field(Tag.STAGE, 0)] });
    const b = encodeFrame({ id: 2, type: MsgType.RUN | RESPONSE_BIT, fields: [bytesField(Tag.LOG, Buffer.alloc(300, 0x41))] });
    const stream = Buffer.concat([a, b]);
    const dec = new FrameDecoder();
    const got = [];
    for (let i = 0; i < stream.length; i++) got.push(...dec.push(stream.subarray(i, i + 1)));
    expect(got.map((f) => f.id)).toEqual([1, 2]);
    expect(Buffer.from(got[1].fields[0].value).toString()).toBe('A'.repeat(300));
    expect(new FrameDecoder().push(stream).map((f) => f.id)).toEqual([1, 2]);
  });

  it('rejects a field that runs past its frame and a length below 8', () => {
    const body = Buffer.from('01000000' + '0200' + '0000' + '0f00' + '0000' + '09000000' + '41', 'hex');
    expect(() => decodeFrameBody(body)).toThrow(ProtocolError);
    expect(() => new FrameDecoder().push(Buffer.from('04000000', 'hex'))).toThrow(/bad frame length 4/);
  });
});

function response(fields: Field[]) {
  return decodeFrameBody(encodeFrame({ id: 3, type: MsgType.RUN | RESPONSE_BIT, fields }).subarray(4));
}

describe('RUN and LOOP messages', () => {
  it('sends BTF and FUNC_INFO (empty when absent) and only the optional fields that are set', () => {
    const fields = runFields({ progType: 3, insns: new Uint8Array(8), maps: [{ mapType: 2, keySize: 4, valueSize: 8, maxEntries: 1 }], logLevel: 2 });
    expect(fields.map((f) => f.tag)).toEqual([Tag.PROG_TYPE, Tag.INSNS, Tag.BTF, Tag.FUNC_INFO, Tag.MAPS, Tag.LOG_LEVEL]);
    expect(fields[2].value.length).toBe(0);
    expect(Buffer.from(encodeMaps([{ mapType: 2, keySize: 4, valueSize: 8, maxEntries: 1 }])).toString('hex')).toBe(
      '02000000040000000800000001000000',
    );
  });

  it('decodes a RUN response with JIT facts', () => {
    const lens = Buffer.alloc(8);
    lens.writeUInt32LE(50, 0);
    lens.writeUInt32LE(79, 4);
    const r = decodeRunResponse(
      response([
        u32Field(Tag.STAGE, RunStage.DONE),
        u32Field(Tag.ERRNO, 0),
        stringField(Tag.LOG, 'processed 9 insns'),
        u32Field(Tag.RETVAL, 1315),
        u32Field(Tag.JITED_LEN, 129),
        bytesField(Tag.JITED_FUNC_LENS, lens),
        u32Field(Tag.VERIFIED_INSNS, 9),
      ]),
    );
    expect(r).toMatchObject({ stage: 0, errno: 0, retval: 1315, jitedLen: 129, jitedFuncLens: [50, 79], verifiedInsns: 9 });
  });

  it('decodes the rewritten program and the used maps ids', () => {
    const ids = Buffer.alloc(8);
    ids.writeUInt32LE(17, 0);
    ids.writeUInt32LE(9, 4);
    const xlated = Buffer.from('b700000001000000', 'hex');
    const r = decodeRunResponse(response([u32Field(Tag.STAGE, RunStage.DONE), bytesField(Tag.XLATED, xlated), bytesField(Tag.MAP_IDS, ids)]));
    expect(Buffer.from(r.xlated ?? []).toString('hex')).toBe('b700000001000000');
    expect(r.mapIds).toEqual([17, 9]);
  });

  it('reads a negative ERRNO and a u64 ELAPSED_NS', () => {
    const ns = Buffer.alloc(8);
    ns.writeBigUInt64LE(5_000_000_000n);
    const f = response([u32Field(Tag.ERRNO, -22), bytesField(Tag.ELAPSED_NS, ns)]);
    expect(decodeLoopResponse(f)).toMatchObject({ errno: -22, elapsedNs: 5_000_000_000n });
    expect(readU32(f, Tag.ERRNO)).toBe(0xffffffea);
  });

  it('refuses a RUN response without STAGE', () => {
    expect(() => decodeRunResponse(response([]))).toThrow(/STAGE/);
  });
});
