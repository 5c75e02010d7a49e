// Copies the front-end files the binary embeds from node_modules into
// web/static/vendor (git-ignored). Run by the Makefile after `npm ci`: the
// portal serves these itself and never loads anything from a CDN.
import { cpSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const out = join(root, "web", "static", "vendor");
const nm = join(root, "node_modules");

rmSync(out, { recursive: true, force: true });
const copy = (from, to) => {
  mkdirSync(join(out, to, ".."), { recursive: true });
  cpSync(join(nm, from), join(out, to));
};

const bi = "bootstrap-italia/dist";
copy(`${bi}/css/bootstrap-italia.min.css`, "bootstrap-italia/css/bootstrap-italia.min.css");
copy(`${bi}/js/bootstrap-italia.bundle.min.js`, "bootstrap-italia/js/bootstrap-italia.bundle.min.js");
copy(`${bi}/svg/sprites.svg`, "bootstrap-italia/svg/sprites.svg");
copy("bootstrap-italia/LICENSE", "bootstrap-italia/LICENSE");
for (const family of ["Titillium_Web", "Roboto_Mono", "Lora"]) {
  const dir = join(nm, bi, "fonts", family);
  for (const f of readdirSync(dir)) {
    if (f.endsWith(".woff2") || f === "OFL.txt") copy(`${bi}/fonts/${family}/${f}`, `bootstrap-italia/fonts/${family}/${f}`);
  }
}
copy("uplot/dist/uPlot.iife.min.js", "uplot/uPlot.iife.min.js");
copy("uplot/dist/uPlot.min.css", "uplot/uPlot.min.css");
copy("uplot/LICENSE", "uplot/LICENSE");
console.log("vendor: copied front-end assets to web/static/vendor");
