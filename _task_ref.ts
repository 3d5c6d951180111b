// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * Turns what a caller passes as a task into what a worker can run: the name
 * of an export of the pool's module, or the source of a self-contained
 * function. A function is checked before any worker sees it: its free
 * variables are found with a real parser and scope analysis (acorn and
 * eslint-scope), and any that the worker would not have is reported by name.
 *
 * @module
 */
import { parse } from "npm:acorn@8.19.0";
import { analyze } from "npm:eslint-scope@9.1.2";
import type { TaskRef } from "./_protocol.ts";
import { formatValue } from "./_runtime.ts";

// Globals of the main thread that a worker does not have (measured on Deno
// 2.9, and a browser page's), and the other way round.
const MAIN_ONLY = new Set([
  "Location",
  "Window",
  "Navigator",
  "window",
  "document",
  "Document",
  "HTMLDocument",
  "customElements",
  "history",
  "frames",
  "parent",
  "top",
  "opener",
  "frameElement",
  "screen",
  "visualViewport",
  "DOMParser",
  "XMLSerializer",
  "Image",
  "Audio",
  "Option",
  "alert",
  "confirm",
  "prompt",
  "localStorage",
  "sessionStorage",
  "Storage",
  "closed",
  "onload",
  "onbeforeunload",
  "onunload",
]);
/** The DOM's element and node classes, which only a page has. */
const DOM_ONLY =
  /^(?:HTML|SVG|MathML)\w*Element$|^(?:Node|Element|Attr|Text|Comment|CharacterData|DocumentFragment|ShadowRoot|NodeList|HTMLCollection|MutationObserver)$/;

const WORKER_ONLY = [
  // The worker defines the helper that bundlers' --keep-names calls inside
  // functions (_worker/main.ts), so a bundled task may use it.
  "__name",
  "WorkerLocation",
  "WorkerGlobalScope",
  "DedicatedWorkerGlobalScope",
  "WorkerNavigator",
  "postMessage",
  "onmessage",
  "self",
  "close",
];

// Taken when this module is first evaluated, before the caller's own module
// body runs, so that a variable a script puts on globalThis later is not
// mistaken for a global the worker has too.
const GLOBALS: ReadonlySet<string> = new Set([
  ...Object.getOwnPropertyNames(globalThis).filter((name) =>
    !MAIN_ONLY.has(name) && !DOM_ONLY.test(name)
  ),
  ...WORKER_ONLY,
]);

const CACHE_LIMIT = 1000;
const byFunction = new WeakMap<object, TaskRef>();
const bySource = new Map<string, TaskRef>();

interface Node {
  type: string;
  [key: string]: unknown;
}

function describe(value: unknown): string {
  if (typeof value === "string") return `'${value}'`;
  if (typeof value === "symbol") return value.toString();
  if (value === null || typeof value !== "object") return String(value);
  return Array.isArray(value)
    ? "an array"
    : `an object (${formatValue(value, 0)})`;
}

/**
 * Resolves a task given to a pool call.
 *
 * @throws {TypeError} If the task is neither a string nor a function that a
 * worker can run, with what was wrong and how to fix it.
 */
export function toTaskRef(task: unknown, hasModule: boolean): TaskRef {
  if (typeof task === "string") {
    // Only real functions are run, never source text: a name is a name.
    if (
      !/^[\p{L}\p{Nl}$_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}$]*$/u.test(task)
    ) {
      throw new TypeError(
        `Cannot run task '${
          task.length > 40 ? `${task.slice(0, 40)}...` : task
        }' as a string task must be the name of an export of the pool's module, and this is not a name: pass a function instead (source text is never run)`,
      );
    }
    if (!hasModule) {
      throw new TypeError(
        `Cannot run task '${task}' as the pool has no module: create the pool with the module that exports it, new Pool(new URL("./tasks.ts", import.meta.url)), or pass a function`,
      );
    }
    return { kind: "export", name: task };
  }
  if (typeof task !== "function") {
    throw new TypeError(
      `Cannot run task as it must be the name of an export of the pool's module or a function: received ${
        describe(task)
      }`,
    );
  }
  const cached = byFunction.get(task);
  if (cached !== undefined) return cached;
  const ref = inlineTaskRef(task as (...args: never[]) => unknown);
  byFunction.set(task, ref);
  return ref;
}

