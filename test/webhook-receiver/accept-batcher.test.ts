import { describe, expect, it } from "vitest";
import { AcceptBatcher } from "../../webhook-receiver/pipeline/accept-batcher.js";

/** A commit the test finishes by hand, recording each batch it was given. */
function manualCommit() {
  const batches: number[][] = [];
  const finish: (() => void)[] = [];
  const fail: ((error: Error) => void)[] = [];
  const commit = (items: readonly number[]): Promise<string[]> => {
    batches.push([...items]);
    return new Promise((resolve, reject) => {
      finish.push(() => resolve(items.map((i) => `stored ${i}`)));
      fail.push(reject);
    });
  };
  return { batches, finish, fail, commit };
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("AcceptBatcher", () => {
  it("sends what one turn of the event loop read as one batch, and answers each item", async () => {
    const c = manualCommit();
    const batcher = new AcceptBatcher(c.commit);
    const answers = [1, 2, 3].map((i) => batcher.submit(i));
    await nextTurn();
    expect(c.batches).toEqual([[1, 2, 3]]);
    c.finish[0]?.();
    await expect(Promise.all(answers)).resolves.toEqual(["stored 1", "stored 2", "stored 3"]);
  });

  it("with one batch in flight, gathers what arrives meanwhile into the next batch", async () => {
    const c = manualCommit();
    const batcher = new AcceptBatcher(c.commit, 512, 1);
    const first = batcher.submit(1);
    await nextTurn();
    const later = [batcher.submit(2), batcher.submit(3)];
    await nextTurn();
    expect(c.batches).toEqual([[1]]);
    c.finish[0]?.();
    await first;
    await nextTurn();
    expect(c.batches).toEqual([[1], [2, 3]]);
    c.finish[1]?.();
    await expect(Promise.all(later)).resolves.toEqual(["stored 2", "stored 3"]);
  });

  it("keeps up to maxInFlight batches in flight without waiting for earlier answers", async () => {
    const c = manualCommit();
    const batcher = new AcceptBatcher(c.commit, 512, 2);
    const answers = [batcher.submit(1)];
    await nextTurn();
    answers.push(batcher.submit(2));
    await nextTurn();
    answers.push(batcher.submit(3));
    await nextTurn();
    // Two in flight: the third waits for one of them.
    expect(c.batches).toEqual([[1], [2]]);
    c.finish[1]?.();
    await answers[1];
    await nextTurn();
    expect(c.batches).toEqual([[1], [2], [3]]);
    c.finish[0]?.();
    c.finish[2]?.();
    await expect(Promise.all(answers)).resolves.toEqual(["stored 1", "stored 2", "stored 3"]);
  });

  it("rejects every item of a batch whose commit failed, and only those", async () => {
    const c = manualCommit();
    const batcher = new AcceptBatcher(c.commit, 512, 2);
    const failed = [batcher.submit(1), batcher.submit(2)];
    await nextTurn();
    const ok = batcher.submit(3);
    await nextTurn();
    c.fail[0]?.(new Error("disk full"));
    c.finish[1]?.();
    for (const answer of failed) await expect(answer).rejects.toThrow("disk full");
    await expect(ok).resolves.toBe("stored 3");
  });

  it("splits a backlog into batches of at most maxBatch", async () => {
    const c = manualCommit();
    const batcher = new AcceptBatcher(c.commit, 2, 8);
    const answers = [1, 2, 3, 4, 5].map((i) => batcher.submit(i));
    await nextTurn();
    expect(c.batches).toEqual([[1, 2], [3, 4], [5]]);
    c.finish.forEach((f) => f());
    await expect(Promise.all(answers)).resolves.toHaveLength(5);
  });
});
