// Moved to exporters/gpu/replay (the demo replays captures too).
export * from "../../../../exporters/gpu/replay/nvidia-capture.js";
