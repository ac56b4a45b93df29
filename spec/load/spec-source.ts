/** One spec file's text, as every reader of the spec receives it. */
export interface SpecSource {
  /** Where the spec came from, as diagnostics should name it. */
  readonly file: string;
  readonly text: string;
  /** How generated files name their source: the spec's path relative to the output directory. */
  readonly displayName: string;
}
