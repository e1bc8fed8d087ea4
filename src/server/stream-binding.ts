/**
 * Node's internal stream_wrap binding, as far as Sluice's socket reader and
 * writer use it: the WriteWrap request class and the shared state through
 * which a handle reports a read's size and whether a write went async.
 * Null where it is missing or not what this expects (another Node); the
 * reader and writer then keep to the documented socket API.
 */
export interface WriteReq {
  handle: unknown;
  /** Called with `this` the request; typed loosely so that a request type with more fields can be used. */
  oncomplete: (status: number) => void;
  async: boolean;
  bytes: number;
  buffer: Buffer | null;
  callback: null;
}

export interface StreamWrapBinding {
  WriteWrap: new () => WriteReq;
  streamBaseState: Int32Array;
  kReadBytesOrError: number;
  kLastWriteWasAsync: number;
}

function load(): StreamWrapBinding | null {
  try {
    const b = (process as unknown as { binding(name: string): Partial<StreamWrapBinding> }).binding('stream_wrap');
    const ok = typeof b.WriteWrap === 'function' && b.streamBaseState instanceof Int32Array
      && typeof b.kReadBytesOrError === 'number' && typeof b.kLastWriteWasAsync === 'number';
    return ok ? (b as StreamWrapBinding) : null;
  } catch {
    return null;
  }
}

export const streamWrap = load();
