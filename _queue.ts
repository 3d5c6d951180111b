// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * A first-in, first-out queue whose `shift()` costs O(1), unlike
 * `Array.prototype.shift()` on a long array.
 *
 * @module
 */

/** A FIFO queue backed by an array and a head index. */
export class Queue<T> {
  #items: (T | undefined)[] = [];
  #head = 0;

  /** How many items are queued. */
  get length(): number {
    return this.#items.length - this.#head;
  }

  /** Adds an item at the tail. */
  push(item: T): void {
    this.#items.push(item);
  }

  /** Removes and returns the item at the head. */
  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head++] = undefined;
    // Compact once the dead head is both large and most of the array.
    if (this.#head >= 1024 && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  /** Removes every item. */
  clear(): void {
    this.#items = [];
    this.#head = 0;
  }
}
