package org.vitornado.cli.eval;

/**
 * Accuracy figures accumulated image by image: top-1 and top-5 hits, per-class accuracy and the confusion matrix
 * ({@code confusion[true][predicted]}).
 */
public final class Evaluation {

    private final int classes;
    private final long[][] confusion;
    private long images;
    private long top1;
    private long top5;

    public Evaluation(int classes) {
        this.classes = classes;
        this.confusion = new long[classes][classes];
    }

    /** One image: its true class and the model's classes, best first. */
    public void add(int truth, int[] ranked) {
        images++;
        confusion[truth][ranked[0]]++;
        if (ranked[0] == truth) {
            top1++;
        }
        for (int i = 0; i < Math.min(5, ranked.length); i++) {
            if (ranked[i] == truth) {
                top5++;
                break;
            }
        }
    }

    public long images() {
        return images;
    }

    public double top1() {
        return images == 0 ? Double.NaN : (double) top1 / images;
    }

    public double top5() {
        return images == 0 ? Double.NaN : (double) top5 / images;
    }

    public long top1Hits() {
        return top1;
    }

    public long top5Hits() {
        return top5;
    }

    /** Images of class {@code k}. */
    public long support(int k) {
        long n = 0;
        for (long v : confusion[k]) {
            n += v;
        }
        return n;
    }

    /** Top-1 accuracy on the images of class {@code k}; NaN without any. */
    public double accuracy(int k) {
        long n = support(k);
        return n == 0 ? Double.NaN : (double) confusion[k][k] / n;
    }

    public long[][] confusion() {
        long[][] copy = new long[classes][];
        for (int i = 0; i < classes; i++) {
            copy[i] = confusion[i].clone();
        }
        return copy;
    }

    public int classes() {
        return classes;
    }
}
