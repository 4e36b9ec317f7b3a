import path from "node:path";
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { folderPairs, identityOfPath, limitPairs, loadPairs, parseCsvPairs, parseLfwPairs, PairFileError } from "./pairs.js";

const FIX = path.join(import.meta.dirname, "../fixtures");
const IMAGES = "/data/images";
const read = (f: string) => readFile(path.join(FIX, f), "utf8");

describe("LFW pair files", () => {
  it("reads same and different pairs with LFW's image paths", async () => {
    const pairs = parseLfwPairs(await read("lfw-pairs.txt"), "lfw-pairs.txt", IMAGES);
    expect(pairs).toEqual([
      { a: "/data/images/Alice/Alice_0001.jpg", b: "/data/images/Alice/Alice_0002.jpg", same: true, where: "lfw-pairs.txt:2" },
      { a: "/data/images/Bob/Bob_0001.jpg", b: "/data/images/Bob/Bob_0003.jpg", same: true, where: "lfw-pairs.txt:3" },
      { a: "/data/images/Alice/Alice_0001.jpg", b: "/data/images/Bob/Bob_0002.jpg", same: false, where: "lfw-pairs.txt:4" },
      { a: "/data/images/Carol/Carol_0001.jpg", b: "/data/images/Bob/Bob_0003.jpg", same: false, where: "lfw-pairs.txt:5" },
    ]);
  });

  it("reads the 'folds count' header of View 2, with CRLF line ends", async () => {
    const pairs = parseLfwPairs(await read("lfw-folds.txt"), "lfw-folds.txt", IMAGES);
    expect(pairs.map((p) => p.same)).toEqual([true, false, true, false]);
  });

  it("names file and line of malformed input", async () => {
    expect(() => parseLfwPairs("1\nAlice\t1\t2\nAlice\t1\tBob\t2\textra\n", "f.txt", IMAGES)).toThrow(
      "f.txt:3: expected 'name i j' or 'name1 i name2 j', got 5 fields",
    );
    expect(() => parseLfwPairs(`x\n`, "f.txt", IMAGES)).toThrow("f.txt:1: same-pair count 'x' is not a non-negative integer");
    for (const [file, msg] of [
      ["lfw-bad-fields.txt", "lfw-bad-fields.txt:3: expected"],
      ["lfw-bad-count.txt", "lfw-bad-count.txt:1: header announces 3 same-person pairs, the file has 1"],
      ["lfw-bad-number.txt", "lfw-bad-number.txt:2: image number 'x' is not a positive integer"],
    ] as const) {
      expect(() => parseLfwPairs("", file, IMAGES)).toThrow(PairFileError);
      const text = await read(file);
      expect(() => parseLfwPairs(text, file, IMAGES)).toThrow(msg);
    }
  });

  it("refuses a different-person line naming one person twice", () => {
    expect(() => parseLfwPairs("0\nAlice 1 Alice 2\n", "f.txt", IMAGES)).toThrow("f.txt:2: different-person line names 'Alice' twice");
  });
});

