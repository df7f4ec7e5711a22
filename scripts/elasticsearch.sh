#!/usr/bin/env bash
# Run a real single-node Elasticsearch 9.x on this machine, for tests and CI.
#
# Usage: scripts/elasticsearch.sh start|stop|status|url
#
#   start   download (once) + configure + start the node in the background,
#           wait until cluster health is yellow/green, print the URL on stdout.
#           If the node is already running, just print the URL.
#   stop    stop the node (SIGTERM, then SIGKILL after LEGALKB_ES_STOP_TIMEOUT s).
#   status  exit 0 if the node is running and healthy (yellow/green), 1 otherwise.
#   url     print the URL (http://127.0.0.1:PORT).
#
# Progress messages go to stderr; only the URL goes to stdout, so
#   LEGALKB_ES_URL="$(scripts/elasticsearch.sh start)"
# works.
#
# Environment:
#   LEGALKB_ES_PORT          HTTP port (default 9200)
#   LEGALKB_ES_CACHE         cache dir holding the distribution, config, data,
#                            logs and pidfile. Default:
#                            $HOME/.cache/legalkb/elasticsearch, or
#                            /var/cache/legalkb/elasticsearch when run as root
#                            (see "Why not root" below).
#                            One node per cache dir: to run two nodes, use two
#                            cache dirs and two ports.
#   LEGALKB_ES_VERSION       Elasticsearch version (default 9.2.0, the newest
#                            9.x integ-test-zip published on Maven Central).
#   LEGALKB_ES_HEAP          JVM heap, used for -Xms and -Xmx (default 1g)
#   LEGALKB_ES_TIMEOUT       seconds to wait for yellow/green health (default 120)
#   LEGALKB_ES_STOP_TIMEOUT  seconds to wait for a clean stop (default 60)
#   LEGALKB_ES_USER          service user used when run as root (default legalkb-es)
#   ES_JAVA_HOME             Java 21+ home; auto-detected when unset.
#   LEGALKB_MAVEN_REPO       Maven repository base URL used by the curl fallback
#                            when mvn is not installed
#                            (default https://repo1.maven.org/maven2)
#
# Why the "integ-test-zip" distribution: elastic.co (artifacts.elastic.co, Docker
# registry) is not reachable from our build machines, but Maven Central is.
# Elastic publishes org.elasticsearch.distribution.integ-test-zip:elasticsearch
# there: the real server, without a bundled JDK and with only a minimal set of
# modules (transport-netty4, x-pack-core, x-pack-security, apm). See
# docs/elasticsearch-node.md for what works with it.
#
# Why not root: Elasticsearch refuses to start as root ("can not run
# elasticsearch as root"), and our CI containers run as root. When this script
# runs as root it creates a locked system user (LEGALKB_ES_USER, no login shell,
# no home), gives it the cache dir, and runs the node as that user with
# setpriv(1) from util-linux (always present on Debian; no PAM session, no
# password, no tty needed, unlike su/sudo). The default cache dir then lives in
# /var/cache instead of /root/.cache because /root is mode 700, so the service
# user could not even reach its own files there.

set -euo pipefail
export LC_NUMERIC=C  # "." in $EPOCHREALTIME

readonly ES_GROUP_ID="org.elasticsearch.distribution.integ-test-zip"
readonly ES_ARTIFACT_ID="elasticsearch"
readonly DEFAULT_ES_VERSION="9.2.0"

ES_VERSION="${LEGALKB_ES_VERSION:-$DEFAULT_ES_VERSION}"
PORT="${LEGALKB_ES_PORT:-9200}"
HEAP="${LEGALKB_ES_HEAP:-1g}"
START_TIMEOUT="${LEGALKB_ES_TIMEOUT:-120}"
STOP_TIMEOUT="${LEGALKB_ES_STOP_TIMEOUT:-60}"
ES_USER="${LEGALKB_ES_USER:-legalkb-es}"
MAVEN_REPO="${LEGALKB_MAVEN_REPO:-https://repo1.maven.org/maven2}"
CLUSTER_NAME="legalkb"

