import { byteString } from './byte-string.js';

/**
 * Splits an inline request line into arguments with Redis's quoting rules
 * (sdssplitargs): "double quotes" take \xHH and C escapes, 'single quotes'
 * take only \', and a closing quote must be followed by a space or the end.
 * Returns null for unbalanced quotes.
 */
export function splitInlineArgs(line: Buffer): Buffer[] | null {
  const args: Buffer[] = [];
  const n = line.length;
  let i = 0;
  while (true) {
    while (i < n && isSpace(line[i])) i++;
    if (i >= n) return args;
    const bytes: number[] = [];
    let inDouble = false;
    let inSingle = false;
    let done = false;
    while (!done) {
      const c = line[i];
      if (inDouble) {
        if (i >= n) return null;
        if (c === 0x5c && i + 3 < n && line[i + 1] === 0x78 && isHex(line[i + 2]) && isHex(line[i + 3])) {
          bytes.push(hexValue(line[i + 2]) * 16 + hexValue(line[i + 3]));
          i += 3;
        } else if (c === 0x5c && i + 1 < n) {
          i++;
          bytes.push(unescape(line[i]));
        } else if (c === 0x22) {
          if (i + 1 < n && !isSpace(line[i + 1])) return null;
          done = true;
        } else {
          bytes.push(c);
        }
      } else if (inSingle) {
        if (i >= n) return null;
        if (c === 0x5c && i + 1 < n && line[i + 1] === 0x27) {
          i++;
          bytes.push(0x27);
        } else if (c === 0x27) {
          if (i + 1 < n && !isSpace(line[i + 1])) return null;
          done = true;
        } else {
          bytes.push(c);
        }
      } else if (i >= n || endsBareWord(c)) {
        done = true;
      } else if (c === 0x22) {
        inDouble = true;
      } else if (c === 0x27) {
        inSingle = true;
      } else {
        bytes.push(c);
      }
      if (i < n) i++;
    }
    args.push(Buffer.from(bytes));
  }
}

/**
 * splitInlineArgs for the usual line, one without quotes: it splits on
 * blanks alone, straight into byte strings. Returns null when the line has
 * a quote, which only splitInlineArgs handles.
 */
export function splitUnquotedInline(buf: Buffer, start: number, end: number): string[] | null {
  // Words are counted first, so that argv is made at its size: an array grown by push leaves its smaller backing stores as garbage.
  let words = 0;
  let inWord = false;
  for (let i = start; i < end; i++) {
    const c = buf[i];
    if (c === 0x22 || c === 0x27) return null;
    if (inWord) inWord = !endsBareWord(c);
    else if (!isSpace(c)) {
      inWord = true;
      words++;
    }
  }
  const args = new Array<string>(words);
  let i = start;
  for (let w = 0; w < words; w++) {
    while (isSpace(buf[i])) i++;
    let j = i + 1;
    while (j < end && !endsBareWord(buf[j])) j++;
    args[w] = byteString(buf, i, j - i);
    i = j;
  }
  return args;
}

function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/** Only these end an unquoted word: \v and \f are skipped between words but kept inside one, as in Redis. */
function endsBareWord(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

function hexValue(c: number): number {
  if (c <= 0x39) return c - 0x30;
  if (c >= 0x61) return c - 0x61 + 10;
  return c - 0x41 + 10;
}

function unescape(c: number): number {
  switch (c) {
    case 0x6e: return 0x0a; // n
    case 0x72: return 0x0d; // r
    case 0x74: return 0x09; // t
    case 0x62: return 0x08; // b
    case 0x61: return 0x07; // a
    default: return c;
  }
}
