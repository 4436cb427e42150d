// Generates src/conformance-driver-calls.ts: the conformance driver's `call` table for the
// operations of spec/naming.yaml, read from the spec's parameters (spec/dist/openapi.json)
// and AxmeClient's method signatures (src/*.ts, parsed by the TypeScript compiler).
// Usage: node scripts/gen-driver-calls.mjs OUT
//
// The rules, for each parameter before the final `options: RequestOptions`:
// - named (in camelCase) like one of the operation's path parameters: the arg of that
//   wire name, a non-empty string;
// - named like a query parameter or a body member: that arg (a string one must be a
//   non-empty string);
// - the last one, named like none of them: the args left over, as the query object of a
//   GET/DELETE with query parameters or the request body of an operation with one.
// An operation they cannot read makes the generator fail: write it in
// src/conformance-driver-hand-written.ts (`handWrittenCalls`), whose operations are left out.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import yaml from "js-yaml";
import ts from "typescript";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const HAND_WRITTEN = "src/conformance-driver-hand-written.ts";
const HTTP_METHODS = ["get", "post", "put", "patch", "delete"];

/** snake_case of a camelCase parameter name (intentId → intent_id). */
export function wireName(name) {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** operationId → {http, path, query, body (null: none), stream} of the bundled spec. */
export function wireOperations(openapi) {
  const resolve = (node) => {
    while (node && node.$ref) node = node.$ref.slice(2).split("/").reduce((o, k) => o[k], openapi);
    return node;
  };
  const found = new Map();
  for (const item of Object.values(openapi.paths)) {
    for (const http of HTTP_METHODS.filter((m) => item[m])) {
      const op = item[http];
      const params = [...(item.parameters ?? []), ...(op.parameters ?? [])].map(resolve);
      const names = (where) => new Set(params.filter((p) => p.in === where).map((p) => p.name));
      const schema = op.requestBody && resolve(resolve(op.requestBody).content["application/json"].schema);
      const ok = resolve(op.responses["200"]) ?? {};
      found.set(op.operationId, {
        http: http.toUpperCase(),
        path: names("path"),
        query: names("query"),
        body: schema ? new Set(Object.keys(schema.properties ?? {})) : null,
        stream: "text/event-stream" in (ok.content ?? {}),
      });
    }
  }
  return found;
}

/** The methods of `className` and the classes it extends: name → [{name, type}]. */
export function classMethods(sources, className) {
  const classes = new Map();
  for (const { path, text } of sources) {
    const file = ts.createSourceFile(path, text, ts.ScriptTarget.ES2022, true);
    for (const node of file.statements.filter(ts.isClassDeclaration)) {
      const base = node.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0];
      const methods = new Map();
      for (const member of node.members.filter(ts.isMethodDeclaration)) {
        const params = member.parameters.map((p) => ({ name: p.name.getText(file), type: p.type?.getText(file) ?? "" }));
        methods.set(member.name.getText(file), params);
      }
      classes.set(node.name?.text, { base: base?.expression.getText(file), methods });
    }
  }
  const methods = new Map();
  for (let name = className; classes.has(name); name = classes.get(name).base) {
    for (const [method, params] of classes.get(name).methods) if (!methods.has(method)) methods.set(method, params);
  }
  return methods;
}

