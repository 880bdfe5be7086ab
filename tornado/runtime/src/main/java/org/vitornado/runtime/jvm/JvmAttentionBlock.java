package org.vitornado.runtime.jvm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * One work-item's attention for one head on the CPU: {@code out_i = sum_j softmax_j(s_ij) v_j} for a block of queries,
 * where {@code s_ij = scale q_i . k_j} (plus whatever the caller adds, as window attention's rel-pos terms), shared by
 * {@link JvmAttentionKernels} and {@link JvmWindowAttentionKernels}. The scores are kept transposed, keys x queries, so
 * that every step is a GEMM on {@link JvmGemm} or a vertical vector operation:
 * <ol>
 * <li>{@code S^T = K (scale Q)^T}: K's rows are copied as they lie (the A operand), the queries are packed into panels
 * of {@link JvmMicroKernel#width()} queries (the B operand);</li>
 * <li>softmax down each column, a vector of queries at a time: max over keys, {@code exp}, sum;</li>
 * <li>{@code O = P V}: P is read column-major from {@code S^T} (A with {@code lda = 1}), V is packed into panels of
 * head channels (a contiguous copy of each key's row); each row of O is divided by its sum as it is stored.</li>
 * </ol>
 * A block's arrays are per thread and reused from work-item to work-item.
 */
final class JvmAttentionBlock {

    private static final ThreadLocal<JvmAttentionBlock> PER_THREAD = ThreadLocal.withInitial(JvmAttentionBlock::new);

    /** K's rows, {@code [keyTiles * ROWS][headDim]}, zero rows past the keys. */
    float[] keyRows = new float[0];
    /** The scaled queries in panels, {@code [queryPanels][headDim][width]}, zero past {@link #queries}. */
    float[] queryPanels = new float[0];
    /** The unscaled queries' rows, {@code [queryTiles * ROWS][headDim]} (for window attention's rel-pos terms). */
    float[] queryRows = new float[0];
    /** {@code S^T}, {@code [keyTiles * ROWS][ldQ]}: after {@link #softmax()}, the numerators {@code P^T}. */
    float[] scores = new float[0];
    /** V in panels of head channels, {@code [channelPanels][keys][width]}, zero past the head's channels. */
    float[] valuePanels = new float[0];
    /** O, {@code [queryTiles * ROWS][ldO]}. */
    float[] out = new float[0];
    /** Each query's softmax denominator. */
    float[] sums = new float[0];
    /** Each query's largest score. */
    private float[] maxima = new float[0];

    int queries;
    int keys;
    int headDim;
    int ldQ;
    int ldO;
    private int keyTiles;
    private int queryTiles;
    private int channelPanels;

    private JvmAttentionBlock() {
    }

    /**
     * This thread's block for {@code keys} keys of {@code headDim} channels, and up to {@code maxQueries} queries at a
     * time ({@link #queries(int)}): the keys and values are gathered once for all the blocks of queries that follow.
     */
    static JvmAttentionBlock of(int keys, int headDim, int maxQueries) {
        JvmAttentionBlock b = PER_THREAD.get();
        int width = JvmMicroKernel.width();
        int rows = JvmMicroKernel.ROWS;
        b.keys = keys;
        b.headDim = headDim;
        b.keyTiles = (keys + rows - 1) / rows;
        b.channelPanels = (headDim + width - 1) / width;
        b.ldO = b.channelPanels * width;
        int maxLdQ = (maxQueries + width - 1) / width * width;
        int maxTiles = (maxQueries + rows - 1) / rows;
        b.keyRows = grow(b.keyRows, b.keyTiles * rows * headDim);
        b.queryPanels = grow(b.queryPanels, maxLdQ * headDim);
        b.queryRows = grow(b.queryRows, maxTiles * rows * headDim);
        // P's column-major reads take whole row tiles of queries: up to ROWS - 1 past the last column, which on the
        // last key row run past the array's end (the rows they feed are never stored).
        b.scores = grow(b.scores, b.keyTiles * rows * maxLdQ + rows);
        b.valuePanels = grow(b.valuePanels, b.ldO * keys);
        b.out = grow(b.out, maxTiles * rows * b.ldO);
        b.sums = grow(b.sums, maxLdQ);
        b.maxima = grow(b.maxima, maxLdQ);
        Arrays.fill(b.keyRows, keys * headDim, b.keyTiles * rows * headDim, 0f);
        return b;
    }

    /** Starts a block of {@code n} queries (at most the {@code maxQueries} of {@link #of}), each set by {@link #query}. */
    void queries(int n) {
        int width = JvmMicroKernel.width();
        int rows = JvmMicroKernel.ROWS;
        queries = n;
        queryTiles = (n + rows - 1) / rows;
        ldQ = (n + width - 1) / width * width;
        Arrays.fill(queryPanels, 0, ldQ * headDim, 0f);
        Arrays.fill(queryRows, n * headDim, queryTiles * rows * headDim, 0f);
    }

    /** Key j's channels: {@code headDim} floats from float index {@code at} of {@code src}. */
    void key(int j, MemorySegment src, long at) {
        copy(src, at, keyRows, j * headDim, headDim);
    }

    /** Value j's channels: {@code headDim} floats from float index {@code at} of {@code src}. */
    void value(int j, MemorySegment src, long at) {
        int width = JvmMicroKernel.width();
        for (int p = 0; p < channelPanels; p++) {
            int count = Math.min(width, headDim - p * width);
            int to = (p * keys + j) * width;
            copy(src, at + (long) p * width, valuePanels, to, count);
            if (count < width) {
                Arrays.fill(valuePanels, to + count, to + width, 0f);
            }
        }
    }

    /**
     * {@code count} floats from float index {@code at} of {@code src} into {@code dst[to ...]}: whole vectors, then
     * one float at a time (a {@code MemorySegment.copy} per key costs as much as the scores' GEMM at ViT sizes).
     */
    private static void copy(MemorySegment src, long at, float[] dst, int to, int count) {
        int lanes = JvmVectors.S.length();
        int d = 0;
        for (; d <= count - lanes; d += lanes) {
            FloatVector.fromMemorySegment(JvmVectors.S, src, (at + d) * Float.BYTES, JvmVectors.ORDER).intoArray(dst, to + d);
        }
        for (; d < count; d++) {
            dst[to + d] = src.getAtIndex(ValueLayout.JAVA_FLOAT, at + d);
        }
    }

    /** Query i's channels ({@code headDim} floats from float index {@code at} of {@code src}), scaled by {@code scale}. */
    void query(int i, MemorySegment src, long at, float scale) {
        int width = JvmMicroKernel.width();
        int panel = (i / width) * headDim * width + i % width;
        copy(src, at, queryRows, i * headDim, headDim);
        for (int d = 0; d < headDim; d++) {
            queryPanels[panel + d * width] = scale * queryRows[i * headDim + d];
        }
    }

    /** {@code S^T = K (scale Q)^T}. */
    void scores() {
        JvmGemm.multiply(keyRows, headDim, 1, keyTiles, queryPanels, headDim, 0, ldQ / JvmMicroKernel.width(), scores, ldQ);
    }

    /**
     * Each column of {@code S^T} (over the keys) becomes its softmax numerators {@code exp(s - max)}; sums kept. Both
     * passes walk S^T row by row, a vector of queries at a time, with the columns' running maxima and sums in small
     * arrays: walking it column by column streamed all of it (2 MB at 4,096 keys) once per vector of columns.
     */
    void softmax() {
        softmax(null, null, 1);
    }

    /**
     * {@link #softmax()} after adding {@code byRow[j / keyColumns] + byColumn[j % keyColumns]} (rows of {@code ldQ}
     * floats, one value per query) to key j's row of {@code S^T}, in the first pass: window attention's rel-pos terms.
     */
    void softmax(float[] byRow, float[] byColumn, int keyColumns) {
        int lanes = JvmVectors.S.length();
        Arrays.fill(maxima, 0, ldQ, Float.NEGATIVE_INFINITY);
        for (int j = 0; j < keys; j++) {
            int row = j * ldQ;
            int termsH = (j / keyColumns) * ldQ;
            int termsW = (j % keyColumns) * ldQ;
            for (int i = 0; i < ldQ; i += lanes) {
                FloatVector s = FloatVector.fromArray(JvmVectors.S, scores, row + i);
                if (byRow != null) {
                    s = s.add(FloatVector.fromArray(JvmVectors.S, byRow, termsH + i)).add(FloatVector.fromArray(JvmVectors.S, byColumn, termsW + i));
                    s.intoArray(scores, row + i);
                }
                FloatVector.fromArray(JvmVectors.S, maxima, i).max(s).intoArray(maxima, i);
            }
        }
        Arrays.fill(sums, 0, ldQ, 0f);
        for (int j = 0; j < keys; j++) {
            int row = j * ldQ;
            for (int i = 0; i < ldQ; i += lanes) {
                FloatVector p = FloatVector.fromArray(JvmVectors.S, scores, row + i).sub(FloatVector.fromArray(JvmVectors.S, maxima, i))
                        .lanewise(VectorOperators.EXP);
                p.intoArray(scores, row + i);
                FloatVector.fromArray(JvmVectors.S, sums, i).add(p).intoArray(sums, i);
            }
        }
    }

    /** {@code O = P V}. */
    void weightedValues() {
        JvmGemm.multiply(scores, 1, ldQ, queryTiles, valuePanels, keys, 0, channelPanels, out, ldO);
    }

    /** Query i's output, {@code O_i / sum_i}, into {@code headDim} floats from float index {@code at} of {@code dst}. */
    void store(int i, MemorySegment dst, long at) {
        int lanes = JvmVectors.S.length();
        float inv = 1.0f / sums[i];
        int d = 0;
        for (; d <= headDim - lanes; d += lanes) {
            FloatVector.fromArray(JvmVectors.S, out, i * ldO + d).mul(inv).intoMemorySegment(dst, (at + d) * Float.BYTES, JvmVectors.ORDER);
        }
        // The tail one float at a time: masked segment accesses take a slow path unless every lane is set.
        for (; d < headDim; d++) {
            dst.setAtIndex(ValueLayout.JAVA_FLOAT, at + d, out[i * ldO + d] * inv);
        }
    }

    private static float[] grow(float[] a, int size) {
        return a.length >= size ? a : new float[size];
    }
}
