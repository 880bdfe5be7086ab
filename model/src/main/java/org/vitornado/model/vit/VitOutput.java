package org.vitornado.model.vit;

/** What a ViT plan can hand back to the host, named as the reference fixtures name them. */
public enum VitOutput {
    /** {@code forward_features}: every token after the blocks (and the final norm, if the model has one), {@code [B, T, C]} */
    FEATURES("features"),
    /** the pooled (and fc-normed) vector the head sees, {@code [B, C]} */
    PRE_LOGITS("pre_logits"),
    /** the classifier's output, {@code [B, classes]} */
    LOGITS("logits"),
    /** softmax of the logits */
    PROBABILITIES("probabilities"),
    /** a hybrid ViT's CNN feature map {@code backbone [B, C, h, w]}, with its stem and stage maps and their projection (intermediates) */
    BACKBONE("backbone");

    private final String fixtureName;

    VitOutput(String fixtureName) {
        this.fixtureName = fixtureName;
    }

    public String fixtureName() {
        return fixtureName;
    }
}
