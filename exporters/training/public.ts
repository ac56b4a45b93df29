/** `aiwatch/training`: the client a training script uses to send its metrics. */
export { TrainingClient } from "./client/training-client.js";
export type { TrainingClientError, TrainingClientOptions } from "./client/training-client.js";
