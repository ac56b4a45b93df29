import { describe, expect, it } from "vitest";
import {
  MetricClassifier,
  classifyMetricKey,
} from "../../../exporters/training/model/metric-mapping.js";

describe("metric key mapping", () => {
  it.each([
    ["loss", { family: "loss", phase: "train" }],
    ["train_loss", { family: "loss", phase: "train" }],
    ["train/loss", { family: "loss", phase: "train" }],
    ["train_loss_step", { family: "loss", phase: "train" }],
    ["eval_loss", { family: "loss", phase: "eval" }],
    ["val_loss", { family: "loss", phase: "eval" }],
    ["validation/loss", { family: "loss", phase: "eval" }],
    ["eval_g0_loss", { family: "loss", phase: "eval_g0" }],
    ["train_disc_loss", { family: "loss", phase: "train_disc" }],
    ["test_loss", { family: "loss", phase: "test" }],
    ["eval_accuracy", { family: "eval_metric", metric: "accuracy" }],
    ["val_acc", { family: "eval_metric", metric: "acc" }],
    ["val/f1", { family: "eval_metric", metric: "f1" }],
    ["eval_g3_accuracy", { family: "eval_metric", metric: "g3_accuracy" }],
    ["eval_runtime", { family: "other", metric: "eval_runtime" }],
    ["eval_g0_samples_per_second", { family: "other", metric: "eval_g0_samples_per_second" }],
    ["learning_rate", { family: "learning_rate" }],
    ["lr", { family: "learning_rate" }],
    ["lr-Adam", { family: "learning_rate" }],
    ["lr-AdamW/pg1", { family: "learning_rate" }],
    ["lr-AdamW/pg2", { family: "other", metric: "lr-AdamW/pg2" }],
    ["grad_norm", { family: "grad_norm" }],
    ["epoch", { family: "epoch" }],
    ["train_samples_per_second", { family: "samples_per_second" }],
    ["train_tokens_per_second", { family: "tokens_per_second" }],
    ["train_loss_epoch", { family: "other", metric: "train_loss_epoch" }],
    ["train/ploss_0", { family: "other", metric: "train/ploss_0" }],
    ["accuracy", { family: "other", metric: "accuracy" }],
  ])("%s", (key, target) => {
    expect(classifyMetricKey(key)).toEqual(target);
  });

  it("applies the user's aliases before the rules", () => {
    const classifier = new MetricClassifier({ train_gen_loss: "loss" });
    expect(classifier.classify("train_gen_loss")).toEqual({ family: "loss", phase: "train" });
    expect(classifier.classify("train_disc_loss")).toEqual({ family: "loss", phase: "train_disc" });
  });

  it.each(["toString", "constructor", "__proto__", "hasOwnProperty", "valueOf"])(
    "treats %s as a plain name, not an Object.prototype member",
    (key) => {
      expect(classifyMetricKey(key)).toEqual({ family: "other", metric: key });
      expect(new MetricClassifier({ lr: "learning_rate" }).classify(key)).toEqual({
        family: "other",
        metric: key,
      });
    },
  );

  it("takes a loss phase named like an Object.prototype member as written", () => {
    expect(classifyMetricKey("constructor_loss")).toEqual({ family: "loss", phase: "constructor" });
    expect(classifyMetricKey("__proto___loss")).toEqual({ family: "loss", phase: "__proto__" });
    expect(classifyMetricKey("toString/loss")).toEqual({ family: "loss", phase: "tostring" });
  });
});