describe("CSV pair files", () => {
  it("reads quoted fields, doubled quotes, a BOM, CRLF, blank lines and a quoted newline", async () => {
    const pairs = parseCsvPairs(await read("pairs.csv"), "pairs.csv", IMAGES);
    expect(pairs).toEqual([
      { a: "/data/images/Alice/Alice_0001.jpg", b: "/data/images/Alice/Alice_0002.jpg", same: true, where: "pairs.csv:2" },
      { a: "/data/images/Bob/Bob, Jr_0001.jpg", b: '/data/images/Alice/"quoted"_0001.jpg', same: false, where: "pairs.csv:3" },
      { a: "/data/images/multi\nline.jpg", b: "/data/images/plain.jpg", same: true, where: "pairs.csv:5" },
    ]);
  });

  it("names file and line of malformed rows", async () => {
    expect(() => parseCsvPairs(`file_x,file_y,Decision\na.jpg,b.jpg,Yes\nc.jpg,d.jpg,Maybe\n`, "p.csv", IMAGES)).toThrow(
      "p.csv:3: Decision must be Yes or No, got 'Maybe'",
    );
    await expect(read("pairs-bad-decision.csv").then((t) => parseCsvPairs(t, "pairs-bad-decision.csv", IMAGES))).rejects.toThrow("pairs-bad-decision.csv:3:");
    await expect(read("pairs-bad-fields.csv").then((t) => parseCsvPairs(t, "pairs-bad-fields.csv", IMAGES))).rejects.toThrow(
      "pairs-bad-fields.csv:2: expected 3 fields, got 2",
    );
    await expect(read("pairs-no-decision.csv").then((t) => parseCsvPairs(t, "pairs-no-decision.csv", IMAGES))).rejects.toThrow(
      "pairs-no-decision.csv:1: header has no 'Decision' column",
    );
    expect(() => parseCsvPairs('file_x,file_y,Decision\n"a.jpg,b.jpg,Yes\n', "q.csv", IMAGES)).toThrow("q.csv:2: unterminated quoted field");
  });
});

describe("folder-per-person directories", () => {
  const people = path.join(FIX, "people");

  it("makes every genuine pair and, by default, as many seeded impostor pairs", async () => {
    const pairs = await folderPairs(people);
    const gen = pairs.filter((p) => p.same);
    const imp = pairs.filter((p) => !p.same);
    // Anna has 3 images (3 pairs), Ben 2 (1 pair), Cleo 1; readme.md and notes.txt are ignored.
    expect(gen.map((p) => [path.basename(p.a), path.basename(p.b)])).toEqual([
      ["Anna_0001.png", "Anna_0002.png"],
      ["Anna_0001.png", "Anna_0003.png"],
      ["Anna_0002.png", "Anna_0003.png"],
      ["Ben_0001.png", "Ben_0002.png"],
    ]);
    expect(imp).toHaveLength(4);
    const keys = imp.map((p) => `${p.a}|${p.b}`);
    expect(new Set(keys).size).toBe(4);
    for (const p of imp) expect(identityOfPath(p.a)).not.toBe(identityOfPath(p.b));
  });

  it("is deterministic for a seed and caps impostors at the cross pairs that exist", async () => {
    const a = await folderPairs(people, { impostors: 5, seed: 3 });
    const b = await folderPairs(people, { impostors: 5, seed: 3 });
    expect(a).toEqual(b);
    const c = await folderPairs(people, { impostors: 5, seed: 4 });
    expect(c.map((p) => p.a + p.b)).not.toEqual(a.map((p) => p.a + p.b));
    // 6 images, 15 pairs, 4 same-person: 11 cross pairs at most.
    expect((await folderPairs(people, { impostors: 100 })).filter((p) => !p.same)).toHaveLength(11);
  });

  it("loadPairs picks the format from the file", async () => {
    expect((await loadPairs({ images: people })).format).toBe("folders");
    expect((await loadPairs({ pairs: path.join(FIX, "pairs.csv"), images: IMAGES })).format).toBe("csv");
    expect((await loadPairs({ pairs: path.join(FIX, "lfw-pairs.txt"), images: IMAGES })).format).toBe("lfw");
  });
});

describe("helpers", () => {
  it("takes identities from LFW file names, else from the folder", () => {
    expect(identityOfPath("/x/George_W_Bush/George_W_Bush_0012.jpg")).toBe("George_W_Bush");
    expect(identityOfPath("/x/anna/portrait.png")).toBe("anna");
  });

  it("limits pairs keeping the genuine/impostor proportion", () => {
    const pairs = Array.from({ length: 10 }, (_, k) => ({ a: `a${k}`, b: `b${k}`, same: k < 5, where: "" }));
    const l = limitPairs(pairs, 4);
    expect(l.map((p) => p.same)).toEqual([true, true, false, false]);
    expect(limitPairs(pairs, 50)).toBe(pairs);
  });
});
