/**
 * A first-in first-out queue on an array with a moving head: push and shift are O(1) amortized (unlike
 * `Array.prototype.shift`), and the array is dropped or compacted as it drains.
 */
export class Fifo<A> {
  private items: Array<A> = []
  private head = 0

  get size(): number {
    return this.items.length - this.head
  }

  push(item: A): void {
    this.items.push(item)
  }

  /** The oldest item, removed; `undefined` when empty. */
  shift(): A | undefined {
    if (this.head >= this.items.length) return undefined
    const item = this.items[this.head] as A
    this.head++
    if (this.head === this.items.length) {
      this.items = []
      this.head = 0
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head)
      this.head = 0
    }
    return item
  }

  /** Every item, oldest first, removed. */
  takeAll(): Array<A> {
    const all = this.head === 0 ? this.items : this.items.slice(this.head)
    this.items = []
    this.head = 0
    return all
  }
}
