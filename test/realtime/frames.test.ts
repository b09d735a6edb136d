// The hub frames each update itself; the bytes must be exactly what `ws`
// would send for the same text, at every length encoding.
import { describe, expect, it } from 'vitest';
import * as ws from 'ws';
import { textFrame } from '../../src/realtime/frames.js';

interface FrameOptions {
  readonly fin: boolean;
  readonly rsv1: boolean;
  readonly opcode: number;
  readonly mask: boolean;
  readonly readOnly: boolean;
}

/** `ws` exports its Sender, which @types/ws does not describe. */
const { Sender } = ws as unknown as {
  readonly Sender: { frame(data: Buffer, options: FrameOptions): Buffer[] };
};

function wsFrame(payload: Buffer): Buffer {
  const options = { fin: true, rsv1: false, opcode: 1, mask: false, readOnly: true };
  return Buffer.concat(Sender.frame(payload, options));
}

describe('textFrame', () => {
  it.each([0, 1, 125, 126, 127, 65_535, 65_536, 70_000])(
    'frames a %i-byte payload as ws does',
    (length) => {
      const payload = Buffer.alloc(length, 'x');
      expect(textFrame(payload).equals(wsFrame(payload))).toBe(true);
    },
  );
});
