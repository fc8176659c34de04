/**
 * Packs an app directory into a .tar.gz for `convergence deploy`, in memory: regular files,
 * directories and symbolic links (never followed), honouring `.gitignore` and `.convergenceignore`
 * at its root (`.git` is always left out). A minimal ustar writer: the CLI needs no tar library.
 */
import { lstatSync, readFileSync, readdirSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

interface Rule {
  re: RegExp;
  negate: boolean;
  dirOnly: boolean;
}

/** One gitignore line → a rule (blank lines and comments → null). The common syntax: `*`, `**`, `?`, a leading `/`, a trailing `/`, `!`. */
export function ignoreRule(line: string): Rule | null {
  let p = line.replace(/\s+$/, "");
  if (!p || p.startsWith("#")) return null;
  const negate = p.startsWith("!");
  if (negate) p = p.slice(1);
  const dirOnly = p.endsWith("/");
  if (dirOnly) p = p.slice(0, -1);
  const anchored = p.startsWith("/") || p.includes("/");
  p = p.replace(/^\//, "");
  let re = "";
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === "*" && p[i + 1] === "*") {
      re += p[i + 2] === "/" ? "(?:.*/)?" : ".*";
      i += p[i + 2] === "/" ? 2 : 1;
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return { re: new RegExp(`^${anchored ? "" : "(?:.*/)?"}${re}(?:/.*)?$`), negate, dirOnly };
}

export function isIgnored(rules: Rule[], path: string, isDir: boolean): boolean {
  let ignored = false;
  for (const r of rules) {
    // An ignored directory is never walked into, so a rule only for directories need not match files below it.
    if (r.dirOnly && !isDir) continue;
    if (r.re.test(path)) ignored = !r.negate;
  }
  return ignored;
}

function header(name: string, type: "0" | "2" | "5", size: number, mode: number, linkname = ""): Buffer {
  const h = Buffer.alloc(512);
  let prefix = "";
  let base = name;
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf("/", 154);
    prefix = name.slice(0, cut);
    base = name.slice(cut + 1);
    if (cut < 0 || Buffer.byteLength(base) > 100 || Buffer.byteLength(prefix) > 155) throw new Error(`path too long for an archive: ${name}`);
  }
  const put = (s: string, at: number, len: number) => h.write(s, at, len, "utf8");
  const oct = (n: number, len: number) => n.toString(8).padStart(len - 1, "0");
  put(base, 0, 100);
  put(oct(mode & 0o7777, 8), 100, 8);
  put(oct(0, 8), 108, 8);
  put(oct(0, 8), 116, 8);
  put(oct(size, 12), 124, 12);
  put(oct(Math.floor(Date.now() / 1000), 12), 136, 12);
  h.fill(" ", 148, 156);
  put(type, 156, 1);
  put(linkname, 157, 100);
  put("ustar\0", 257, 6);
  put("00", 263, 2);
  put(prefix, 345, 155);
  let sum = 0;
  for (const b of h) sum += b;
  put(`${sum.toString(8).padStart(6, "0")}\0 `, 148, 8);
  return h;
}

/** The directory as a .tar.gz, and how many entries it holds. */
export function packDirectory(dir: string): { archive: Buffer; entries: number } {
  const rules = [".gitignore", ".convergenceignore"].flatMap((f) => {
    try {
      return readFileSync(join(dir, f), "utf8")
        .split("\n")
        .map(ignoreRule)
        .filter((r): r is Rule => r !== null);
    } catch {
      return [];
    }
  });
  const parts: Buffer[] = [];
  let entries = 0;
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const path = rel ? `${rel}/${name}` : name;
      if (name === ".git" && !rel) continue;
      const st = lstatSync(join(dir, path));
      if (isIgnored(rules, path, st.isDirectory())) continue;
      entries++;
      if (st.isSymbolicLink()) parts.push(header(path, "2", 0, 0o777, readlinkSync(join(dir, path))));
      else if (st.isDirectory()) {
        parts.push(header(`${path}/`, "5", 0, 0o755));
        walk(path);
      } else if (st.isFile()) {
        const data = readFileSync(join(dir, path));
        parts.push(header(path, "0", data.length, st.mode), data, Buffer.alloc((512 - (data.length % 512)) % 512));
      } else entries--; // sockets, fifos, devices: never packed
    }
  };
  walk("");
  parts.push(Buffer.alloc(1024));
  return { archive: gzipSync(Buffer.concat(parts)), entries };
}
