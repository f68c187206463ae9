// The BEAT block engine's pure core: data formats, declarations, parameters, inputs, outputs, data
// loaders, the block executor and split runs. See README.md and docs/beat.md.

export * from './errors';
export * from './streams';
export * from './dataFormats';
export * from './parameters';
export * from './declaration';
export * from './inputs';
export * from './outputs';
export * from './dataLoaders';
export * from './executeBlock';
export * from './algorithmApi';
export * from './split';
export * from './toolchain';
export * from './validateRun';
export * from './blockIo';
export * from './loopChannel';
export * from './loopEvaluator';
export * from './loopPair';
export * from './userFormats';
export * from './lazyUnits';
