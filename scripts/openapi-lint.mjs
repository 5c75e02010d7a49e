// Lints the API's OpenAPI document as a register vendor's generator reads
// it: valid against the OpenAPI schema (swagger-parser, pinned in
// package.json), every operation named (operationId, unique) and with an
// error answer (4XX), and a licence. Usage: node scripts/openapi-lint.mjs FILE
import SwaggerParser from "@apidevtools/swagger-parser";

const file = process.argv[2];
const problems = [];
let api;
try {
  api = await SwaggerParser.validate(file);
} catch (err) {
  console.error(`${file}: not valid OpenAPI: ${err.message}`);
  process.exit(1);
}
if (!api.info?.license?.name) problems.push("info.license is missing");
const seen = new Map();
for (const [path, ops] of Object.entries(api.paths ?? {})) {
  for (const [method, op] of Object.entries(ops)) {
    if (!["get", "put", "post", "delete", "patch", "head", "options"].includes(method)) continue;
    const where = `${method.toUpperCase()} ${path}`;
    if (!op.operationId) problems.push(`${where}: no operationId`);
    else if (seen.has(op.operationId)) problems.push(`${where}: operationId ${op.operationId} also on ${seen.get(op.operationId)}`);
    else seen.set(op.operationId, where);
    if (!Object.keys(op.responses ?? {}).some((c) => /^4(\d\d|XX)$/.test(c))) problems.push(`${where}: no 4XX answer`);
  }
}
for (const p of problems) console.error(`${file}: ${p}`);
if (problems.length) process.exit(1);
console.log(`${file}: valid, ${seen.size} operations named`);
