import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DatasetError, loadPresentations, parseIndexCsv, select } from "./dataset.js";

const CSV = `path,label,attack_type,split,subject,source
a/real/1.jpg,bona_fide,none,train,s1,x
a/attack/2.jpg,attack,print,train,s1,x
b/attack/3.jpg,attack,replay_phone_photo,devel,s2,y
b/real/4.jpg,bona_fide,none,devel,s2,y
a/attack/5.jpg,attack,print,train,s3,x
`;

describe("PAD data", () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), "facegate-pad-data-"));
    for (const f of [
      "bona_fide/alice/1.jpg",
      "bona_fide/bob/2.png",
      "attack/print/alice/3.jpg",
      "attack/replay_tablet_photo/bob/4.jpg",
      "attack/print/alice/notes.txt",
    ]) {
      await mkdir(path.dirname(path.join(root, f)), { recursive: true });
      await writeFile(path.join(root, f), "");
    }
  });
  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it("reads the index CSV format: type is bona_fide or the attack type, paths under the root", () => {
    const p = parseIndexCsv(CSV, "/data");
    expect(p.map((x) => [x.type, x.subject, x.split, x.source])).toEqual([
      ["bona_fide", "s1", "train", "a"],
      ["print", "s1", "train", "a"],
      ["replay_phone_photo", "s2", "devel", "b"],
      ["bona_fide", "s2", "devel", "b"],
      ["print", "s3", "train", "a"],
    ]);
    expect(p[0]!.file).toBe(path.join("/data", "a/real/1.jpg"));
  });

  it("refuses malformed rows with the line number", () => {
    expect(() => parseIndexCsv("path,label\nx,bona_fide\n", "/d")).toThrow(/no 'attack_type' column/);
    expect(() => parseIndexCsv(`${CSV}c/1.jpg,attack,none,train,s9,z\n`, "/d")).toThrow(/:7: an attack needs an attack_type/);
    expect(() => parseIndexCsv(`${CSV}c/1.jpg,live,none,train,s9,z\n`, "/d")).toThrow(DatasetError);
    expect(() => parseIndexCsv(`${CSV}../etc/passwd,bona_fide,none,train,s9,z\n`, "/d")).toThrow(/inside the root/);
    expect(() => parseIndexCsv(`${CSV}"q.jpg",bona_fide,none,train,s9,z\n`, "/d")).toThrow(/quoted/);
  });

  it("reads a bona_fide/<subject> + attack/<type>/<subject> folder tree, images only", async () => {
    const p = await loadPresentations(root);
    expect(p.map((x) => [x.rel, x.type, x.subject])).toEqual([
      ["bona_fide/alice/1.jpg", "bona_fide", "alice"],
      ["bona_fide/bob/2.png", "bona_fide", "bob"],
      [path.join("attack/print/alice/3.jpg"), "print", "alice"],
      [path.join("attack/replay_tablet_photo/bob/4.jpg"), "replay_tablet_photo", "bob"],
    ]);
  });

  it("selects by split and source, and at most N per (source, type) in index order", () => {
    const p = parseIndexCsv(CSV, "/data");
    expect(select(p, { splits: ["devel"] }).map((x) => x.rel)).toEqual(["b/attack/3.jpg", "b/real/4.jpg"]);
    expect(select(p, { sources: ["a"], perType: 1 }).map((x) => x.rel)).toEqual(["a/real/1.jpg", "a/attack/2.jpg"]);
  });
});
