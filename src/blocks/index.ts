// The app's built-in BEAT blocks and toolchains (issue 7): the seed's Fig. 3 blocks, the
// segmentation evaluation (threshold block → Dice/IoU analyzer), the seed's PCA and a loop pair
// (processor/evaluator, issue 12) with a sum analyzer, a volume threshold over lazy units (issue 13), and object counting (measure_objects: labels, count, areas; count_eval: counts against the ground truth's, issue 16). Block code is plain JS module text
// (the *.block.js files, imported as text), installed like any block with `algobox.blocks.install`.
// The toolchains are built from the sample data (`algobox.samples.ensure()`), whose ids are only
// known at run time.
import thresholdSource from './threshold.block.js?raw';
import thresholdDeclaration from './threshold.json';
import segmentationEvalSource from './segmentationEval.block.js?raw';
import segmentationEvalDeclaration from './segmentationEval.json';
import fig3FeaturesSource from './fig3Features.block.js?raw';
import fig3FeaturesDeclaration from './fig3Features.json';
import fig3LabelsSource from './fig3Labels.block.js?raw';
import fig3LabelsDeclaration from './fig3Labels.json';
import pcaSource from './pca.block.js?raw';
import pcaDeclaration from './pca.json';
import loopProcessorSource from './loopProcessor.block.js?raw';
import loopProcessorDeclaration from './loopProcessor.json';
import loopEvaluatorSource from './loopEvaluator.block.js?raw';
import loopEvaluatorDeclaration from './loopEvaluator.json';
import sumSource from './sum.block.js?raw';
import sumDeclaration from './sum.json';
import volumeThresholdSource from './volumeThreshold.block.js?raw';
import volumeThresholdDeclaration from './volumeThreshold.json';
import measureObjectsSource from './measureObjects.block.js?raw';
import measureObjectsDeclaration from './measureObjects.json';
import countEvalSource from './countEval.block.js?raw';
import countEvalDeclaration from './countEval.json';

export interface BuiltinBlock {
  name: string;
  declaration: unknown;
  source: string;
}

export const BUILTIN_BLOCKS: readonly BuiltinBlock[] = [
  { name: 'builtin/threshold/1', declaration: thresholdDeclaration, source: thresholdSource },
  { name: 'builtin/segmentation_eval/1', declaration: segmentationEvalDeclaration, source: segmentationEvalSource },
  { name: 'builtin/fig3_features/1', declaration: fig3FeaturesDeclaration, source: fig3FeaturesSource },
  { name: 'builtin/fig3_labels/1', declaration: fig3LabelsDeclaration, source: fig3LabelsSource },
  { name: 'builtin/pca/1', declaration: pcaDeclaration, source: pcaSource },
  { name: 'builtin/loop_processor/1', declaration: loopProcessorDeclaration, source: loopProcessorSource },
  { name: 'builtin/loop_evaluator/1', declaration: loopEvaluatorDeclaration, source: loopEvaluatorSource },
  { name: 'builtin/sum/1', declaration: sumDeclaration, source: sumSource },
  { name: 'builtin/volume_threshold/1', declaration: volumeThresholdDeclaration, source: volumeThresholdSource },
  { name: 'builtin/measure_objects/1', declaration: measureObjectsDeclaration, source: measureObjectsSource },
  { name: 'builtin/count_eval/1', declaration: countEvalDeclaration, source: countEvalSource },
];

/** What installs blocks (the API's `blocks`). */
export interface BlockInstaller {
  install(declaration: unknown, moduleSource: string, opts?: { name?: string; builtin?: boolean }): Promise<unknown>;
}

export async function installBuiltinBlocks(blocks: BlockInstaller): Promise<void> {
  for (const b of BUILTIN_BLOCKS) await blocks.install(b.declaration, b.source, { name: b.name, builtin: true });
}

export { countEvalToolchain, fig3Toolchain, pcaToolchain, runnerEvalToolchain, segmentationEvalToolchain, volumeThresholdToolchain } from './toolchains';
