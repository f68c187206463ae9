// What manifest.ts and manifestAlgobox.ts share: the error a manifest is refused with, and the type of a
// parameter value. Its own module so the two import it from here rather than from each other.

export type ParamValue = string | number | boolean | string[] | number[] | boolean[];

export class ManifestError extends Error {
  /** Dotted path of the offending field, e.g. "tool.compox.additional_parameters[2].config.default" ('' = whole document). */
  public field: string;
  /** Warnings emitted before the error (e.g. "Default device is empty…" before the device error). */
  public warnings: string[] = [];
  constructor(message: string, field: string) {
    super(message);
    this.name = 'ManifestError';
    this.field = field;
  }
}
