// skimage 0.19.3's Euler-number coefficients (measure/_regionprops_utils.py, from Ohser, Nagel &
// Schladitz 2002): the contribution of each 2×2 (2-D) or 2×2×2 (3-D) configuration. euler_number
// convolves the zero-padded region with [[0,0,0],[0,1,4],[0,2,8]] (3-D: two more planes ×16), so the
// configuration of the window whose last pixel is p has bit 1 = p, 2 = p − row, 4 = p − column,
// 8 = p − row − column (3-D: +16, 32, 64, 128 for the same four one plane back: 16 = p − plane,
// 32 = p − plane − row, 64 = p − plane − column, 128 = all three).

/** connectivity 2 (8-neighbourhood), regionprops' default in 2-D. */
export const EULER_2D_8 = Int8Array.from([0, 0, 0, 0, 0, 0, -1, 0, 1, 0, 0, 0, 0, 0, -1, 0]);

/** connectivity 3 (26-neighbourhood), regionprops' default in 3-D; the result is int(0.125 · Σ). */
export const EULER_3D_26 = Int8Array.from([
  0, 1, 1, 0, 1, 0, -2, -1, 1, -2, 0, -1, 0, -1, -1, 0, 1, 0, -2, -1, -2, -1, -1, -2, -6, -3, -3, -2, -3, -2, 0, -1, 1, -2, 0, -1, -6, -3, -3, -2, -2, -1, -1,
  -2, -3, 0, -2, -1, 0, -1, -1, 0, -3, -2, 0, -1, -3, 0, -2, -1, 0, 1, 1, 0, 1, -2, -6, -3, 0, -1, -3, -2, -2, -1, -3, 0, -1, -2, -2, -1, 0, -1, -3, -2, -1, 0,
  0, -1, -3, 0, 0, 1, -2, -1, 1, 0, -2, -1, -3, 0, -3, 0, 0, 1, -1, 4, 0, 3, 0, 3, 1, 2, -1, -2, -2, -1, -2, -1, 1, 0, 0, 3, 1, 2, 1, 2, 2, 1, 1, -6, -2, -3,
  -2, -3, -1, 0, 0, -3, -1, -2, -1, -2, -2, -1, -2, -3, -1, 0, -1, 0, 4, 3, -3, 0, 0, 1, 0, 1, 3, 2, 0, -3, -1, -2, -3, 0, 0, 1, -1, 0, 0, -1, -2, 1, -1, 0, -1,
  -2, -2, -1, 0, 1, 3, 2, -2, 1, -1, 0, 1, 2, 2, 1, 0, -3, -3, 0, -1, -2, 0, 1, -1, 0, -2, 1, 0, -1, -1, 0, -1, -2, 0, 1, -2, -1, 3, 2, -2, 1, 1, 2, -1, 0, 2,
  1, -1, 0, -2, 1, -2, 1, 1, 2, -2, 3, -1, 2, -1, 2, 0, 1, 0, -1, -1, 0, -1, 0, 2, 1, -1, 2, 0, 1, 0, 1, 1, 0,
]);
