import { describe, expect, it } from 'vitest';
import { PARAMETER_TYPES } from '../../src/core/manifestParameterTypes';
import { algorithmTypeWords, maskQualityWords, parameterTypeWords } from '../../src/app/userWords';
import { ALGORITHM_TYPES } from '../../src/core/algorithmTypes';

describe("the user's words for technical names (issue 15 item 11)", () => {
  it('every parameter type and algorithm type has words without underscores or runner class names', () => {
    for (const t of PARAMETER_TYPES) expect(parameterTypeWords(t)).not.toMatch(/_|enum/);
    for (const t of ALGORITHM_TYPES) expect(algorithmTypeWords(t)).not.toMatch(/\d/);
    expect(parameterTypeWords('float_range')).toBe('number range');
    expect(parameterTypeWords('string_enum')).toBe('choice');
    expect(algorithmTypeWords('Image2Segmentation')).toBe('Image → mask');
    expect(algorithmTypeWords('SomethingNew')).toBe('SomethingNew');
  });
  it("a prompt model's predicted IoU is said as a clamped percentage", () => {
    expect(maskQualityWords(1.006)).toBe("model's confidence 100 %");
    expect(maskQualityWords(0.874)).toBe("model's confidence 87 %");
    expect(maskQualityWords(-0.2)).toBe("model's confidence 0 %");
  });
});
