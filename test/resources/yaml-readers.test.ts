// The fast YAML reader (js-yaml) and the precise one (`yaml`) must give the same cluster, the same issues
// and the same positions: on every fixture (valid and invalid), on a generated cluster, and on random
// documents full of scalars whose type depends on the schema.

import test from "ava";
import { filesUnder } from "./source-files.js";
import fc from "fast-check";
import { clusterFiles, generateCluster } from "../../src/gen/index.js";
import { toYamlDocuments } from "../../src/gen/yaml.js";
import { positionKey, type Path } from "../../src/resources/paths.js";
import { parseResources, type SourceFile } from "../../src/resources/parse.js";
import { readDocuments } from "../../src/resources/yaml-source.js";
import { readFast } from "../../src/resources/yaml-fast.js";

/** The parse as plain data, reading every lazy `positions` map too. */
const plain = (files: readonly SourceFile[], reader: "fast" | "precise"): unknown =>
  JSON.parse(JSON.stringify(parseResources(files, { reader })));

test("every fixture file: same cluster, positions and issues from both readers", async (t) => {
  const files = await filesUnder("fixtures");
  t.true(files.length > 30);
  for (const file of files) t.deepEqual(plain([file], "fast"), plain([file], "precise"), file.path);
});

test("the fast reader is the one used for fixtures it accepts (and js-yaml accepts them all)", async (t) => {
  const files = await filesUnder("fixtures/example-cluster");
  for (const f of files) {
    t.not(readFast(f.text), undefined, f.path);
    t.true(
      readDocuments(f.path, f.text).docs.every((d) => d.startOf !== undefined),
      f.path,
    );
  }
});

test("a generated cluster: same cluster and positions from both readers", (t) => {
  const files = clusterFiles(generateCluster({ seed: 3, nodes: 12, policies: 30, profiles: 4 }));
  t.deepEqual(plain(files, "fast"), plain(files, "precise"));
});

test("files js-yaml refuses fall back to the precise reader and its exact errors", (t) => {
  const cases = [
    "a: 1\na: 2\n", // duplicate key
    "a: !custom x\n", // tag outside the core schema
    "%YAML 1.1\n---\nenabled: yes\n", // 1.1 scalars: only `yaml` honours the directive
    "a: [1, 2\n",
  ];
  for (const text of cases) {
    t.is(readFast(text), undefined, text);
    t.deepEqual(plain([{ path: "x.yaml", text }], "fast"), plain([{ path: "x.yaml", text }], "precise"));
  }
});

// Plain scalars whose meaning differs between YAML 1.1, 1.2 core and js-yaml's own schemas.
const SCALARS = [
  "1",
  "+1",
  "-1",
  "007",
  "0o17",
  "0o8",
  "0x1F",
  "0xg",
  "0b101",
  "1_000",
  "1.5",
  ".5",
  "1.",
  "-.5e3",
  "1e3",
  "1E-3",
  "6.02e+23",
  ".inf",
  "-.Inf",
  "+.INF",
  ".NaN",
  ".nan",
  "nan",
  "inf",
  "true",
  "True",
  "TRUE",
  "tRue",
  "false",
  "yes",
  "No",
  "on",
  "OFF",
  "y",
  "n",
  "null",
  "Null",
  "NULL",
  "~",
  "nUll",
  "2001-12-14",
  "2001-12-14t21:59:43.10-05:00",
  "12:30:00",
  "1:20",
  "0.0",
  "-0",
  "+0.0",
  "192.0.2.1/24",
  "2001:db8::1",
  "has(x)",
  "!has(x)",
  "a == 'b'",
  "<<",
  "=",
  "9007199254740993",
  "0x7fffffffffffffff",
];

const key = fc.constantFrom("a", "b", "ports", "order", "1", "true", "null", "x-y");
const leaf = fc.constantFrom(...SCALARS);

const block = (depth: number): fc.Arbitrary<string[]> =>
  depth === 0
    ? leaf.map((s) => [s])
    : fc.oneof(
        leaf.map((s) => [s]),
        fc
          .uniqueArray(fc.tuple(key, block(depth - 1)), { minLength: 1, maxLength: 4, selector: ([k]) => k })
          .map((pairs) =>
            pairs.flatMap(([k, v]) =>
              v.length === 1 && !v[0]!.startsWith("-") && !v[0]!.includes(": ")
                ? [`${k}: ${v[0]}`]
                : [`${k}:`, ...v.map((l) => `  ${l}`)],
            ),
          ),
        fc
          .array(block(depth - 1), { minLength: 1, maxLength: 3 })
          .map((items) => items.flatMap((v) => [`- ${v[0]}`, ...v.slice(1).map((l) => `  ${l}`)])),
        fc.array(leaf, { minLength: 1, maxLength: 4 }).map((xs) => [`[${xs.join(", ")}]`]),
      );

