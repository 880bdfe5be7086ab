/**
 * Float64 references of every kernel family: what each operator computes, written as the plainest loops that say it,
 * with all arithmetic in {@code double}. They play the part of the CPU references in llm.c's {@code dev/cuda}: a
 * reader studies the maths here, next to the kernels in {@code tornado/kernels} ({@code org.vitornado.kernels}) that
 * compute the same values for a device.
 *
 * <p>Every kernel version is tested against these in float64, on awkward shapes (sizes that are not multiples of a
 * work-group, batch &gt; 1, non-square maps, offsets and strides) as well as the shapes the presets use: version 1,
 * the portable kernels (one work-item per output); version 2, the GPU kernels ({@code TiledLinearKernels},
 * {@code FlashAttentionKernels}, {@code GroupLayerNormKernels}); and, through them, the JVM backend's CPU kernels in
 * {@code tornado/runtime}, which are checked against the portable ones ({@code JvmKernelsTest}).
 *
 * <p>Conventions:
 * <ul>
 * <li>Inputs are plain {@code float[]} (the float32 values a kernel reads), outputs fresh {@code double[]}; every
 * product and sum is taken in {@code double}, so a reference's own rounding error is far below the tolerances of the
 * tests (1e-5 relative L2 for most).</li>
 * <li>Layouts are the kernels': row-major, named outermost first, detectron2 style: token rows
 * {@code [batch, tokens, channels]}, channels-last maps {@code [batch, height, width, channels]}, images
 * {@code [batch, channels, height, width]}, PyTorch's weight layouts ({@code Linear [out, in]},
 * {@code Conv2d [out, in/groups, kh, kw]}, {@code ConvTranspose2d [in, out, 2, 2]}).</li>
 * <li>Arguments follow the kernel's order, less the {@code KernelContext} and the output array; flags a kernel takes
 * as {@code int} (0 or 1) are {@code boolean} here.</li>
 * <li>Where a kernel writes only part of its output (a crop, a channel slice, rows of one pyramid level), the
 * reference returns the whole array with zeros (or the input's values, for in-place kernels) elsewhere, and says
 * so.</li>
 * </ul>
 *
 * <p>This module depends on nothing: no TornadoVM, no other module. {@code tornado/kernels} depends on it as an
 * optional dependency (its javadoc links here; its tests call it), so nothing downstream of the kernels carries it.
 */
package org.vitornado.reference;