function inlineTaskRef(fn: (...args: never[]) => unknown): TaskRef {
  const source = Function.prototype.toString.call(fn);
  const name = fn.name || "anonymous";
  const cached = bySource.get(source);
  if (cached !== undefined) return { ...cached, name };
  if (source.endsWith("{ [native code] }")) {
    if (name.startsWith("bound ")) {
      throw new TypeError(
        `Cannot run the bound function '${name}' as a task as its bound 'this' and arguments cannot be sent to a worker: pass an unbound function and give it its arguments with starmap() or apply()`,
      );
    }
    throw new TypeError(
      `Cannot run the built-in function '${name}' as a task as its source is not available: wrap it in a function of your own, such as (x) => Math.sqrt(x)`,
    );
  }
  if (/^class\b/.test(source)) {
    throw new TypeError(
      `Cannot run class '${name}' as a task as a class is not a function that can be called: pass a function, which may create the instance inside the worker`,
    );
  }
  const expression = toExpression(source, name);
  const problems = foreignNames(expression);
  if (problems.length > 0) {
    const quoted = problems.map((p) => `'${p}'`).join(", ");
    const it = problems.length === 1 ? "it" : "them";
    throw new TypeError(
      `Cannot run inline task '${name}' as it uses ${quoted} from the enclosing scope, which a worker cannot see: pass ${it} as an argument (with starmap() or apply()), or move the task into a module and create the pool with new Pool(moduleUrl)`,
    );
  }
  const ref: TaskRef = { kind: "source", name, source: expression };
  if (bySource.size >= CACHE_LIMIT) bySource.clear();
  bySource.set(source, ref);
  return ref;
}

/** The function's source as an expression that evaluates to the function. */
function toExpression(source: string, name: string): string {
  if (parses(`(${source})`)) return source;
  // A method written in shorthand (`{ square(x) { ... } }.square`) is not an
  // expression on its own: put it back in an object and take it out again.
  const method = `((o) => o[Reflect.ownKeys(o)[0]])({ ${source} })`;
  if (parses(method)) return method;
  throw new TypeError(
    `Cannot run inline task '${name}' as its source cannot be parsed on its own: move the task into a module and create the pool with new Pool(moduleUrl)`,
  );
}

function parses(code: string): boolean {
  try {
    parse(code, { ecmaVersion: "latest", sourceType: "script" });
    return true;
  } catch {
    return false;
  }
}

/** The names the function takes from an enclosing scope, and `this` if an arrow uses it. */
function foreignNames(expression: string): string[] {
  const ast = parse(`(${expression})`, {
    ecmaVersion: "latest",
    sourceType: "script",
    ranges: true,
  });
  // deno-lint-ignore no-explicit-any
  const scopes = analyze(ast as any, {
    ecmaVersion: 2022,
    sourceType: "script",
  });
  const { typeofOperands, usesOuterThis } = inspectTree(ast as unknown as Node);
  const names = new Set<string>();
  for (const reference of scopes.globalScope?.through ?? []) {
    const id = reference.identifier as unknown as Node;
    const name = reference.identifier.name;
    // `typeof x` is how code asks whether a global exists: it cannot throw.
    if (GLOBALS.has(name) || typeofOperands.has(id)) continue;
    names.add(name);
  }
  if (usesOuterThis) names.add("this");
  return [...names];
}

/** Finds `typeof name` operands, and `this` outside of any non-arrow function. */
function inspectTree(root: Node): {
  typeofOperands: Set<Node>;
  usesOuterThis: boolean;
} {
  const typeofOperands = new Set<Node>();
  let usesOuterThis = false;
  const stack: Array<{ node: Node; ownThis: boolean }> = [{
    node: root,
    ownThis: false,
  }];
  while (stack.length > 0) {
    const { node, ownThis } = stack.pop()!;
    if (node.type === "ThisExpression" && !ownThis) usesOuterThis = true;
    if (
      node.type === "UnaryExpression" && node.operator === "typeof" &&
      (node.argument as Node).type === "Identifier"
    ) {
      typeofOperands.add(node.argument as Node);
    }
    const inner = ownThis || node.type === "FunctionExpression" ||
      node.type === "FunctionDeclaration" || node.type === "ClassBody";
    for (const value of Object.values(node)) {
      for (const child of Array.isArray(value) ? value : [value]) {
        if (
          child !== null && typeof child === "object" &&
          typeof (child as Node).type === "string"
        ) {
          stack.push({ node: child as Node, ownThis: inner });
        }
      }
    }
  }
  return { typeofOperands, usesOuterThis };
}