if [[ "$(id -u)" -eq 0 ]]; then
    RUN_AS_ROOT=1
    CACHE_DIR="${LEGALKB_ES_CACHE:-/var/cache/legalkb/elasticsearch}"
else
    RUN_AS_ROOT=0
    CACHE_DIR="${LEGALKB_ES_CACHE:-${HOME:?HOME is not set}/.cache/legalkb/elasticsearch}"
fi

# SHA-256 of the Maven Central zips we have checked (Central publishes no .sha1
# for these artifacts, so Maven cannot verify them itself).
declare -A KNOWN_SHA256=(
    [9.2.0]=bf44938a0490ba2a303d39c9cb64b38963dd08c812ce93e10816e878585bcb6b
)

log() { printf 'elasticsearch.sh: %s\n' "$*" >&2; }
die() { printf 'elasticsearch.sh: error: %s\n' "$*" >&2; exit 1; }

usage() {
    printf 'usage: %s start|stop|status|url\n' "$0" >&2
    exit 2
}

[[ "$PORT" =~ ^[0-9]+$ ]] || die "LEGALKB_ES_PORT must be a number, got '$PORT'"
[[ "$START_TIMEOUT" =~ ^[0-9]+$ ]] || die "LEGALKB_ES_TIMEOUT must be a number of seconds"
[[ "$STOP_TIMEOUT" =~ ^[0-9]+$ ]] || die "LEGALKB_ES_STOP_TIMEOUT must be a number of seconds"
[[ "$HEAP" =~ ^[0-9]+[kKmMgG]$ ]] || die "LEGALKB_ES_HEAP must look like 512m or 1g, got '$HEAP'"

CACHE_DIR="$(realpath -m -- "$CACHE_DIR")"
ES_HOME="$CACHE_DIR/elasticsearch-$ES_VERSION"
CONF_DIR="$CACHE_DIR/config"
DATA_DIR="$CACHE_DIR/data"
LOG_DIR="$CACHE_DIR/logs"
TMP_DIR="$CACHE_DIR/tmp"
DOWNLOAD_DIR="$CACHE_DIR/downloads"
PID_FILE="$CACHE_DIR/elasticsearch.pid"
PORT_FILE="$CACHE_DIR/elasticsearch.port"
LOCK_FILE="$CACHE_DIR/.lock"
STARTUP_OUT="$LOG_DIR/startup.out"
SERVER_LOG="$LOG_DIR/$CLUSTER_NAME.log"

url_for() { printf 'http://127.0.0.1:%s' "$1"; }

# Seconds (one decimal) since an $EPOCHREALTIME value.
elapsed_since() {
    awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'
}

# --- locking ---------------------------------------------------------------

# Serialise start/stop so that parallel CI steps cannot start two nodes on the
# same cache dir.
take_lock() {
    mkdir -p "$CACHE_DIR"
    exec 9>>"$LOCK_FILE"
    flock -w 300 9 || die "could not lock $LOCK_FILE within 300 s"
}

# --- process state ---------------------------------------------------------