test("random documents: both readers give the same values and positions", (t) => {
  fc.assert(
    fc.property(fc.array(block(3), { minLength: 1, maxLength: 3 }), (docs) => {
      const text = docs.map((d) => `# doc\n${d.join("\n")}\n`).join("---\n");
      const precise = readDocuments("r.yaml", text, "precise");
      const fast = readDocuments("r.yaml", text, "fast");
      if (precise.problems.length > 0) return; // not valid YAML for `yaml`: the fast path must not be taken either
      t.deepEqual(
        fast.docs.map((d) => d.value),
        precise.docs.map((d) => d.value),
        text,
      );
      t.deepEqual(
        fast.docs.map((d) => d.start),
        precise.docs.map((d) => d.start),
      );
    }),
    { numRuns: 400 },
  );
});

// A fast-read document's positions come from the precise reader on first use, reading that document
// alone when it can: they must be what reading its whole file gives.
const SEPARATORS = [
  "---\n",
  "--- # note\n",
  "\n---\n",
  "...\n---\n",
  "# end\n---\n# start\n",
  "---\n\n  \n",
  "--- ",
  "--- |\n  text\n---\n",
];

/** Paths of the list items that are collections, at any depth: what `nodesWithin` reads alone. */
const itemPaths = (value: unknown, path: Path = []): Path[] =>
  typeof value !== "object" || value === null
    ? []
    : Object.entries(value).flatMap(([k, v]) => {
        const at = [...path, Array.isArray(value) ? Number(k) : k];
        const here = Array.isArray(value) && typeof v === "object" && v !== null ? [at] : [];
        return [...here, ...itemPaths(v, at)];
      });

/** The nodes at and under `path`. */
const nodesUnder = (nodes: ReadonlyMap<string, unknown>, path: Path): [string, unknown][] => {
  const key = positionKey(path);
  return [...nodes].filter(([k]) => key === "" || k === key || k.startsWith(`${key}.`));
};

test("random document streams: each document's and list item's positions read alone equal those read with its file", (t) => {
  let fastStreams = 0;
  let itemsAlone = 0;
  fc.assert(
    fc.property(
      fc.array(block(3), { minLength: 1, maxLength: 4 }),
      fc.array(fc.constantFrom(...SEPARATORS), { minLength: 3, maxLength: 3 }),
      fc.boolean(),
      (docs, separators, crlf) => {
        const lf = docs
          .map((d, i) => (i === 0 ? "# first\n" : separators[i % 3]) + `${d.join("\n")}\n`)
          .join("");
        const text = crlf ? lf.replaceAll("\n", "\r\n") : lf;
        const precise = readDocuments("r.yaml", text, "precise");
        if (precise.problems.length > 0) return;
        const fast = readDocuments("r.yaml", text, "fast");
        if (fast.docs.some((d) => d.startOf === undefined)) return; // refused: the precise reader's own docs
        fastStreams++;
        // Parts first: once a document's whole `nodes` are read, they serve its parts too.
        fast.docs.forEach((d, i) => {
          for (const at of itemPaths(d.value)) {
            const nodes = d.nodesWithin?.(at);
            if (nodes === undefined) continue; // not read alone: `nodes` serves
            itemsAlone++;
            t.deepEqual(
              [...nodes],
              nodesUnder(precise.docs[i]!.nodes, at),
              `${JSON.stringify(text)} ${positionKey(at)}`,
            );
          }
        });
        t.deepEqual(
          fast.docs.map((d) => [...d.nodes]),
          precise.docs.map((d) => [...d.nodes]),
          JSON.stringify(text),
        );
      },
    ),
    { numRuns: 400 },
  );
  t.true(fastStreams > 100, `${fastStreams} of 400 streams read fast`);
  t.true(itemsAlone > 100, `${itemsAlone} list items read alone`);
});

