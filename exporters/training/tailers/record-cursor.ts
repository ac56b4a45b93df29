/**
 * Which records of a re-read file are new. A file read again from its start (rewritten
 * with a wider header, truncated and refilled, copied over) holds some records already
 * seen, or none: the cursor remembers how many records it has seen and the key of the
 * last one. If the re-read file has that same key at that same position, the records up
 * to it are old and skipped; otherwise the content is different and all of it is new.
 */
export class RecordCursor<R> {
  private count = 0;
  private lastKey: string | undefined;
  private check: { readonly count: number; readonly lastKey: string | undefined } | undefined;
  private held: R[] = [];

  /**
   * The same file is being read again from its start. Returns records still held from
   * an earlier re-read that never reached its check (they were new).
   */
  restart(): readonly R[] {
    const held = this.settle();
    if (this.count > 0) this.check = { count: this.count, lastKey: this.lastKey };
    this.count = 0;
    this.lastKey = undefined;
    return held;
  }

  /** Another file starts (created, rotated in): none of it was seen. Returns held records. */
  fresh(): readonly R[] {
    const held = this.settle();
    this.count = 0;
    this.lastKey = undefined;
    return held;
  }

  /** Records that are new once this one is seen (often just it, sometimes none or more). */
  next(record: R, key: string): readonly R[] {
    const index = this.count++;
    this.lastKey = key;
    const check = this.check;
    if (!check) return [record];
    if (index < check.count - 1) {
      this.held.push(record);
      return [];
    }
    this.check = undefined;
    const held = this.held;
    this.held = [];
    return key === check.lastKey ? [] : [...held, record];
  }

  /** Everything is read: records held while deciding are new (the file got shorter). */
  settle(): readonly R[] {
    this.check = undefined;
    const held = this.held;
    this.held = [];
    return held;
  }
}