# Print the pid of our node if it is running (pidfile + live process that is
# really Elasticsearch, so a recycled pid is not mistaken for the node).
running_pid() {
    local pid
    [[ -r "$PID_FILE" ]] || return 1
    pid="$(tr -dc '0-9' <"$PID_FILE")"
    [[ -n "$pid" ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'org.elasticsearch' || return 1
    printf '%s' "$pid"
}

recorded_port() {
    if [[ -r "$PORT_FILE" ]]; then
        tr -dc '0-9' <"$PORT_FILE"
    else
        printf '%s' "$PORT"
    fi
}

# Cluster health JSON, or nothing.
health_json() {
    curl -fsS --max-time 5 "$(url_for "$1")/_cluster/health" 2>/dev/null || true
}

is_healthy() {
    health_json "$1" | grep -Eq '"status"[[:space:]]*:[[:space:]]*"(green|yellow)"'
}

port_in_use() {
    # bash's /dev/tcp: succeeds if something accepts connections on the port.
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Size of the server log before this start, so that on failure we show only
# what this start wrote.
SERVER_LOG_OFFSET=0

show_logs() {
    if [[ -s "$STARTUP_OUT" ]]; then
        printf '\n----- last 40 lines of %s -----\n' "$STARTUP_OUT" >&2
        tail -n 40 "$STARTUP_OUT" >&2
    fi
    if [[ -s "$SERVER_LOG" ]]; then
        printf '\n----- last 40 lines of %s (this start) -----\n' "$SERVER_LOG" >&2
        tail -c +"$((SERVER_LOG_OFFSET + 1))" "$SERVER_LOG" | tail -n 40 >&2
    fi
}

# --- java --------------------------------------------------------------------

java_major() {
    local spec
    spec="$("$1/bin/java" -XshowSettings:properties -version 2>&1 \
        | awk -F'= ' '/java\.specification\.version/ {print $2; exit}')" || true
    spec="${spec%%.*}"
    [[ "$spec" =~ ^[0-9]+$ ]] || spec=0
    printf '%s' "$spec"
}

# Print a Java 21+ home. An explicit ES_JAVA_HOME must be usable; otherwise try
# JAVA_HOME, Temurin 25, then everything under /usr/lib/jvm, newest first.
find_java() {
    local candidate major
    if [[ -n "${ES_JAVA_HOME:-}" ]]; then
        [[ -x "$ES_JAVA_HOME/bin/java" ]] || die "ES_JAVA_HOME=$ES_JAVA_HOME has no bin/java"
        major="$(java_major "$ES_JAVA_HOME")"
        ((major >= 21)) || die "ES_JAVA_HOME=$ES_JAVA_HOME is Java $major; Elasticsearch 9 needs Java 21 or newer"
        printf '%s' "$ES_JAVA_HOME"
        return
    fi
    local -a candidates=()
    [[ -n "${JAVA_HOME:-}" ]] && candidates+=("$JAVA_HOME")
    candidates+=(/usr/lib/jvm/temurin-25-jdk-amd64)
    while IFS= read -r candidate; do
        candidates+=("$candidate")
    done < <(find /usr/lib/jvm -mindepth 1 -maxdepth 1 -type d 2>/dev/null | sort -rV)
    for candidate in "${candidates[@]}"; do
        [[ -x "$candidate/bin/java" ]] || continue
        major="$(java_major "$candidate")"
        if ((major >= 21)); then
            printf '%s' "$candidate"
            return
        fi
    done
    die "no Java 21+ found (Elasticsearch 9 needs Java 21 or newer). Install one (e.g. Temurin 25) and/or set ES_JAVA_HOME to its home directory."
}

# --- download / unpack -------------------------------------------------------

download_zip() {
    local zip="$DOWNLOAD_DIR/$ES_ARTIFACT_ID-$ES_VERSION.zip"
    local coords="$ES_GROUP_ID:$ES_ARTIFACT_ID:$ES_VERSION:zip"
    mkdir -p "$DOWNLOAD_DIR"
    if [[ ! -s "$zip" ]]; then
        if command -v mvn >/dev/null 2>&1; then
            log "downloading $coords with Maven"
            # Goes through ~/.m2 (and any mirror in ~/.m2/settings.xml).
            local mvn_log="$DOWNLOAD_DIR/mvn.log"
            if ! mvn -B -Dstyle.color=never \
                org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
                -Dartifact="$coords" -DoutputDirectory="$DOWNLOAD_DIR" >"$mvn_log" 2>&1; then
                grep -E 'ERROR|BUILD' "$mvn_log" | head -n 20 >&2 || true
                die "Maven could not fetch $coords (full log: $mvn_log). Does that version exist on Maven Central? (set LEGALKB_ES_VERSION)"
            fi
        else
            local url
            url="$MAVEN_REPO/${ES_GROUP_ID//.//}/$ES_ARTIFACT_ID/$ES_VERSION/$ES_ARTIFACT_ID-$ES_VERSION.zip"
            log "mvn not found; downloading $url with curl"
            curl -fsSL --retry 3 -o "$zip.part" "$url" || die "download failed: $url"
            mv -f "$zip.part" "$zip"
        fi
    fi
    [[ -s "$zip" ]] || die "download of $coords produced no $zip"
    local want="${KNOWN_SHA256[$ES_VERSION]:-}"
    if [[ -n "$want" ]]; then
        local got
        got="$(sha256sum "$zip" | awk '{print $1}')"
        if [[ "$got" != "$want" ]]; then
            rm -f "$zip"
            die "checksum mismatch for $zip: expected $want, got $got (file removed)"
        fi
    else
        log "warning: no pinned SHA-256 for $ES_VERSION, not verifying the download"
    fi
    printf '%s' "$zip"
}

ensure_distribution() {
    # Idempotent: the marker is written only after a complete unpack.
    if [[ -f "$ES_HOME/.legalkb-unpacked" && -x "$ES_HOME/bin/elasticsearch" ]]; then
        return
    fi
    command -v unzip >/dev/null 2>&1 || die "unzip is required (apt-get install unzip)"
    local zip staging
    zip="$(download_zip)"
    staging="$CACHE_DIR/.unpack.$$"
    rm -rf "$staging" "$ES_HOME"
    mkdir -p "$staging"
    log "unpacking $zip"
    unzip -q "$zip" -d "$staging" || { rm -rf "$staging"; die "could not unpack $zip"; }
    [[ -x "$staging/elasticsearch-$ES_VERSION/bin/elasticsearch" ]] \
        || { rm -rf "$staging"; die "unexpected layout in $zip (no elasticsearch-$ES_VERSION/bin/elasticsearch)"; }
    mv "$staging/elasticsearch-$ES_VERSION" "$ES_HOME"
    rm -rf "$staging"
    touch "$ES_HOME/.legalkb-unpacked"
    # The unpacked tree is all we need (Maven also keeps a copy in ~/.m2).
    rm -f "$zip"
}

# --- root handling ---------------------------------------------------------------

ensure_service_user() {
    ((RUN_AS_ROOT)) || return 0
    if ! id -u "$ES_USER" >/dev/null 2>&1; then
        command -v useradd >/dev/null 2>&1 || die "running as root but useradd is missing; cannot create user $ES_USER"
        log "creating system user $ES_USER (Elasticsearch refuses to run as root)"
        useradd --system --user-group --no-create-home --home-dir /nonexistent \
            --shell /usr/sbin/nologin --comment "legalkb Elasticsearch test node" "$ES_USER"
    fi
    command -v setpriv >/dev/null 2>&1 || die "running as root but setpriv (util-linux) is missing"
}

# Run a command as the node's user: ourselves, or the service user when root.
as_node_user() {
    if ((RUN_AS_ROOT)); then
        setpriv --reuid="$ES_USER" --regid="$ES_USER" --init-groups -- "$@"
    else
        "$@"
    fi
}

# --- configuration ---------------------------------------------------------------

write_config() {
    # Only called while the node is stopped: start from an empty temp dir.
    rm -rf "$TMP_DIR"
    mkdir -p "$CONF_DIR/jvm.options.d" "$DATA_DIR" "$LOG_DIR" "$TMP_DIR"
    # Fresh copy of the distribution's defaults (keeps a keystore created by an
    # earlier run: the distribution has none).
    cp -R "$ES_HOME/config/." "$CONF_DIR/"
    # The integ-test-zip writes gc.log and hs_err files relative to the working
    # directory; pin them to the log dir.
    sed -i -e "s#file=gc.log#file=$LOG_DIR/gc.log#" \
        -e "s#^-XX:ErrorFile=hs_err_pid%p.log#-XX:ErrorFile=$LOG_DIR/hs_err_pid%p.log#" \
        "$CONF_DIR/jvm.options"

    # Only settings that exist in this distribution: an unknown setting (e.g.
    # ingest.geoip.downloader.enabled, whose module is not in the
    # integ-test-zip) makes the node refuse to start. xpack.ml.enabled would be
    # accepted (x-pack-core defines it) but is pointless: there is no ML module.
    cat >"$CONF_DIR/elasticsearch.yml" <<EOF
# Generated by scripts/elasticsearch.sh; rewritten on every start.
cluster.name: $CLUSTER_NAME
node.name: ${CLUSTER_NAME}-test-node
path.data: $DATA_DIR
path.logs: $LOG_DIR
# Single node, loopback only: no cluster formation, and Elasticsearch stays in
# "development mode" so production bootstrap checks (vm.max_map_count, ...)
# are not enforced.
discovery.type: single-node
network.host: 127.0.0.1
http.port: $PORT
# Test node: plain HTTP, no users/passwords.
xpack.security.enabled: false
# CI disks are often >90 % full; do not let the watermarks block shard
# allocation (indices would stay red / read-only).
cluster.routing.allocation.disk.threshold_enabled: false
# Let tests delete indices by wildcard (e.g. DELETE legalkb-test-*).
action.destructive_requires_name: false
EOF

    cat >"$CONF_DIR/jvm.options.d/legalkb.options" <<EOF
# Generated by scripts/elasticsearch.sh.
-Xms$HEAP
-Xmx$HEAP
-XX:HeapDumpPath=$LOG_DIR
EOF

    if ((RUN_AS_ROOT)); then
        chown -R "$ES_USER:$ES_USER" "$CACHE_DIR"
    fi
}

# As root, the cache dir must be reachable by the service user: fail before
# downloading anything if a parent directory is private (like /root).
check_cache_access() {
    ((RUN_AS_ROOT)) || return 0
    mkdir -p "$CACHE_DIR"
    chown "$ES_USER:$ES_USER" "$CACHE_DIR"
    as_node_user test -w "$CACHE_DIR" -a -x "$CACHE_DIR" \
        || die "user $ES_USER cannot reach LEGALKB_ES_CACHE=$CACHE_DIR (is a parent directory private, like /root?). Use a cache dir under /var/cache or /tmp."
}

# --- subcommands -----------------------------------------------------------------

wait_healthy() {
    local port="$1" pid="$2" deadline=$((SECONDS + START_TIMEOUT))
    while ((SECONDS < deadline)); do
        if is_healthy "$port"; then
            return 0
        fi
        if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then
            log "the Elasticsearch process ($pid) exited during startup"
            return 1
        fi
        sleep 1
    done
    log "cluster health did not reach yellow/green within $START_TIMEOUT s; last health: $(health_json "$port")"
    return 1
}

cmd_start() {
    take_lock
    local pid port
    if pid="$(running_pid)"; then
        port="$(recorded_port)"
        if [[ "$port" != "$PORT" ]]; then
            die "a node from $CACHE_DIR is already running on port $port (pid $pid), not $PORT; stop it first or use another LEGALKB_ES_CACHE"
        fi
        wait_healthy "$port" "$pid" || { show_logs; die "node (pid $pid) is running but not healthy"; }
        log "already running (pid $pid)"
        url_for "$port"
        printf '\n'
        return 0
    fi
    rm -f "$PID_FILE" "$PORT_FILE"
    if port_in_use "$PORT"; then
        die "port $PORT is already in use by another process (not the node in $CACHE_DIR); set LEGALKB_ES_PORT"
    fi

    local java_home
    java_home="$(find_java)"
    ensure_service_user
    check_cache_access
    ensure_distribution
    write_config

    log "starting Elasticsearch $ES_VERSION on $(url_for "$PORT") (java: $java_home, heap: $HEAP, cache: $CACHE_DIR)"
    local t0="$EPOCHREALTIME" rc=0
    : >"$STARTUP_OUT"
    SERVER_LOG_OFFSET="$(stat -c %s "$SERVER_LOG" 2>/dev/null || echo 0)"
    ((RUN_AS_ROOT)) && chown "$ES_USER:$ES_USER" "$STARTUP_OUT"
    # -d: daemonize once the node has started; -p: pidfile. A clean environment
    # keeps the caller's ES_JAVA_OPTS / JAVA_TOOL_OPTIONS etc. out of the node.
    # setsid: own session, so the node survives the calling shell / CI step.
    # 9>&-: the node must not inherit (and hold) our lock file descriptor.
    # CLI_JAVA_OPTS: the launcher leaves a final-flags* dir in java.io.tmpdir
    # on every start; keep those out of /tmp.
    (
        cd "$LOG_DIR"
        as_node_user setsid --wait env -i \
            PATH=/usr/local/bin:/usr/bin:/bin \
            HOME="$CACHE_DIR" \
            LANG=C.UTF-8 \
            ES_JAVA_HOME="$java_home" \
            ES_PATH_CONF="$CONF_DIR" \
            ES_TMPDIR="$TMP_DIR" \
            CLI_JAVA_OPTS="-Djava.io.tmpdir=$TMP_DIR" \
            "$ES_HOME/bin/elasticsearch" -d -p "$PID_FILE" \
            >>"$STARTUP_OUT" 2>&1 </dev/null 9>&-
    ) || rc=$?
    if ((rc != 0)); then
        show_logs
        die "Elasticsearch failed to start (launcher exit code $rc)"
    fi

    if ! pid="$(running_pid)"; then
        show_logs
        die "Elasticsearch launcher returned but no running process was found (pidfile $PID_FILE)"
    fi
    printf '%s\n' "$PORT" >"$PORT_FILE"

    if ! wait_healthy "$PORT" "$pid"; then
        show_logs
        kill -TERM "$pid" 2>/dev/null || true
        die "Elasticsearch did not become healthy; node stopped"
    fi
    log "Elasticsearch $ES_VERSION is up (pid $pid) after $(elapsed_since "$t0") s"
    url_for "$PORT"
    printf '\n'
}

cmd_stop() {
    take_lock
    local pid
    if ! pid="$(running_pid)"; then
        log "not running"
        rm -f "$PID_FILE" "$PORT_FILE"
        return 0
    fi
    log "stopping Elasticsearch (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + STOP_TIMEOUT))
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
        sleep 0.5
    done
    if kill -0 "$pid" 2>/dev/null; then
        log "still running after $STOP_TIMEOUT s, sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        sleep 1
    fi
    rm -f "$PID_FILE" "$PORT_FILE"
    log "stopped"
}

cmd_status() {
    local pid port
    if ! pid="$(running_pid)"; then
        log "not running"
        return 1
    fi
    port="$(recorded_port)"
    if is_healthy "$port"; then
        log "running (pid $pid) at $(url_for "$port"): $(health_json "$port")"
        return 0
    fi
    log "process $pid is running but $(url_for "$port") is not healthy: $(health_json "$port")"
    return 1
}

cmd_url() {
    local port="$PORT"
    if running_pid >/dev/null && [[ -z "${LEGALKB_ES_PORT:-}" ]]; then
        port="$(recorded_port)"
    fi
    url_for "$port"
    printf '\n'
}

[[ $# -eq 1 ]] || usage
case "$1" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    url) cmd_url ;;
    -h | --help | help) usage ;;
    *) usage ;;
esac
