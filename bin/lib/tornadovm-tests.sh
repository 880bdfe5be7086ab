#!/usr/bin/env bash
# The second half of bin/test: the kernels and models under the real TornadoVM JIT. Installs the TornadoVM SDK from
# ../shared/tornadovm into target/tornadovm-sdk (and Debian's PoCL, a CPU OpenCL device, where no OpenCL driver is),
# puts its API jar in the local Maven repository, compiles the project against it (mvn -Ptornadovm) and runs every
# test not tagged "jvm" under the real runtime with -Dtornado.recover.bailout=False: the kernel tests, the end-to-end
# fixture tests, verify on every bundled fixture and a forward pass of every preset (compared with the JVM's).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
sdk_source="$root/../shared/tornadovm"
dest="$root/target/tornadovm-sdk"
cd "$root"

"$sdk_source/install.sh" "$dest"
. "$dest/env.sh"
argfile="$TORNADOVM_HOME/tornado-argfile"
if [ ! -f "$argfile" ]; then
    sed "s|\${TORNADOVM_HOME}|$TORNADOVM_HOME|g" "$TORNADOVM_HOME/tornado-argfile.template" > "$argfile"
fi
tornado --devices

# The real API jar as io.github.beehive-lab:tornado-api (TornadoVM is not on Maven Central).
api_jar="$TORNADOVM_HOME/share/java/tornado/tornado-api-5.2.0-jdk25.jar"
pom="$dest/tornado-api.pom"
cat > "$pom" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion><groupId>io.github.beehive-lab</groupId>
<artifactId>tornado-api</artifactId><version>5.2.0-jdk25</version><packaging>jar</packaging></project>
POM
mvn -B -q install:install-file -Dfile="$api_jar" -DpomFile="$pom"

echo "bin/test: the real-TornadoVM suite ($(java -version 2>&1 | head -n 1), $argfile)"
mvn -B -Ptornadovm -DskipTests=false -Dtornadovm.argfile="$argfile" verify "$@"
