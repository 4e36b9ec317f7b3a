import { describe, expect, it } from "vitest";
import { facePath } from "../pipeline/testing.js";
import { decodeImage, ImageDecodeError, readImageFile, sniffFormat } from "./decode-node.js";

describe("decodeImage (Node)", () => {
  it("decodes JPEG (baseline and progressive) and PNG to RGBA", async () => {
    const baseline = await readImageFile(facePath("obama/obama_1.jpg"));
    expect([baseline.width, baseline.height]).toEqual([910, 1137]);
    const progressive = await readImageFile(facePath("obama/obama_4.jpg"));
    expect([progressive.width, progressive.height]).toEqual([1480, 832]);
    const png = await readImageFile(facePath("lin_manuel_miranda/lin_manuel_miranda_1.png"));
    expect([png.width, png.height]).toEqual([704, 612]);
    expect(png.data.length).toBe(704 * 612 * 4);
  });

  it("shrinks large photos to the cap with the aspect ratio kept", async () => {
    const img = await readImageFile(facePath("biden/biden_1.jpg"), { maxSide: 1000 });
    expect(img.height).toBe(1000);
    expect(img.width).toBe(Math.round((970 * 1000) / 2204));
  });

  it("refuses bytes that are not an image", () => {
    expect(sniffFormat(new Uint8Array([1, 2, 3, 4]))).toBeNull();
    expect(() => decodeImage(new Uint8Array([1, 2, 3, 4]))).toThrow(ImageDecodeError);
    expect(() => decodeImage(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0]))).toThrow(ImageDecodeError);
  });
});
