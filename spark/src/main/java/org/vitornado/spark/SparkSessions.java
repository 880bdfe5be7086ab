package org.vitornado.spark;

import java.util.Map;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/** The job's Spark session: spark-submit's settings when it started us, else local mode on every core. */
final class SparkSessions {

    private SparkSessions() {
    }

    /**
     * @param master {@code --master}: overrides spark-submit's; without either, {@code local[*]}
     * @param conf {@code --conf KEY=VALUE} settings
     */
    static SparkSession start(String master, Map<String, String> conf, String appName) {
        SparkConf submitted = new SparkConf();
        SparkSession.Builder b = SparkSession.builder().appName(appName);
        String resolved = master != null ? master : submitted.get("spark.master", "local[*]");
        b.master(resolved);
        if (resolved.startsWith("local") && !submitted.contains("spark.ui.enabled")) {
            // A command-line run: no web UI on port 4040 unless asked for (--conf spark.ui.enabled=true).
            b.config("spark.ui.enabled", "false");
        }
        conf.forEach(b::config);
        return b.getOrCreate();
    }
}
