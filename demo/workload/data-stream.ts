/**
 * Records of a housing-price model's inputs, posted to the exporter's drift collector:
 * normal draws around a fixed reference until `drift` shifts one feature by three
 * standard deviations.
 */
export class DataStream {
  private shifted = new Set<string>();

  constructor(
    private readonly exporterUrl: string,
    private readonly token: string,
    private readonly random: () => number,
  ) {}

  drift(feature: string): void {
    this.shifted.add(feature);
  }

  endDrift(): void {
    this.shifted.clear();
  }

  async tick(records: number): Promise<void> {
    const batch = Array.from({ length: records }, () => ({
      median_income: this.normal(3.9, 1.2) + (this.shifted.has("median_income") ? 3.6 : 0),
      house_age: this.normal(28, 8) + (this.shifted.has("house_age") ? 24 : 0),
      rooms: this.normal(5.2, 1.1),
    }));
    const response = await fetch(`${this.exporterUrl}/api/v1/data/records`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${this.token}` },
      body: JSON.stringify({ model: "housing", records: batch }),
    });
    if (!response.ok)
      throw new Error(`drift ingest answered ${response.status}: ${await response.text()}`);
  }

  /** Box–Muller: the demo needs no statistics library for a normal draw. */
  private normal(mean: number, sd: number): number {
    const u = Math.max(this.random(), 1e-12);
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.random());
  }
}
