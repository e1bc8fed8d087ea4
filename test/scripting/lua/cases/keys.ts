import { t, type Case } from './case.js';

/** KEYS and ARGV: byte strings in, their tables' layout as Redis builds them. */
export const keysCases: Case[] = [
  t("KEYS[2] = nil return #KEYS", 1, ["a","b","c"], []),
  t("KEYS[5] = 5 return #KEYS", 3, ["a","b","c"], []),
  t("return {KEYS[1], ARGV[1], ARGV[2], #KEYS, #ARGV}", ["k1","a1","a2",1,2], ["k1"], ["a1","a2"]),
  t("return tonumber(ARGV[1]) + ARGV[2]", 26, [], ["10","0x10"]),
  t("local t = {} for i, v in ipairs(ARGV) do t[#t + 1] = v .. i end return t", ["x1","y2","z3"], [], ["x","y","z"]),
  t("return ARGV[1]:byte(1, -1)", 255, [], ["ÿ\u0001"]),
  t("return {string.byte(ARGV[1], 1, -1)}", [255,0,97], [], ["ÿ\u0000a"]),
  t("return #ARGV[1]", 3, [], ["été"]),
  t("return ARGV[1] .. KEYS[1]", "ÿ\u0000", ["\u0000"], ["ÿ"]),
  t("return cjson.encode(ARGV)", "[\"a\",\"b\"]", [], ["a","b"]),
  t("return cjson.encode(KEYS)", "{}"),
  t("return cmsgpack.pack(KEYS):byte(1)", 144),
  t("ARGV[2] = nil ARGV[3] = nil return #ARGV", 5, [], ["1","2","3","4","5"]),
];
