package org.vitornado.spark;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Two classify results tables compared row by row (tools/spark_cluster_check.sh): rows, errors, label mismatches and
 * the largest score difference. {@code java ... CompareResults.java A/results B/results}.
 */
public final class CompareResults {

    private CompareResults() {
    }

    public static void main(String[] args) {
        SparkSession s = SparkSession.builder().master("local[1]").config("spark.ui.enabled", "false").getOrCreate();
        try {
            Map<String, Row> a = byPath(s, args[0]);
            Map<String, Row> b = byPath(s, args[1]);
            int missing = 0;
            int errors = 0;
            int mismatches = 0;
            double worst = 0;
            for (var e : a.entrySet()) {
                Row x = e.getValue();
                Row y = b.get(e.getKey());
                if (y == null) {
                    missing++;
                    continue;
                }
                if (x.getAs("labels") == null || y.getAs("labels") == null) {
                    errors += x.getAs("labels") == null && y.getAs("labels") == null ? 1 : 0;
                    mismatches += x.getAs("labels") == null ^ y.getAs("labels") == null ? 1 : 0;
                    continue;
                }
                List<Row> lx = x.getList(x.fieldIndex("labels"));
                List<Row> ly = y.getList(y.fieldIndex("labels"));
                for (int k = 0; k < Math.min(lx.size(), ly.size()); k++) {
                    mismatches += lx.get(k).getInt(0) != ly.get(k).getInt(0) ? 1 : 0;
                    worst = Math.max(worst, Math.abs(lx.get(k).getFloat(2) - ly.get(k).getFloat(2)));
                }
                mismatches += lx.size() != ly.size() ? 1 : 0;
            }
            System.out.printf("%d rows / %d rows, %d missing, %d errors in both, %d label mismatches, max |score difference| %.2g%n", a.size(), b.size(),
                    missing, errors, mismatches, worst);
        } finally {
            s.stop();
        }
    }

    private static Map<String, Row> byPath(SparkSession s, String table) {
        Map<String, Row> out = new HashMap<>();
        for (Row r : s.read().parquet(table).collectAsList()) {
            out.put(r.getAs("path"), r);
        }
        return out;
    }
}
