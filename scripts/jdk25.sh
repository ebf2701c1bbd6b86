# Sourced by ./tcxsim, ./run-tests and .ci/run: sets JAVA_HOME to a JDK 25 and puts it first on
# PATH. Takes JAVA_HOME when it already is a JDK 25, else the first /usr/lib/jvm/*25* that is one.
# Stops with a message naming what it looked at when there is none.

tcxsim_java_feature() {
    # prints the feature release (17, 25, ...) of the JDK at $1, or nothing
    [ -x "$1/bin/java" ] || return 0
    "$1/bin/java" -XshowSettings:properties -version 2>&1 \
        | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}

tcxsim_find_jdk25() {
    local looked="" candidate feature
    for candidate in ${JAVA_HOME:+"$JAVA_HOME"} /usr/lib/jvm/*25*; do
        [ -e "$candidate" ] || continue
        looked="$looked $candidate"
        feature=$(tcxsim_java_feature "$candidate")
        if [ "$feature" = 25 ] && [ -x "$candidate/bin/javac" ]; then
            export JAVA_HOME="$candidate"
            export PATH="$JAVA_HOME/bin:$PATH"
            # Maven 3.8's bundled Guava calls sun.misc.Unsafe; JDK 25 warns about it on every run.
            case "${MAVEN_OPTS:-}" in
                *sun-misc-unsafe-memory-access*) ;;
                *) export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" ;;
            esac
            return 0
        fi
    done
    echo "tcxsim: no JDK 25 found. Looked at JAVA_HOME (${JAVA_HOME:-unset}) and /usr/lib/jvm/*25*:${looked:- nothing there}." >&2
    echo "tcxsim: install one (e.g. Temurin 25 into /usr/lib/jvm/temurin-25-jdk-amd64) or set JAVA_HOME to a JDK 25." >&2
    return 1
}
