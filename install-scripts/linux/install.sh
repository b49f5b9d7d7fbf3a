#!/bin/sh
# Vitals agent installer for Linux (systemd).
#
#   curl -fsSL 'URL/install/linux.sh' | sudo sh -s -- --url 'URL' --token 'TOKEN'
#
#   install.sh --url URL --token TOKEN [--binary FILE] [--root DIR]
#   install.sh --uninstall [--keep-buffer] [--root DIR]
#
# Installs (or upgrades in place):
#   /usr/local/lib/vitals/vitals      the agent (one executable), linked from /usr/local/bin/vitals
#   /etc/vitals/agent.yaml            the config (root, 0600); an existing one is kept as it is
#   /var/lib/vitals/                  state: identity.json and the buffer (root, 0700); kept on upgrade
#   /etc/systemd/system/vitals.service  hardened systemd unit, enabled and (re)started
# and enrolls the machine with the collector (an existing identity is kept, so a re-run is an upgrade).
#
# Options:
#   --url URL        the collector's base URL (https://…); the agent is downloaded from URL/download/
#   --token TOKEN    a site enrollment token (vitals-collector token create, or the dashboard)
#   --binary FILE    install this agent executable instead of downloading URL/download/vitals-linux-x64
#   --root DIR       install into DIR as if it were / (paths in the config and unit point inside DIR);
#                    systemctl is not called. For tests and for trying it out.
#   --uninstall      stop and remove the service, the agent, its config and its state
#   --keep-buffer    with --uninstall: keep the state directory (identity and unsent results)
#
# Exit codes: 0 done, 2 bad or missing option, 3 not root, 4 agent download or check failed,
#             5 enrollment refused or collector unreachable, 6 systemd failed, 7 existing config invalid,
#             8 another step failed (e.g. a full disk; the reason is shown).
# A failed run rolls back what it placed: a first install leaves nothing, a re-run leaves the previous
# agent, config and service as they were; identity and buffer are never touched.
set -eu

# The whole script is one brace group: sh reads it to the closing brace before running anything, so
# a download cut short by `curl | sh` runs nothing, and no command can read the rest of the script
# from standard input.
{

SERVICE=vitals.service
ASSET=vitals-linux-x64

say() { printf 'vitals install: %s\n' "$*"; }
died=0
die() {
	code=$1
	shift
	died=1
	printf 'vitals install: error: %s\n' "$*" >&2
	exit "$code"
}

usage() {
	cat <<'USAGE'
Vitals agent installer for Linux (systemd)

  install.sh --url URL --token TOKEN [--binary FILE] [--root DIR]
  install.sh --uninstall [--keep-buffer] [--root DIR]

  --url URL        the collector's base URL; the agent is downloaded from URL/download/vitals-linux-x64
  --token TOKEN    a site enrollment token
  --binary FILE    install this agent executable instead of downloading it
  --root DIR       install into DIR as if it were / (no systemctl); for tests
  --uninstall      stop and remove the service, the agent, its config and its state
  --keep-buffer    with --uninstall: keep /var/lib/vitals (identity and unsent results)

Re-running the install upgrades in place: the identity and the buffer are kept.
Exit codes: 2 bad option, 3 not root, 4 download failed, 5 enrollment failed, 6 systemd, 7 bad config,
8 another step failed. A failed run rolls back what it placed (identity and buffer are never touched).
USAGE
}

URL=
TOKEN=
BINARY=
ROOT=
UNINSTALL=0
KEEP_BUFFER=0

need_value() {
	[ "$2" -ge 2 ] || die 2 "$1 needs a value (see --help)"
}

while [ $# -gt 0 ]; do
	case $1 in
	--url)
		need_value "$1" $#
		URL=$2
		shift 2
		;;
	--url=*)
		URL=${1#--url=}
		shift
		;;
	--token)
		need_value "$1" $#
		TOKEN=$2
		shift 2
		;;
	--token=*)
		TOKEN=${1#--token=}
		shift
		;;
	--binary)
		need_value "$1" $#
		BINARY=$2
		shift 2
		;;
	--binary=*)
		BINARY=${1#--binary=}
		shift
		;;
	--root)
		need_value "$1" $#
		ROOT=$2
		shift 2
		;;
	--root=*)
		ROOT=${1#--root=}
		shift
		;;
	--uninstall)
		UNINSTALL=1
		shift
		;;
	--keep-buffer)
		KEEP_BUFFER=1
		shift
		;;
	-h | --help)
		usage
		exit 0
		;;
	*) die 2 "unknown option '$1' (see --help)" ;;
	esac
done