/** The keys of the object literal `handWrittenCalls` in the hand-written module. */
export function handWrittenNames(text) {
  const file = ts.createSourceFile(HAND_WRITTEN, text, ts.ScriptTarget.ES2022, true);
  for (const statement of file.statements.filter(ts.isVariableStatement)) {
    for (const decl of statement.declarationList.declarations) {
      if (decl.name.getText(file) !== "handWrittenCalls" || !decl.initializer) continue;
      const literal = ts.isObjectLiteralExpression(decl.initializer) ? decl.initializer : decl.initializer.expression;
      return new Set(literal.properties.map((p) => p.name.getText(file).replace(/"/g, "")));
    }
  }
  throw new Error(`${HAND_WRITTEN} has no handWrittenCalls object`);
}

/** The call expression of one operation; throws with the reason the rules cannot read it. */
export function callExpression(method, params, wire) {
  const options = params.at(-1);
  if (!options || options.name !== "options" || options.type !== "RequestOptions") {
    throw new Error(`${method}: its last parameter is not options: RequestOptions`);
  }
  const members = new Set([...wire.path, ...wire.query, ...(wire.body ?? [])]);
  const taken = [];
  const args = params.slice(0, -1).map((p, i, all) => {
    const name = wireName(p.name);
    if (wire.path.has(name) || (members.has(name) && p.type === "string")) {
      taken.push(name);
      return `str(a, ${JSON.stringify(name)})`;
    }
    if (members.has(name)) {
      taken.push(name);
      return `a[${JSON.stringify(name)}] as never`;
    }
    const whole = wire.http === "GET" || wire.http === "DELETE" ? wire.query.size > 0 : wire.body !== null;
    if (i !== all.length - 1 || !whole) {
      throw new Error(`${method}: parameter ${p.name} is no wire member, and not the query or body`);
    }
    return taken.length === 0 ? "a as never" : `rest(${["a", ...taken.map((n) => JSON.stringify(n))].join(", ")}) as never`;
  });
  return `c.${method}(${[...args, "o"].join(", ")})`;
}

/** The whole generated module. */
export function generate({ naming, openapi, sources, handWritten }) {
  const wire = wireOperations(openapi);
  const methods = classMethods(sources, "AxmeClient");
  const calls = [];
  const notCalls = [];
  const problems = [];
  for (const [operation, entry] of Object.entries(naming.operations)) {
    if (handWritten.has(operation)) continue;
    const name = (entry.names ?? entry).typescript;
    if (name === null || name === undefined) notCalls.push([operation, entry.absent.typescript]);
    else if (!wire.has(operation)) problems.push(`${operation}: no such operationId in the spec`);
    else if (wire.get(operation).stream) notCalls.push([operation, "a stream: scenarios read it through observe or listen"]);
    else if (!methods.has(name)) problems.push(`${operation}: AxmeClient has no method ${name}`);
    else {
      try {
        const expression = callExpression(name, methods.get(name), wire.get(operation));
        calls.push(`  ${operation}: (c, ${/\ba\b/.test(expression) ? "a" : "_a"}, o) => ${expression},`);
      } catch (err) {
        problems.push(`${operation}: ${err.message}`);
      }
    }
  }
  if (problems.length > 0) {
    throw new Error(`the rules cannot read these operations; write them in ${HAND_WRITTEN}:\n  ${problems.join("\n  ")}`);
  }
  const quoted = notCalls.map(([op, why]) => `  ${op}: ${JSON.stringify(why)},`);
  return `// Code generated by scripts/gen-driver-calls.mjs from spec/naming.yaml, spec/dist/openapi.json
// and AxmeClient's method signatures. DO NOT EDIT. Regenerate with: make -C typescript gen
import { rest, str, type DriverCall } from "./conformance-driver-args.js";

/** Every operation of spec/naming.yaml that handWrittenCalls does not map, onto its AxmeClient method. */
export const generatedCalls: Record<string, DriverCall> = {
${calls.join("\n")}
};

/** The operations \`call\` does not offer, and why. */
export const notCalls: Record<string, string> = {
${quoted.join("\n")}
};
`;
}

function main() {
  const [out] = process.argv.slice(2);
  if (!out) throw new Error("usage: gen-driver-calls.mjs OUT");
  const spec = join(root, "..", "spec");
  const src = join(root, "src");
  const sources = readdirSync(src)
    .filter((f) => f.endsWith(".ts") && !f.startsWith("conformance-driver"))
    .map((f) => ({ path: f, text: readFileSync(join(src, f), "utf8") }));
  const text = generate({
    naming: yaml.load(readFileSync(join(spec, "naming.yaml"), "utf8")),
    openapi: JSON.parse(readFileSync(join(spec, "dist", "openapi.json"), "utf8")),
    sources,
    handWritten: handWrittenNames(readFileSync(join(root, HAND_WRITTEN), "utf8")),
  });
  mkdirSync(dirname(join(root, out)), { recursive: true });
  writeFileSync(join(root, out), text);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) main();
