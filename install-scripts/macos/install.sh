#!/bin/sh
# Vitals agent installer for macOS (LaunchDaemon).
#
#   curl -fsSL 'URL/install/macos.sh' | sudo sh -s -- --url 'URL' --token 'TOKEN'
#
# Installs (or upgrades in place):
#   /usr/local/vitals/                        the agent (signed Node runtime + bundle; bin/vitals launches it),
#                                             linked from /usr/local/bin/vitals
#   /Library/Application Support/Vitals/agent.yaml   the config (root, 0600); an existing one is kept
#   /Library/Application Support/Vitals/state/       identity.json and the buffer (root, 0700); kept on upgrade
#   /Library/LaunchDaemons/com.vitals.agent.plist    LaunchDaemon (RunAtLoad, KeepAlive), loaded and started
#   /Library/Logs/Vitals/vitals.log                  the agent's log
# and enrolls the Mac with the collector (an existing identity is kept, so a re-run is an upgrade).
#
# Exit codes: 0 done, 2 bad or missing option, 3 not root, 4 agent download or check failed,
#             5 enrollment refused or collector unreachable, 6 launchd failed, 7 existing config invalid,
#             8 another step failed (e.g. a full disk; the reason is shown).
# A failed run rolls back what it placed: a first install leaves nothing, a re-run leaves the previous
# agent, config and service as they were; identity and buffer are never touched.
set -eu

