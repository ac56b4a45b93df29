// Process helpers live in core/process (the demo runs real binaries too); tests import them here.
export * from "../../core/process/managed-process.js";
