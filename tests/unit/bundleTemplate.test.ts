// "Download as a template" (src/app/algorithms/bundleTemplate.ts) and the side panels' rule
// (src/app/panelLayout.ts): the template renames [project] name and nothing else, drops the lock,
// and is a bundle the manifest parser accepts under its new name; one side panel at a time when narrow.
import { readFileSync } from 'node:fs';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { bundleTemplate, renameManifest } from '../../src/app/algorithms/bundleTemplate';
import { templateZipName } from '../../src/app/algorithms/templateNames';
import { openSides } from '../../src/app/panelLayout';
import { parseManifest } from '../../src/core/manifest';

const shipped = (p: string) => readFileSync(`public/bundles/threshold_segmentation/${p}`);

describe('bundleTemplate', () => {
  it('renames the built-in threshold_segmentation to my_threshold_segmentation, byte for byte otherwise, in one folder', () => {
    const src = {
      'pyproject.toml': new Uint8Array(shipped('pyproject.toml')),
      'Runner.js': new Uint8Array(shipped('Runner.js')),
      'image_segmentation/segmentation_utils.js': new Uint8Array(shipped('image_segmentation/segmentation_utils.js')),
      'bundle.lock.json': strToU8('{"bundle":"0"}'),
    };
    const out = unzipSync(bundleTemplate(zipSync(src), 'threshold_segmentation'));
    expect(Object.keys(out).sort()).toEqual([
      'my_threshold_segmentation/Runner.js',
      'my_threshold_segmentation/image_segmentation/segmentation_utils.js',
      'my_threshold_segmentation/pyproject.toml',
    ]);
    expect(out['my_threshold_segmentation/Runner.js']).toEqual(src['Runner.js']);
    const text = strFromU8(out['my_threshold_segmentation/pyproject.toml']!);
    const before = strFromU8(src['pyproject.toml']);
    expect(text).toBe(before.replace('name = "threshold_segmentation"', 'name = "my_threshold_segmentation"'));
    const { manifest: m } = parseManifest(text);
    expect(m.name).toBe('my_threshold_segmentation');
    expect(m.version).toBe('1.1.0');
    expect(m.algorithmType).toBe('Image2Segmentation');
    expect(templateZipName({ name: 'threshold_segmentation', version: '1.0.0' })).toBe('my_threshold_segmentation-1.0.0-template.zip');
  });

  it('renames only [project] name (not a parameter called name), keeps comments and single quotes', () => {
    const text = `# top\n[project]  # the package\nversion = "2.0.0"\nname = 'demo' # its name\n\n[tool.compox]\nadditional_parameters = [\n  {name = "demo", config = {type = "int", default = 1}},\n]\n`;
    expect(renameManifest(text, 'my_demo')).toBe(text.replace(`name = 'demo'`, 'name = "my_demo"'));
  });

  it('says what is missing: no [project], no name line, no manifest', () => {
    expect(() => renameManifest('[tool.compox]\nname = "x"\n', 'my_x')).toThrow('pyproject.toml has no [project] table');
    expect(() => renameManifest('[project]\nversion = "1.0.0"\n[tool.compox]\nname = "x"\n', 'my_x')).toThrow('[project] has no name = "…" line');
    expect(() => bundleTemplate(zipSync({ 'Runner.js': strToU8('') }), 'demo')).toThrow('The bundle of demo has no pyproject.toml at its root.');
  });
});

describe('openSides', () => {
  it('shows the stored choice on a wide window and only the side opened last on a narrow one', () => {
    expect(openSides({ left: true, right: true, last: 'right' }, false)).toEqual({ left: true, right: true });
    expect(openSides({ left: true, right: true, last: 'right' }, true)).toEqual({ left: false, right: true });
    expect(openSides({ left: true, right: true, last: 'left' }, true)).toEqual({ left: true, right: false });
    expect(openSides({ left: true, right: false, last: 'right' }, true)).toEqual({ left: true, right: false });
    expect(openSides({ left: false, right: false, last: 'left' }, true)).toEqual({ left: false, right: false });
  });
});
