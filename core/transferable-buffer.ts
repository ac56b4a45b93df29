import { isArrayBuffer } from "node:util/types";

/**
 * The memory behind `view`, when the view spans all of it and it may be transferred to
 * another thread (not a SharedArrayBuffer); undefined for a view into a larger buffer
 * (Node's pooled Buffers), whose transfer would take the rest of that buffer with it.
 * `isArrayBuffer` rather than `instanceof`: a buffer received from another thread, or
 * made in another realm, fails `instanceof ArrayBuffer`.
 */
export function transferableBuffer(view: Uint8Array): ArrayBuffer | undefined {
  const { buffer } = view;
  return view.byteOffset === 0 && view.byteLength === buffer.byteLength && isArrayBuffer(buffer)
    ? buffer
    : undefined;
}
