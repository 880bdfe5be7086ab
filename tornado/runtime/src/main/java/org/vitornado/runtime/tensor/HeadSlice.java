package org.vitornado.runtime.tensor;

/**
 * The q, k or v of attention: columns {@code [offset, offset + heads * headDim)} of every row of {@code rows}, head
 * {@code h} at {@code offset + h * headDim}. timm's packed qkv is three slices of one array (offsets 0, C, 2C);
 * a cross-attention's queries and keys come from different arrays.
 */
public record HeadSlice(Tokens rows, int offset) {

    /** timm's {@code qkv} rows {@code [tokens, 3 C]} as q, k and v. */
    public static HeadSlice[] packedQkv(Tokens qkv) {
        int c = qkv.channels() / 3;
        if (c * 3 != qkv.channels()) {
            throw new IllegalArgumentException("packed qkv needs 3 C channels, got " + qkv.channels());
        }
        return new HeadSlice[] {new HeadSlice(qkv, 0), new HeadSlice(qkv, c), new HeadSlice(qkv, 2 * c)};
    }
}
