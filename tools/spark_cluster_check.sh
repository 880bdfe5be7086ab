#!/usr/bin/env bash
# Runs vitornado-spark on a real (one-machine) Spark standalone cluster and checks it against local mode: a master
# and a worker started from the module's own Spark jars, the job submitted with spark-submit's main class, executors
# in JVMs of their own. With TORNADOVM_HOME set, the job also runs under the real TornadoVM (bailouts as errors): in
# local mode (bin/vitornado-spark --backend tornado), and on the cluster's executors (-job-tornado.jar, the argfile
# recipe the README gives for GPU executors).
#
#   tools/spark_cluster_check.sh [IMAGES_DIR]     (default: the bundled Fashion-MNIST test images)
#
# Prints one line per run: rows, label mismatches and the largest score difference against local mode.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/bin/lib/jdk.sh"
images=${1:-$root/models/fashion-vit/test-images}
work=$(mktemp -d /tmp/vitornado-spark-cluster.XXXXXX)
job_jar=$(ls "$root"/spark/target/vitornado-spark-*-job.jar)
tornado_jar=$(ls "$root"/spark/target/vitornado-spark-*-job-tornado.jar)
log="-Dlog4j2.configurationFile=$root/spark/conf/log4j2.properties"

# SPARK_HOME as a distribution lays it out: jars/ (Spark's only) and conf/.
mkdir -p "$work/spark/jars" "$work/spark/conf"
for j in "$root"/spark/target/lib/*.jar; do
    case "$(basename "$j")" in vitornado-*|tornado-api-jvm-*|picocli-*) ;; *) ln -s "$j" "$work/spark/jars/" ;; esac
done
cp "$root/spark/conf/log4j2.properties" "$work/spark/conf/"
export SPARK_HOME="$work/spark" SPARK_SCALA_VERSION=2.13
java_opts=(@"$root/spark/conf/java-options" "$log" -cp "$SPARK_HOME/jars/*")
spark_java() { "$JAVA_HOME/bin/java" "${java_opts[@]}" "$@"; }

# The master and the worker are started as java itself (not through a function, whose subshell would be what $!
# names), so that the trap stops them.
port=$((17000 + RANDOM % 2000))
"$JAVA_HOME/bin/java" "${java_opts[@]}" org.apache.spark.deploy.master.Master --host 127.0.0.1 --port "$port" --webui-port 0 \
    > "$work/master.log" 2>&1 &
master=$!
trap 'kill $master ${worker:-} 2>/dev/null || true; wait 2>/dev/null || true' EXIT
sleep 5
"$JAVA_HOME/bin/java" "${java_opts[@]}" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --cores 2 --memory 4g --webui-port 0 \
    --work-dir "$work/worker" "spark://127.0.0.1:$port" > "$work/worker.log" 2>&1 &
worker=$!
sleep 5

compare() { # rows of $1 against $2
    spark_java "$root/spark/src/test/java/org/vitornado/spark/CompareResults.java" "$1" "$2"
}

"$root/bin/vitornado-spark" classify --model "$root/models/fashion-vit" --images "$images" --out "$work/local" --master 'local[2]' > "$work/local.log" || true
spark_java org.apache.spark.deploy.SparkSubmit --master "spark://127.0.0.1:$port" --conf spark.executor.memory=2g \
    --class org.vitornado.spark.SparkMain "$job_jar" classify --model "$root/models/fashion-vit" --images "$images" --out "$work/cluster" || true
echo "cluster (JVM executors) against local mode: $(compare "$work/local/results" "$work/cluster/results")"

if [ -n "${TORNADOVM_HOME:-}" ]; then
    "$root/bin/vitornado-spark" classify --backend tornado --model "$root/models/fashion-vit" --images "$images" --out "$work/local-tornado" \
        --master 'local[2]' > "$work/local-tornado.log" 2>&1 || true
    echo "local mode under TornadoVM against local mode: $(compare "$work/local/results" "$work/local-tornado/results")"
    # The GPU executor recipe (README): TornadoVM's argfile with Spark's log4j-api first on its module path, and the
    # job jar on the executors' own class path (TornadoVM reads the kernels' class files from it).
    sed -e "s|\${TORNADOVM_HOME}|$TORNADOVM_HOME|g" -e "s|^--module-path |--module-path $(ls "$SPARK_HOME"/jars/log4j-api-*.jar):|" \
        "$TORNADOVM_HOME/tornado-argfile.template" > "$work/tornado-spark-argfile"
    spark_java org.apache.spark.deploy.SparkSubmit --master "spark://127.0.0.1:$port" --conf spark.executor.memory=2g \
        --conf spark.executor.extraClassPath="$tornado_jar" \
        --conf "spark.executor.extraJavaOptions=@$work/tornado-spark-argfile -Dtornado.recover.bailout=False -Dtornado.tvm.maxbytecodesize=1048576" \
        --class org.vitornado.spark.SparkMain "$tornado_jar" classify --backend tornado --model "$root/models/fashion-vit" --images "$images" \
        --out "$work/cluster-tornado" || true
    echo "cluster (TornadoVM executors) against local mode: $(compare "$work/local/results" "$work/cluster-tornado/results")"
fi
echo "outputs and logs: $work"
