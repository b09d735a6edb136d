// A server's WebSocket text frame (RFC 6455 §5.2): FIN and the text opcode,
// the payload length in 7, 16 or 64 bits, no mask (only clients mask). A
// frame a server sends is the same bytes for every client, so an update is
// framed once and the one buffer is written to each follower's socket, where
// `ws` would build a header and make two writes per socket.
const FIN_TEXT = 0x81;
const LENGTH_16 = 126;
const LENGTH_64 = 127;

export function textFrame(payload: Buffer): Buffer {
  const length = payload.length;
  const headerLength = length < LENGTH_16 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + length);
  frame[0] = FIN_TEXT;
  if (headerLength === 2) frame[1] = length;
  else if (headerLength === 4) {
    frame[1] = LENGTH_16;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = LENGTH_64;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  payload.copy(frame, headerLength);
  return frame;
}