if [ -n "$ROOT" ]; then
	case $ROOT in
	/*) ;;
	*) die 2 "--root must be an absolute path, got '$ROOT'" ;;
	esac
	ROOT=${ROOT%/}
	[ -d "$ROOT" ] || die 2 "--root $ROOT is not a directory"
fi

LIB_DIR=$ROOT/usr/local/lib/vitals
AGENT=$LIB_DIR/vitals
LINK=$ROOT/usr/local/bin/vitals
CONF_DIR=$ROOT/etc/vitals
CONFIG=$CONF_DIR/agent.yaml
STATE_DIR=$ROOT/var/lib/vitals
UNIT_DIR=$ROOT/etc/systemd/system
UNIT=$UNIT_DIR/$SERVICE

if [ -z "$ROOT" ] && [ "$(id -u)" != 0 ]; then
	die 3 "must run as root (sudo sh -s -- …), or with --root DIR to install into a directory"
fi

# systemctl only on the real system, and only when systemd is what runs it.
use_systemd() {
	[ -z "$ROOT" ]
}
if use_systemd && { [ ! -d /run/systemd/system ] || ! command -v systemctl >/dev/null 2>&1; }; then
	die 6 "systemd is not running on this machine; this installer sets up a systemd service"
fi

# With --root: removes the folders this script creates inside the root if nothing is left in them.
prune_root() {
	[ -n "$ROOT" ] || return 0
	for d in "$LIB_DIR" "$UNIT_DIR" "$ROOT/etc/systemd" "$ROOT/etc" "$ROOT/usr/local/lib" "$ROOT/usr/local/bin" \
		"$ROOT/usr/local" "$ROOT/usr" "$ROOT/var/lib" "$ROOT/var"; do
		rmdir "$d" 2>/dev/null || true
	done
}

# ---------------------------------------------------------------------------------------------
# Uninstall
# ---------------------------------------------------------------------------------------------
if [ "$UNINSTALL" = 1 ]; then
	if use_systemd; then
		systemctl disable --now "$SERVICE" >/dev/null 2>&1 || true
	fi
	if [ -e "$UNIT" ]; then
		rm -f "$UNIT"
		say "removed $UNIT"
	fi
	if use_systemd; then
		systemctl daemon-reload || true
		systemctl reset-failed "$SERVICE" >/dev/null 2>&1 || true
	fi
	if [ -L "$LINK" ]; then rm -f "$LINK"; fi
	rm -rf "$LIB_DIR" "$CONF_DIR"
	say "removed the agent ($LIB_DIR, $LINK) and its config ($CONF_DIR)"
	if [ "$KEEP_BUFFER" = 1 ]; then
		say "kept $STATE_DIR (identity and unsent results): a later install continues as the same agent"
	else
		rm -rf "$STATE_DIR"
		say "removed $STATE_DIR"
	fi
	prune_root
	say "Vitals is uninstalled"
	exit 0
fi

[ "$KEEP_BUFFER" = 0 ] || die 2 "--keep-buffer only goes with --uninstall"

# ---------------------------------------------------------------------------------------------
# Install or upgrade
# ---------------------------------------------------------------------------------------------
missing=
[ -n "$URL" ] || missing="--url"
[ -n "$TOKEN" ] || missing="${missing:+$missing and }--token"
[ -z "$missing" ] || die 2 "missing $missing: install.sh --url https://collector.example --token TOKEN (the dashboard's Enroll page shows the full command)"
case $URL in
http://* | https://*) ;;
*) die 2 "--url must start with https:// (or http:// for a collector on this machine), got '$URL'" ;;
esac
URL=${URL%/}
if [ -n "$BINARY" ] && [ ! -f "$BINARY" ]; then
	die 2 "--binary $BINARY: no such file"
fi

# ---------------------------------------------------------------------------------------------
# Rollback: a failed run leaves the machine as it found it. Everything this run replaces is saved
# in $WORK first and put back, everything it creates is removed; identity.json and the buffer are
# never touched. An identity this run obtained is kept: the collector already counts the machine,
# and the next run continues as it without a new token (--uninstall removes it).
# ---------------------------------------------------------------------------------------------
flag() { if "$@"; then echo 1; else echo 0; fi; }
present() { [ -e "$1" ] || [ -L "$1" ]; }
had_lib_dir=$(flag test -d "$LIB_DIR")
had_conf_dir=$(flag test -d "$CONF_DIR")
had_state_dir=$(flag test -d "$STATE_DIR")
had_identity=$(flag test -e "$STATE_DIR/identity.json")
UPGRADE=$(flag present "$AGENT")
had_unit=$(flag present "$UNIT")
was_enabled=0
was_active=0
if use_systemd; then
	was_enabled=$(flag systemctl is-enabled --quiet "$SERVICE")
	was_active=$(flag systemctl is-active --quiet "$SERVICE")
fi
agent_placed=0
link_placed=0
config_written=0
unit_placed=0
systemd_touched=0
STEP="preparing $LIB_DIR"

mkdir -p "$LIB_DIR"
WORK=$(mktemp -d "$LIB_DIR/.install.XXXXXX")
NEW=$WORK/vitals

# A saved file back in place (a rename where it can), or the target removed when there was none.
# shellcheck disable=SC2317 # run by rollback, from the EXIT trap
restore() {
	if present "$1"; then mv -f "$1" "$2"; else rm -f "$2"; fi
}

# shellcheck disable=SC2317 # run by the EXIT trap
rollback() {
	if [ "$systemd_touched" = 1 ]; then systemctl stop "$SERVICE" >/dev/null 2>&1; fi
	if [ "$unit_placed" = 1 ]; then restore "$WORK/unit.previous" "$UNIT"; fi
	if [ "$link_placed" = 1 ]; then restore "$WORK/link.previous" "$LINK"; fi
	if [ "$agent_placed" = 1 ]; then restore "$WORK/vitals.previous" "$AGENT"; fi
	if [ "$config_written" = 1 ]; then
		rm -f "$CONFIG"
	elif present "$WORK/agent.yaml.previous"; then
		mv -f "$WORK/agent.yaml.previous" "$CONFIG"
	fi
	# rmdir only removes an empty folder: a state folder holding an identity or a buffer stays.
	[ "$had_state_dir" = 1 ] || rmdir "$STATE_DIR" 2>/dev/null
	[ "$had_conf_dir" = 1 ] || rmdir "$CONF_DIR" 2>/dev/null
	if [ "$systemd_touched" = 1 ]; then
		systemctl daemon-reload
		if [ "$had_unit" = 0 ] || [ "$was_enabled" = 0 ]; then systemctl disable "$SERVICE" >/dev/null 2>&1; fi
		systemctl reset-failed "$SERVICE" >/dev/null 2>&1
		if [ "$was_active" = 1 ]; then systemctl start "$SERVICE"; fi
	fi
	if [ "$UPGRADE" = 1 ]; then
		say "rolled back: the previous agent, config and unit are back as they were; identity and buffer in $STATE_DIR untouched" >&2
	elif [ "$had_identity" = 0 ] && [ -e "$STATE_DIR/identity.json" ]; then
		say "rolled back: nothing of this install is left but $STATE_DIR/identity.json (enrolled in this run: running the installer again continues as this agent; --uninstall removes it)" >&2
	else
		say "rolled back: nothing of this install is left" >&2
	fi
}

# shellcheck disable=SC2317 # run by the EXIT trap
on_exit() {
	rc=$?
	set +e
	trap - EXIT
	rm -f "$CONFIG.tmp" "$UNIT.tmp" 2>/dev/null
	if [ "$rc" != 0 ]; then
		# A command that failed under set -e (a full disk, a read-only folder): its own message is above.
		if [ "$died" = 0 ] && [ "$rc" != 130 ]; then
			printf 'vitals install: error: %s failed (the reason above)\n' "$STEP" >&2
			rc=8
		fi
		rollback
	fi
	rm -rf "$WORK"
	[ "$had_lib_dir" = 1 ] || rmdir "$LIB_DIR" 2>/dev/null
	prune_root
	exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT TERM

STEP="staging the agent in $WORK"
if [ -n "$BINARY" ]; then
	cp "$BINARY" "$NEW"
	say "installing the agent from $BINARY"
else
	case $(uname -m) in
	x86_64 | amd64) ;;
	*) die 4 "no agent build for $(uname -m) yet (only x86_64); pass one with --binary FILE" ;;
	esac
	command -v curl >/dev/null 2>&1 || die 4 "curl is needed to download the agent (apt-get install curl / dnf install curl)"
	say "downloading $URL/download/$ASSET"
	# TLS is verified (no -k): a collector with a private CA needs that CA in the system's trust store.
	if ! curl -fsSL --retry 3 --connect-timeout 20 -o "$NEW" "$URL/download/$ASSET"; then
		die 4 "could not download the agent from $URL/download/$ASSET (curl's reason above)"
	fi
fi
chmod 0755 "$NEW"
if ! VERSION=$("$NEW" --version 2>&1); then
	die 4 "the agent executable does not run on this machine: $VERSION"
fi

# The config and the enrollment are checked with the new agent before anything is replaced.
STEP="writing the config $CONFIG"
mkdir -p "$CONF_DIR"
chmod 0755 "$CONF_DIR"
if [ -f "$CONFIG" ]; then
	cp -p "$CONFIG" "$WORK/agent.yaml.previous"
	say "kept the existing config $CONFIG"
else
	old_umask=$(umask)
	umask 077
	config_written=1
	cat >"$CONFIG.tmp" <<EOF
# Vitals agent config, written by install.sh. Every key: vitals config reference
# Checks beyond the built-in cpu, memory, disk and uptime go under checks:, then
# systemctl restart vitals (vitals config validate checks the file first).
collector:
  url: $URL
state_dir: $STATE_DIR
EOF
	umask "$old_umask"
	mv -f "$CONFIG.tmp" "$CONFIG"
	say "wrote $CONFIG"
fi
chmod 0600 "$CONFIG"
if [ "$(id -u)" = 0 ]; then chown root:root "$CONFIG"; fi
if ! problems=$("$NEW" config validate "$CONFIG" 2>&1); then
	printf '%s\n' "$problems" >&2
	die 7 "$CONFIG is not valid (above); fix it and run the installer again"
fi

STEP="creating $STATE_DIR"
mkdir -p "$STATE_DIR"
chmod 0700 "$STATE_DIR"

if ! enrolled=$("$NEW" enroll --url "$URL" --token "$TOKEN" --config "$CONFIG" 2>&1); then
	printf '%s\n' "$enrolled" >&2
	die 5 "enrollment failed: $(printf '%s\n' "$enrolled" | tail -n 1)"
fi
say "$enrolled"

STEP="placing the agent in $AGENT"
# The previous agent stays reachable (a second link to it) until the run has succeeded.
if present "$AGENT"; then ln "$AGENT" "$WORK/vitals.previous" 2>/dev/null || cp -p "$AGENT" "$WORK/vitals.previous"; fi
agent_placed=1
# A rename, so a running agent keeps its old file until the restart below.
mv -f "$NEW" "$AGENT"
mkdir -p "$(dirname "$LINK")"
if present "$LINK"; then cp -RP "$LINK" "$WORK/link.previous"; fi
link_placed=1
ln -sf ../lib/vitals/vitals "$LINK"
say "agent $VERSION installed in $AGENT ($LINK)"

STEP="writing the unit $UNIT"
mkdir -p "$UNIT_DIR"
if present "$UNIT"; then cp -p "$UNIT" "$WORK/unit.previous"; fi
unit_placed=1
cat >"$UNIT.tmp" <<EOF
# Written by the Vitals installer; re-running it rewrites this file. Local changes: systemctl edit vitals
[Unit]
Description=Vitals monitoring agent
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
ExecStart=$AGENT run --config $CONFIG
Restart=on-failure
RestartSec=10s
# SIGTERM to the agent only: it lets running checks finish and makes a last delivery; then the rest.
KillMode=mixed
TimeoutStopSec=45s
UMask=0077
Nice=10
MemoryMax=256M
CPUQuota=20%

# Hardening that still lets it read every disk, /proc and service states:
# not PrivateDevices (hides /dev/sd* from smartctl), not ProcSubset=pid (hides /proc/stat and
# /proc/meminfo), not ProtectProc=invisible (hides other users' processes), not ProtectClock
# (implies DeviceAllow=char-rtc, which closes all other devices), not MemoryDenyWriteExecute (V8 dies).
ProtectSystem=strict
ReadWritePaths=$STATE_DIR
ProtectHome=read-only
PrivateTmp=yes
NoNewPrivileges=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectHostname=yes
RestrictSUIDSGID=yes
RestrictRealtime=yes
RestrictNamespaces=yes
LockPersonality=yes
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK
SystemCallArchitectures=native
SystemCallFilter=~@clock @cpu-emulation @module @mount @obsolete @reboot @swap
# Reading backup folders of other users, SMART through SATA (SYS_RAWIO) and NVMe (SYS_ADMIN).
CapabilityBoundingSet=CAP_DAC_READ_SEARCH CAP_SYS_RAWIO CAP_SYS_ADMIN

[Install]
WantedBy=multi-user.target
EOF
chmod 0644 "$UNIT.tmp"
mv -f "$UNIT.tmp" "$UNIT"
say "wrote $UNIT"

if use_systemd; then
	systemd_touched=1
	systemctl daemon-reload || die 6 "systemctl daemon-reload failed"
	systemctl enable "$SERVICE" >/dev/null 2>&1 || die 6 "systemctl enable $SERVICE failed"
	systemctl restart "$SERVICE" || die 6 "systemctl restart $SERVICE failed; see: journalctl -u $SERVICE"
	sleep 2
	if ! systemctl is-active --quiet "$SERVICE"; then
		die 6 "$SERVICE did not stay running; see: journalctl -u $SERVICE -n 50"
	fi
	say "$SERVICE is enabled and running"
else
	say "--root: systemctl skipped"
fi
rm -rf "$WORK"
if [ "$UPGRADE" = 1 ]; then
	say "upgraded in place; identity and buffer in $STATE_DIR kept"
else
	say "installed"
fi
say "check it with: sudo vitals status   (logs: journalctl -u $SERVICE)"
exit 0
}
