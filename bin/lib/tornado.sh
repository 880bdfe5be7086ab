# Sourced by bin/vitornado and bin/vitornado-spark: finds TornadoVM and writes the JVM argfile that runs a program
# under it. `tornado_argfile_for FILE [JAR]` writes FILE and sets tornado_argfile to it, or sets it empty when there
# is no TornadoVM: TORNADOVM_HOME, else the SDK whose `tornado` launcher is on PATH. JAR goes first on the module
# path: Spark's log4j-api, which must win over the older one in TornadoVM's module folder (Spark's log4j-core needs
# its own API version, and a module shadows the same packages on the class path).

tornado_argfile_for() {
    local target="$1" first="${2:-}" tornado_home backends drop b m
    tornado_argfile=""
    tornado_home="${TORNADOVM_HOME:-}"
    if [ -z "$tornado_home" ] && command -v tornado >/dev/null 2>&1; then
        tornado_home=$(cd "$(dirname "$(readlink -f "$(command -v tornado)")")/.." && pwd)
    fi
    if [ -z "$tornado_home" ] || [ ! -f "$tornado_home/tornado-argfile.template" ]; then
        return 0
    fi
    # Written beside the build from the SDK's template, as the launcher writes its own (the SDK may be read-only).
    # A backend switched off in etc/tornado.backend (its driver jar moved aside, e.g. PTX where there is no
    # libcuda) is left out of --add-modules, which the launcher decides per run and the template does not.
    backends=$(sed -n 's/^tornado.backends=//p' "$tornado_home/etc/tornado.backend" 2>/dev/null || true)
    drop=""
    for b in opencl ptx spirv; do
        [ -n "$backends" ] || break
        case ",$backends," in
            *,$b-backend,*) ;;
            *) m="tornado\\.drivers\\.$b"
               drop="$drop -e /=$m\$/d -e /^--add-reads=$m=/d -e s/,$m\\b//g -e s/=$m,/=/g" ;;
        esac
    done
    # shellcheck disable=SC2086
    [ -z "$first" ] || drop="$drop -e s|^--module-path\s\+|--module-path\x20$first:|"
    sed -e "s|\${TORNADOVM_HOME}|$tornado_home|g" $drop "$tornado_home/tornado-argfile.template" > "$target.$$"
    mv "$target.$$" "$target"
    tornado_argfile="$target"
}
