// The user's words for the technical names the app shows (issue 15 item 11): the technical term
// stays, in a tooltip. One table per kind of name; unknown names pass through unchanged.

const ALGORITHM_TYPES: Record<string, string> = {
  Image2Image: 'Image → image',
  Image2Segmentation: 'Image → mask',
  Segmentation2Segmentation: 'Mask → mask',
  Image2Alignment: 'Image → alignment',
  Image2Embedding: 'Image → embedding',
  Generic: 'Other',
  Undefined: 'Other',
};

/** "Image2Segmentation" → "Image → mask". */
export function algorithmTypeWords(type: string): string {
  return ALGORITHM_TYPES[type] ?? type;
}

/** The tooltip that names the technical term behind the words. */
export function algorithmTypeTitle(type: string): string {
  return `Algorithm type: ${type} (what it takes and what it gives)`;
}

const PARAMETER_TYPES: Record<string, string> = {
  string: 'text',
  int: 'whole number',
  float: 'number',
  bool: 'on/off',
  int_range: 'whole-number range',
  float_range: 'number range',
  string_enum: 'choice',
  int_enum: 'choice',
  float_enum: 'choice',
  string_list: 'list of texts',
  int_list: 'list of whole numbers',
  float_list: 'list of numbers',
  bool_list: 'list of on/off',
};

/** "float_range" → "number range". */
export function parameterTypeWords(type: string): string {
  return PARAMETER_TYPES[type] ?? type;
}

/**
 * A prompt model's own estimate of its mask's quality (SAM's predicted IoU, which is a regression and can
 * pass 1): said as a percentage, clamped to 0–100 %.
 */
export function maskQualityWords(predictedIou: number): string {
  const pct = Math.round(Math.min(1, Math.max(0, predictedIou)) * 100);
  return `model's confidence ${pct} %`;
}
