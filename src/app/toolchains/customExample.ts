// The JSON the custom toolchain editor starts with.

export const CUSTOM_EXAMPLE = JSON.stringify(
  {
    name: 'my toolchain',
    sources: [{ name: 'x', values: [{ value: 1 }, { value: 2 }, { value: 3 }], format: 'system/int32/1' }],
    blocks: [{ name: 'A', algorithm: 'builtin/fig3_labels/1' }],
    connections: [{ from: 'x', to: 'A.labels' }],
  },
  null,
  2,
);
