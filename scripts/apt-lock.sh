# Waiting for another apt or dpkg (often the system's unattended-upgrades) to finish, for scripts/setup.
# Sourced, not run. Settings (for tests, or a slow machine):
#   GONGKAI_APT_LOCKS  the lock files, space-separated (default: those of dpkg and apt)
#   GONGKAI_APT_WAIT   how many seconds to wait at most (default 300)
# APT_LATER, set by the caller: the command to tell the user to run by hand when waiting was in vain.

APT_LOCKS=(${GONGKAI_APT_LOCKS:-/var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock /var/cache/apt/archives/lock})
APT_WAIT=${GONGKAI_APT_WAIT:-300}

# The first lock file another process holds, as "PATH<TAB>who holds it", or nothing.
# Each is probed the way dpkg and apt take it (fcntl) and the way flock(1) does.
apt_busy_lock() {
  command -v python3 >/dev/null 2>&1 || return 0  # the system's: .venv may not exist yet
  python3 - "${APT_LOCKS[@]}" <<'PY'
import fcntl, os, sys

def holder(path):
    """The process holding a lock on the file, from /proc/locks ("" when it cannot be told)."""
    try:
        inode = os.stat(path).st_ino
        with open("/proc/locks") as locks:
            for line in locks:
                fields = line.split()
                if "->" in fields or len(fields) < 6 or int(fields[5].rsplit(":", 1)[-1]) != inode:
                    continue
                pid = fields[4]
                with open(f"/proc/{pid}/comm") as comm:
                    return f"{comm.read().strip()}，进程 {pid}"
    except (OSError, ValueError):
        pass
    return ""

for path in sys.argv[1:]:
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:  # no such lock file (or not ours to take): nothing to wait for
        continue
    try:
        for take in (fcntl.lockf, fcntl.flock):
            try:
                take(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                take(fd, fcntl.LOCK_UN)
            except OSError:
                print(f"{path}\t{holder(path)}")
                sys.exit(0)
    finally:
        os.close(fd)
PY
}

# Returns once no lock is held (0), or after APT_WAIT seconds with an explanation (1).
wait_for_apt() {
  local busy path who waited=0
  busy=$(apt_busy_lock || true)
  [ -z "$busy" ] && return 0
  path=${busy%%$'\t'*}
  who=${busy#*$'\t'}
  echo "正在等待其他软件包管理程序（${who:-apt 或 dpkg}）结束：$path 被占用，最多等待 $APT_WAIT 秒……"
  while [ -n "$busy" ] && [ "$waited" -lt "$APT_WAIT" ]; do
    sleep 1
    waited=$((waited + 1))
    busy=$(apt_busy_lock || true)
  done
  [ -z "$busy" ] && return 0
  {
    echo "等待 $APT_WAIT 秒后，${busy%%$'\t'*} 仍被占用：系统正在用 apt 或 dpkg 安装或更新软件"
    echo "（多为自动更新 unattended-upgrades），现在无法安装系统软件包。请等它结束后再运行 scripts/setup，"
    echo "或稍后手动运行：${APT_LATER:-apt-get update}"
  } >&2
  return 1
}

# apt-get with the waiting above; run again when it still lost a lock to another process in between.
apt_get() {
  local tries=0 errors
  while :; do
    wait_for_apt || return 1
    if errors=$(apt-get -o DPkg::Lock::Timeout="$APT_WAIT" "$@" 2>&1 >/dev/null); then
      return 0
    fi
    tries=$((tries + 1))
    if [ "$tries" -lt 3 ] && grep -qiE "could not get lock|unable to (acquire|lock)|无法获得锁|无法锁定" <<<"$errors"; then
      continue
    fi
    printf '%s\n' "$errors" >&2
    return 1
  done
}
