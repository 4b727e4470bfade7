#!/usr/bin/env bash
# Prepare a real PC/SC stack for the door's tests: pcscd with vsmartcard's virtual reader driver
# (vpcd), plus what pyscard needs to build (swig, libpcsclite-dev).
#
# Idempotent and fast when already done: installs with apt-get only the packages that are
# missing (running `apt-get update` once, only then), and starts pcscd in the background only
# when no pcscd is running. "Ready" means: a pcscd process is alive, its socket exists, and the
# vpcd driver it loaded from /etc/reader.conf.d/vpcd listens on 127.0.0.1:35963 for a virtual card.
#
# Installs and starts as root (CI and the project's machines are). As another user it only checks:
# ready, it exits 0; not ready, it says to run `sudo bash federation_tests/door/setup.sh`, exit 1.
#
#   bash federation_tests/door/setup.sh
#
# Environment: VPCD_PORT (default 35963), PCSCD_LOG (default /tmp/interlieux-pcscd.log),
# SETUP_TIMEOUT seconds to wait for pcscd (default 15).
set -euo pipefail

PACKAGES=(pcscd vsmartcard-vpcd swig libpcsclite-dev)
VPCD_CONF=/etc/reader.conf.d/vpcd
VPCD_PORT=${VPCD_PORT:-35963}
PCSCD_LOG=${PCSCD_LOG:-/tmp/interlieux-pcscd.log}
SETUP_TIMEOUT=${SETUP_TIMEOUT:-15}
PCSCD_SOCKET_DIRS=(/run/pcscd /var/run/pcscd)

say() { echo "door-setup: $*"; }
die() {
    echo "door-setup: ERROR: $*" >&2
    exit 1
}

is_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

# Pids of running pcscd processes (no dependency on procps: read /proc directly).
pcscd_pids() {
    local comm_file pid comm
    for comm_file in /proc/[0-9]*/comm; do
        comm=
        { read -r comm <"$comm_file"; } 2>/dev/null || continue  # the process may be gone
        [[ $comm == pcscd ]] || continue
        pid=${comm_file#/proc/}
        echo "${pid%/comm}"
    done
    return 0
}

pcscd_socket_exists() {
    local dir
    for dir in "${PCSCD_SOCKET_DIRS[@]}"; do
        [[ -S $dir/pcscd.comm ]] && return 0
    done
    return 1
}

# True when something listens on TCP $VPCD_PORT (IPv4 or IPv6): that is the vpcd driver, loaded
# by pcscd. Read from /proc so that no connection is made (a connection would "insert a card").
vpcd_listening() {
    local hex
    hex=$(printf '%04X' "$VPCD_PORT")
    # Columns: sl local_address rem_address st ... ; st 0A = LISTEN.
    awk -v port=":$hex" 'NR > 1 && substr($2, length($2) - 4) == port && $4 == "0A" { found = 1 }
        END { exit !found }' /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

wait_ready() {
    local deadline=$((SECONDS + SETUP_TIMEOUT))
    while ((SECONDS < deadline)); do
        if [[ -n $(pcscd_pids) ]] && pcscd_socket_exists && vpcd_listening; then
            return 0
        fi
        sleep 0.1
    done
    return 1
}

# --- not root: nothing to do, or say what to run -------------------------------------------

# Installing packages and starting pcscd need root. A user whose machine is already set up runs
# the tests as they are; otherwise one plain message with the command, not an apt-get failure.
if [[ $(id -u) -ne 0 ]]; then
    absent=()
    for pkg in "${PACKAGES[@]}"; do
        is_installed "$pkg" || absent+=("$pkg")
    done
    if ((${#absent[@]} == 0)) && [[ -n $(pcscd_pids) ]] && pcscd_socket_exists && vpcd_listening; then
        say "ready: pcscd with vpcd on 127.0.0.1:$VPCD_PORT"
        exit 0
    fi
    what="pcscd is not running with vpcd"
    ((${#absent[@]})) && what="missing Debian packages: ${absent[*]}"
    echo "door-setup: les tests de la porte ont besoin, une fois, de paquets Debian (${PACKAGES[*]})" >&2
    echo "door-setup: et d'un pcscd lancé, ce qui demande les droits root. Lancez :" >&2
    echo "door-setup:     sudo bash $0" >&2
    echo "door-setup: puis relancez make test." >&2
    die "the door's tests need root once ($what). Run: sudo bash $0 — then make test again."
fi

# --- packages ---------------------------------------------------------------------------------

missing=()
for pkg in "${PACKAGES[@]}"; do
    is_installed "$pkg" || missing+=("$pkg")
done

installed_driver=0
if ((${#missing[@]})); then
    say "installing missing packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq || die "apt-get update failed"
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
        die "apt-get install ${missing[*]} failed"
    for pkg in "${missing[@]}"; do
        [[ $pkg == vsmartcard-vpcd || $pkg == pcscd ]] && installed_driver=1
    done
else
    say "packages already installed: ${PACKAGES[*]}"
fi

[[ -f $VPCD_CONF ]] || die "$VPCD_CONF is missing: reinstall vsmartcard-vpcd (apt-get install --reinstall vsmartcard-vpcd)"

# --- pcscd ------------------------------------------------------------------------------------

start_pcscd() {
    local dir
    # A pcscd killed hard leaves its socket and pid file behind; with no pcscd alive they are stale.
    for dir in "${PCSCD_SOCKET_DIRS[@]}"; do
        rm -f "$dir/pcscd.comm" "$dir/pcscd.pid"
    done
    say "starting pcscd in the background (log: $PCSCD_LOG)"
    # setsid + all descriptors redirected: pcscd outlives this script and holds none of its pipes
    # (so `make test` and CI do not wait on it).
    setsid pcscd --foreground --info </dev/null >>"$PCSCD_LOG" 2>&1 &
    if ! wait_ready; then
        tail -n 20 "$PCSCD_LOG" >&2 || true
        die "pcscd did not become ready within ${SETUP_TIMEOUT}s (socket in /run/pcscd, vpcd listening on port $VPCD_PORT); see $PCSCD_LOG"
    fi
}

pids=$(pcscd_pids)
if [[ -z $pids ]]; then
    start_pcscd
elif wait_ready; then
    say "pcscd already running (pid $(echo $pids)), vpcd listening on port $VPCD_PORT"
elif ((installed_driver)); then
    # This run installed the driver after pcscd started, so that pcscd has not loaded it.
    say "pcscd (pid $(echo $pids)) runs without the vpcd driver just installed: restarting it"
    kill $pids 2>/dev/null || true
    for _ in $(seq 50); do
        [[ -z $(pcscd_pids) ]] && break
        sleep 0.1
    done
    [[ -z $(pcscd_pids) ]] || die "pcscd (pid $(echo $pids)) did not stop"
    start_pcscd
else
    die "pcscd is running (pid $(echo $pids)) but vpcd does not listen on port $VPCD_PORT: it was \
started without $VPCD_CONF, or another program holds the port. Stop that pcscd and run $0 again."
fi

say "ready: pcscd with vpcd on 127.0.0.1:$VPCD_PORT"
