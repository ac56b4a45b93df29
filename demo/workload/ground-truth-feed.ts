/**
 * The ranker's predictions and, ten ticks later, the labels that say whether they were
 * right (about nine in ten are), posted to the exporter's ground-truth API as a labelling
 * pipeline would: the exporter joins them into accuracy and counts what still waits.
 */
export class GroundTruthFeed {
  private next = 0;
  private readonly waiting: { id: string; predicted: string; dueTick: number }[] = [];
  private tickCount = 0;

  constructor(
    private readonly exporterUrl: string,
    private readonly token: string,
    private readonly random: () => number,
  ) {}

  async tick(predictions: number): Promise<void> {
    this.tickCount++;
    const batch = Array.from({ length: predictions }, () => {
      const id = `demo-${this.next++}`;
      const predicted = this.random() < 0.5 ? "click" : "skip";
      this.waiting.push({ id, predicted, dueTick: this.tickCount + 10 });
      return { id, model: "ranker", model_version: "v3", predicted };
    });
    await this.post("predictions", batch);
    const due = this.waiting.filter((w) => w.dueTick <= this.tickCount);
    this.waiting.splice(0, due.length);
    const labels = due.map((w) => ({
      id: w.id,
      actual: this.random() < 0.9 ? w.predicted : w.predicted === "click" ? "skip" : "click",
    }));
    if (labels.length > 0) await this.post("labels", labels);
  }

  private async post(kind: "predictions" | "labels", records: readonly object[]): Promise<void> {
    const response = await fetch(`${this.exporterUrl}/api/v1/inference/${kind}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${this.token}` },
      body: JSON.stringify(records),
    });
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`exporter answered ${response.status} to ${kind}`);
  }
}
