# Sourced by the bin/ scripts: finds a JDK 25 (or newer) and exports JAVA_HOME and PATH for it.
# Order: $JAVA_HOME, then JDKs under /usr/lib/jvm and /opt, then the `java` on PATH.
# A script that only runs Java (bin/vitornado) sets VITORNADO_RUNTIME_ONLY=1 first: then a Java runtime without
# javac will do (the jlink'd runtime of a GPU run).

java_major() { # prints the feature version of the JDK at $1 (e.g. 25), or nothing
    [ -x "$1/bin/java" ] || return 0
    [ "${VITORNADO_RUNTIME_ONLY:-0}" = 1 ] || [ -x "$1/bin/javac" ] || return 0
    "$1/bin/java" -XshowSettings:properties -version 2>&1 \
        | sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1
}

find_jdk() {
    local cand major
    for cand in "${JAVA_HOME:-}" /usr/lib/jvm/*25* /usr/lib/jvm/* /opt/*jdk* /opt/java/*; do
        [ -n "$cand" ] && [ -d "$cand" ] || continue
        major=$(java_major "$cand")
        if [ -n "$major" ] && [ "$major" -ge 25 ]; then
            echo "$cand"
            return 0
        fi
    done
    if command -v javac >/dev/null 2>&1 || { [ "${VITORNADO_RUNTIME_ONLY:-0}" = 1 ] && command -v java >/dev/null 2>&1; }; then
        cand=$(dirname "$(dirname "$(readlink -f "$(command -v javac || command -v java)")")")
        major=$(java_major "$cand")
        if [ -n "$major" ] && [ "$major" -ge 25 ]; then
            echo "$cand"
            return 0
        fi
    fi
    return 1
}

if ! VITORNADO_JDK=$(find_jdk); then
    echo "vitornado needs a JDK 25 or newer: none found in \$JAVA_HOME, /usr/lib/jvm, /opt or on PATH." >&2
    echo "Install one (e.g. Eclipse Temurin 25) and set JAVA_HOME to it." >&2
    exit 2
fi
export JAVA_HOME="$VITORNADO_JDK"
export PATH="$JAVA_HOME/bin:$PATH"
