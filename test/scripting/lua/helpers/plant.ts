import fs from 'node:fs';

/** Rewrites the generated code a store file holds (dropping V8's cache of the old code), keeping its source. */
export function plant(file: string, change: (code: string) => string): void {
  const data = fs.readFileSync(file);
  const magicEnd = data.indexOf(10);
  const headerEnd = data.indexOf(10, magicEnd + 1);
  const header = JSON.parse(data.toString('utf8', magicEnd + 1, headerEnd)) as { codeBytes: number; v8Bytes: number };
  const code = Buffer.from(change(data.toString('utf8', headerEnd + 1, headerEnd + 1 + header.codeBytes)));
  header.codeBytes = code.length;
  header.v8Bytes = 0;
  fs.writeFileSync(file, Buffer.concat([data.subarray(0, magicEnd + 1), Buffer.from(`${JSON.stringify(header)}\n`), code]), { mode: 0o600 });
}
