// Copyright 2026 the @paralelo/pool authors. MIT license.
/** An initializer and a task that reads what it set. @module */

let greeting = "not initialized";

/** Runs once per worker. */
export function setUp(word: string): void {
  greeting = word;
}

/** Reads what the initializer set. */
export function greet(name: string): string {
  return `${greeting}, ${name}`;
}
