// Node's Buffer has fast latin1 accessors that @types/node leaves out; byte
// strings (one latin1 char per byte) are how Sluice holds binary-safe data.
declare global {
  interface Buffer {
    latin1Slice(start: number, end: number): string;
    latin1Write(s: string, offset: number, length?: number): number;
  }
}
export {};