# The whole script is one brace group: sh reads it to the closing brace before running anything, so
# a download cut short by `curl | sh` runs nothing, and no command can read the rest of the script
# from standard input.
{

LABEL=com.vitals.agent

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
Vitals agent installer for macOS (LaunchDaemon)

  install.sh --url URL --token TOKEN [--binary FILE] [--root DIR]
  install.sh --uninstall [--keep-buffer] [--root DIR]

  --url URL        the collector's base URL; the agent is downloaded from
                   URL/download/vitals-macos-arm64.tar.gz (Apple silicon) or vitals-macos-x64.tar.gz (Intel)
  --token TOKEN    a site enrollment token
  --binary FILE    install this agent instead of downloading it: the .tar.gz, or one executable
  --root DIR       install into DIR as if it were / (no launchctl); for tests
  --uninstall      unload and remove the LaunchDaemon, the agent, its config, logs and state
  --keep-buffer    with --uninstall: keep the state folder (identity and unsent results)

Re-running the install upgrades in place: the identity and the buffer are kept.
Exit codes: 2 bad option, 3 not root, 4 download failed, 5 enrollment failed, 6 launchd, 7 bad config,
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

PREFIX=$ROOT/usr/local/vitals
AGENT=$PREFIX/bin/vitals
LINK=$ROOT/usr/local/bin/vitals
CONF_DIR="$ROOT/Library/Application Support/Vitals"
CONFIG=$CONF_DIR/agent.yaml
STATE_DIR=$CONF_DIR/state
LOG_DIR=$ROOT/Library/Logs/Vitals
LOG_FILE=$LOG_DIR/vitals.log
DAEMONS=$ROOT/Library/LaunchDaemons
PLIST=$DAEMONS/$LABEL.plist

if [ -z "$ROOT" ]; then
	[ "$(uname -s)" = Darwin ] || die 2 "this installer is for macOS; on Linux use URL/install/linux.sh"
	[ "$(id -u)" = 0 ] || die 3 "must run as root (sudo sh -s -- …), or with --root DIR to install into a directory"
fi

# launchctl only on the real system.
use_launchd() {
	[ -z "$ROOT" ]
}

stop_daemon() {
	if use_launchd; then
		launchctl bootout "system/$LABEL" >/dev/null 2>&1 || true
	fi
}

# With --root: removes the folders this script creates inside the root if nothing is left in them.
prune_root() {
	[ -n "$ROOT" ] || return 0
	for d in "$DAEMONS" "$ROOT/Library/Logs" "$ROOT/Library/Application Support" "$ROOT/Library" \
		"$ROOT/usr/local/bin" "$ROOT/usr/local" "$ROOT/usr"; do
		rmdir "$d" 2>/dev/null || true
	done
}

# ---------------------------------------------------------------------------------------------
# Uninstall
# ---------------------------------------------------------------------------------------------
if [ "$UNINSTALL" = 1 ]; then
	stop_daemon
	if [ -e "$PLIST" ]; then
		rm -f "$PLIST"
		say "removed $PLIST"
	fi
	if [ -L "$LINK" ]; then rm -f "$LINK"; fi
	rm -rf "$PREFIX" "$LOG_DIR"
	say "removed the agent ($PREFIX, $LINK) and its logs ($LOG_DIR)"
	if [ "$KEEP_BUFFER" = 1 ]; then
		if [ -d "$CONF_DIR" ]; then
			find "$CONF_DIR" -mindepth 1 -maxdepth 1 ! -name state -exec rm -rf {} +
		fi
		say "removed the config; kept $STATE_DIR (identity and unsent results): a later install continues as the same agent"
	else
		rm -rf "$CONF_DIR"
		say "removed $CONF_DIR (config, identity and buffer)"
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
# Rollback: a failed run leaves the Mac as it found it. Everything this run replaces is saved in
# $STAGE first and put back, everything it creates is removed; identity.json and the buffer are
# never touched. An identity this run obtained is kept: the collector already counts the Mac, and
# the next run continues as it without a new token (--uninstall removes it).
# ---------------------------------------------------------------------------------------------
flag() { if "$@"; then echo 1; else echo 0; fi; }
present() { [ -e "$1" ] || [ -L "$1" ]; }
had_conf_dir=$(flag test -d "$CONF_DIR")
had_state_dir=$(flag test -d "$STATE_DIR")
had_log_dir=$(flag test -d "$LOG_DIR")
had_identity=$(flag test -e "$STATE_DIR/identity.json")
UPGRADE=$(flag present "$PREFIX")
was_loaded=0
if use_launchd; then was_loaded=$(flag launchctl print "system/$LABEL"); fi
prefix_placed=0
link_placed=0
config_written=0
plist_placed=0
daemon_stopped=0
STEP="preparing $ROOT/usr/local"

mkdir -p "$ROOT/usr/local"
STAGE=$(mktemp -d "$ROOT/usr/local/.vitals.new.XXXXXX")
NEW=$STAGE/vitals/bin/vitals

# A saved file back in place, or the target removed when there was none.
# shellcheck disable=SC2317 # run by rollback, from the EXIT trap
restore() {
	if present "$1"; then mv -f "$1" "$2"; else rm -f "$2"; fi
}

# shellcheck disable=SC2317 # run by the EXIT trap
rollback() {
	if [ "$daemon_stopped" = 1 ]; then launchctl bootout "system/$LABEL" >/dev/null 2>&1; fi
	if [ "$plist_placed" = 1 ]; then restore "$STAGE/plist.previous" "$PLIST"; fi
	if [ "$link_placed" = 1 ]; then restore "$STAGE/link.previous" "$LINK"; fi
	if [ "$prefix_placed" = 1 ]; then
		rm -rf "$PREFIX"
		if present "$STAGE/previous"; then mv "$STAGE/previous" "$PREFIX"; fi
	fi
	if [ "$config_written" = 1 ]; then
		rm -f "$CONFIG"
	elif present "$STAGE/agent.yaml.previous"; then
		mv -f "$STAGE/agent.yaml.previous" "$CONFIG"
	fi
	# rmdir only removes an empty folder: a state folder holding an identity or a buffer stays.
	[ "$had_state_dir" = 1 ] || rmdir "$STATE_DIR" 2>/dev/null
	[ "$had_log_dir" = 1 ] || rmdir "$LOG_DIR" 2>/dev/null
	[ "$had_conf_dir" = 1 ] || rmdir "$CONF_DIR" 2>/dev/null
	if [ "$daemon_stopped" = 1 ] && [ "$was_loaded" = 1 ]; then launchctl bootstrap system "$PLIST"; fi
	if [ "$UPGRADE" = 1 ]; then
		say "rolled back: the previous agent, config and LaunchDaemon are back as they were; identity and buffer in $STATE_DIR untouched" >&2
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
	rm -f "$CONFIG.tmp" "$PLIST.tmp" 2>/dev/null
	if [ "$rc" != 0 ]; then
		# A command that failed under set -e (a full disk, a read-only folder): its own message is above.
		if [ "$died" = 0 ] && [ "$rc" != 130 ]; then
			printf 'vitals install: error: %s failed (the reason above)\n' "$STEP" >&2
			rc=8
		fi
		rollback
	fi
	rm -rf "$STAGE"
	prune_root
	exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT TERM

unpack() {
	if ! tar -xzf "$1" -C "$STAGE"; then
		die 4 "$2 is not a readable .tar.gz"
	fi
	[ -f "$NEW" ] || die 4 "$2 has no vitals/bin/vitals inside"
}

STEP="staging the agent in $STAGE"
if [ -n "$BINARY" ]; then
	say "installing the agent from $BINARY"
	case $BINARY in
	*.tar.gz | *.tgz) unpack "$BINARY" "$BINARY" ;;
	*)
		mkdir -p "$STAGE/vitals/bin"
		cp "$BINARY" "$NEW"
		;;
	esac
else
	case $(uname -m) in
	arm64 | aarch64) ASSET=vitals-macos-arm64.tar.gz ;;
	x86_64) ASSET=vitals-macos-x64.tar.gz ;;
	*) die 4 "no agent build for $(uname -m); pass one with --binary FILE" ;;
	esac
	command -v curl >/dev/null 2>&1 || die 4 "curl is needed to download the agent"
	say "downloading $URL/download/$ASSET"
	# TLS is verified (no -k): a collector with a private CA needs that CA in the System keychain.
	if ! curl -fsSL --retry 3 --connect-timeout 20 -o "$STAGE/agent.tar.gz" "$URL/download/$ASSET"; then
		die 4 "could not download the agent from $URL/download/$ASSET (curl's reason above)"
	fi
	unpack "$STAGE/agent.tar.gz" "$URL/download/$ASSET"
	rm -f "$STAGE/agent.tar.gz"