test("a generated cluster's documents and List items are each read alone for their positions", (t) => {
  const gen = generateCluster({ seed: 4, nodes: 12, policies: 30, profiles: 4 });
  const streams = clusterFiles(gen);
  // The same resources as kubectl prints them: one List per file.
  const lists = gen.files.map((f) => ({
    path: `lists/${f.name}`,
    text: toYamlDocuments([{ apiVersion: "v1", kind: "List", items: f.docs }], f.comment),
  }));
  let alone = 0;
  for (const { path, text } of [...streams, ...lists]) {
    const precise = readDocuments(path, text, "precise").docs;
    for (const [i, doc] of readDocuments(path, text, "fast").docs.entries()) {
      const items = (doc.value as { items?: unknown[] }).items;
      const within = items === undefined ? [[]] : items.map((_, k) => ["items", k]);
      for (const at of within) {
        const nodes = doc.nodesWithin?.(at);
        t.deepEqual(nodes && [...nodes], nodesUnder(precise[i]!.nodes, at), `${path} ${positionKey(at)}`);
        alone++;
      }
    }
  }
  t.true(alone > 100, `${alone} documents and items`);
  // And what a resource's positions give through them, against the whole file read precisely.
  t.deepEqual(plain(lists, "fast"), plain(lists, "precise"));
  // Issues inside a List are placed by their resource's own text: the same positions as the whole file's.
  let damaged = 0;
  const damage = (text: string): string =>
    text
      .split("\n")
      .map((line, i) => {
        if (i % 7 !== 3) return line;
        damaged++;
        if (/^ {4}order: /.test(line)) return "    order: first";
        if (/^ {4}- action: Allow$/.test(line)) return "    - action: Alow";
        if (/^ {2}kind: /.test(line)) return `${line}\n  colour: red`;
        damaged--;
        return line;
      })
      .join("\n");
  const bad = lists.map((f) => ({ path: f.path, text: damage(f.text) }));
  const issues = (plain(bad, "fast") as { issues: unknown[] }).issues;
  t.true(damaged > 20 && issues.length > 20, `${damaged} lines damaged, ${issues.length} issues`);
  t.deepEqual(plain(bad, "fast"), plain(bad, "precise"));
});

test("a List whose items are nearly all asked for is read whole once, with the same positions", (t) => {
  const items = Array.from({ length: 150 }, (_, i) => ({
    apiVersion: "projectcalico.org/v3",
    kind: "GlobalNetworkSet",
    metadata: { name: `set-${i}`, labels: { n: String(i) } },
    spec: { nets: [`198.51.100.${i}/32`] },
  }));
  const file = { path: "sets.yaml", text: toYamlDocuments([{ apiVersion: "v1", kind: "List", items }]) };
  const [doc] = readDocuments(file.path, file.text, "fast").docs;
  const alone = items.map((_, i) => doc!.nodesWithin?.(["items", i]) !== undefined);
  t.deepEqual(
    alone,
    items.map((_, i) => i < 100),
  );
  t.deepEqual(plain([file], "fast"), plain([file], "precise"));
});

const NOISE = [
  ":",
  "-",
  "[",
  "]",
  "{",
  "}",
  "'",
  '"',
  "\t",
  " ",
  "  ",
  "\n",
  "&a ",
  "&a",
  "*a",
  "!",
  "!!str ",
  "#",
  ",",
  "? ",
  "|",
  "|1",
  ">-",
  "--- ",
  "%YAML 1.1\n---\n",
  "&&",
];

test("damaged documents: what the precise reader refuses the fast one refuses, the rest reads the same", (t) => {
  let refused = 0;
  fc.assert(
    fc.property(
      block(3),
      fc.array(fc.tuple(fc.nat(), fc.constantFrom(...NOISE), fc.boolean()), { minLength: 1, maxLength: 3 }),
      (doc, edits) => {
        let text = `${doc.join("\n")}\n`;
        for (const [at, noise, remove] of edits) {
          const i = at % (text.length + 1);
          text = remove ? text.slice(0, i) + text.slice(i + 1) : text.slice(0, i) + noise + text.slice(i);
        }
        const precise = readDocuments("r.yaml", text, "precise");
        if (!precise.problems.some((p) => p.finding.severity === "error")) {
          const fast = readFast(text);
          if (fast !== undefined)
            t.deepEqual(
              fast.filter((d) => d.value !== null).map((d) => [d.value, d.start]),
              precise.docs.map((d) => [d.value, d.start]),
              JSON.stringify(text),
            );
          return;
        }
        refused++;
        t.is(readFast(text), undefined, JSON.stringify(text));
      },
    ),
    { numRuns: 3000 },
  );
  t.true(refused > 100, `only ${refused} damaged documents were refused`);
});
