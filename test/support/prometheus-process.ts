// Moved to core/process (the demo starts real binaries too); tests keep importing it here.
export * from "../../core/process/prometheus-process.js";
