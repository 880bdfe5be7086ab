package org.vitornado.model.layers;

import org.vitornado.runtime.PlanBuilder;
import org.vitornado.runtime.tensor.Tokens;

/**
 * timm's pre-norm transformer block, the one ViT, SAM and ViTDet share:
 * <pre>
 *   x += attn.proj(attention(attn.qkv(norm1(x))))
 *   x += mlp.fc2(gelu(mlp.fc1(norm2(x))))
 * </pre>
 * with global attention (ViT) or attention within windows (SAM, ViTDet). The residual adds are fused into the
 * projections, GELU into fc1.
 */
public final class TransformerBlock {

    /** The attention between {@code attn.qkv} and {@code attn.proj}: packed qkv rows in, attended rows out. */
    @FunctionalInterface
    public interface Attention {
        void add(PlanBuilder g, String task, Tokens qkv, Tokens out);
    }

    /** Activations every block of a stack writes before it reads them, so one set serves all blocks. */
    public record Scratch(Tokens h, Tokens qkv, Tokens attn, Tokens mlp) {

        public static Scratch allocate(int batch, int tokens, int embed, int hidden) {
            return new Scratch(Tokens.allocate(batch, tokens, embed), Tokens.allocate(batch, tokens, 3 * embed), Tokens.allocate(batch, tokens, embed),
                    Tokens.allocate(batch, tokens, hidden));
        }
    }

    private TransformerBlock() {
    }

    /** Adds one block at task prefix {@code p} ({@code blocks.3.}); {@code x} is updated in place. */
    public static void add(PlanBuilder g, String p, BlockWeights b, Tokens x, Scratch s, Attention attention) {
        g.layerNorm(p + "norm1", x, b.norm1(), s.h())
                .linear(p + "attn.qkv", s.h(), b.qkv(), s.qkv());
        attention.add(g, p + "attn", s.qkv(), s.attn());
        g.linearResidual(p + "attn.proj", s.attn(), b.proj(), x)
                .layerNorm(p + "norm2", x, b.norm2(), s.h())
                .linearGelu(p + "mlp.fc1", s.h(), b.fc1(), s.mlp())
                .linearResidual(p + "mlp.fc2", s.mlp(), b.fc2(), x);
    }

    /** Global multi-head attention over every token of an image. */
    public static Attention global(int heads) {
        return (g, task, qkv, out) -> g.attention(task, qkv, heads, out);
    }
}