fi
chmod 0755 "$NEW"
if ! VERSION=$("$NEW" --version 2>&1); then
	die 4 "the agent does not run on this Mac: $VERSION"
fi

# The config and the enrollment are checked with the new agent before anything is replaced.
STEP="writing the config $CONFIG"
mkdir -p "$CONF_DIR"
chmod 0755 "$CONF_DIR"
if [ -f "$CONFIG" ]; then
	cp -p "$CONFIG" "$STAGE/agent.yaml.previous"
	say "kept the existing config $CONFIG"
else
	old_umask=$(umask)
	umask 077
	config_written=1
	cat >"$CONFIG.tmp" <<EOF
# Vitals agent config, written by install.sh. Every key: vitals config reference
# Checks beyond the built-in cpu, memory, disk and uptime go under checks:, then
# sudo launchctl kickstart -k system/$LABEL (vitals config validate checks the file first).
collector:
  url: $URL
state_dir: $STATE_DIR
EOF
	umask "$old_umask"
	mv -f "$CONFIG.tmp" "$CONFIG"
	say "wrote $CONFIG"
fi
chmod 0600 "$CONFIG"
if [ -z "$ROOT" ]; then chown root:wheel "$CONFIG"; fi
if ! problems=$("$NEW" config validate "$CONFIG" 2>&1); then
	printf '%s\n' "$problems" >&2
	die 7 "$CONFIG is not valid (above); fix it and run the installer again"
fi

STEP="creating $STATE_DIR and $LOG_DIR"
mkdir -p "$STATE_DIR" "$LOG_DIR"
chmod 0700 "$STATE_DIR"
chmod 0755 "$LOG_DIR"

if ! enrolled=$("$NEW" enroll --url "$URL" --token "$TOKEN" --config "$CONFIG" 2>&1); then
	printf '%s\n' "$enrolled" >&2
	die 5 "enrollment failed: $(printf '%s\n' "$enrolled" | tail -n 1)"
fi
say "$enrolled"

STEP="placing the agent in $PREFIX"
# The folder is swapped whole (runtime and bundle belong together) while the daemon is stopped;
# the previous one waits in $STAGE until the run has succeeded.
if use_launchd; then daemon_stopped=1; fi
stop_daemon
prefix_placed=1
if present "$PREFIX"; then mv "$PREFIX" "$STAGE/previous"; fi
mv "$STAGE/vitals" "$PREFIX"
if [ -z "$ROOT" ]; then chown -R root:wheel "$PREFIX"; fi
chmod -R go-w "$PREFIX"
mkdir -p "$(dirname "$LINK")"
if present "$LINK"; then cp -RP "$LINK" "$STAGE/link.previous"; fi
link_placed=1
ln -sf ../vitals/bin/vitals "$LINK"
say "agent $VERSION installed in $PREFIX ($LINK)"

# Text for a plist <string>: &, < and > escaped.
xml() {
	printf '%s' "$1" | sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g'
}

STEP="writing the LaunchDaemon $PLIST"
mkdir -p "$DAEMONS"
if present "$PLIST"; then cp -p "$PLIST" "$STAGE/plist.previous"; fi
plist_placed=1
cat >"$PLIST.tmp" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<!-- Written by the Vitals installer; re-running it rewrites this file. -->
<plist version="1.0">
<dict>
	<key>Label</key>
	<string>$LABEL</string>
	<key>ProgramArguments</key>
	<array>
		<string>$(xml "$AGENT")</string>
		<string>run</string>
		<string>--config</string>
		<string>$(xml "$CONFIG")</string>
	</array>
	<key>WorkingDirectory</key>
	<string>$(xml "$STATE_DIR")</string>
	<key>RunAtLoad</key>
	<true/>
	<key>KeepAlive</key>
	<true/>
	<key>ThrottleInterval</key>
	<integer>10</integer>
	<key>ExitTimeOut</key>
	<integer>45</integer>
	<key>Umask</key>
	<integer>63</integer>
	<key>StandardOutPath</key>
	<string>$(xml "$LOG_FILE")</string>
	<key>StandardErrorPath</key>
	<string>$(xml "$LOG_FILE")</string>
</dict>
</plist>
EOF
chmod 0644 "$PLIST.tmp"
if [ -z "$ROOT" ]; then chown root:wheel "$PLIST.tmp"; fi
mv -f "$PLIST.tmp" "$PLIST"
say "wrote $PLIST"

if use_launchd; then
	launchctl enable "system/$LABEL" >/dev/null 2>&1 || true
	launchctl bootstrap system "$PLIST" || die 6 "launchctl bootstrap system $PLIST failed"
	sleep 2
	if ! launchctl print "system/$LABEL" 2>/dev/null | grep -q 'state = running'; then
		die 6 "$LABEL did not stay running; see $LOG_FILE and: sudo launchctl print system/$LABEL"
	fi
	say "$LABEL is loaded and running"
else
	say "--root: launchctl skipped"
fi
if [ "$UPGRADE" = 1 ]; then
	say "upgraded in place; identity and buffer in $STATE_DIR kept"
else
	say "installed"
fi
say "check it with: sudo vitals status   (log: $LOG_FILE)"
exit 0
}
