# shellcheck shell=bash
# The hand-made runc bundle that runs the real lifecycle's creator without locald: used by smoke-creator.sh and
# by bench/real-build.sh (the "limit" locald's warm build is compared with). Needs runc and python3.

# creator_bundle BUNDLE ROOT DIRS UID GID IMAGE [NAME=VALUE...]
# Writes BUNDLE/config.json: runc's default spec, adjusted so that /cnb/lifecycle/creator IMAGE runs as UID:GID
# with ROOT (absolute, or relative to BUNDLE) as its writable root filesystem, in the host's network namespace
# (the registry is on the host's 127.0.0.1), and with DIRS/workspace, layers, tmp, cache (read-write) and
# platform (read-only) bound at /<name>, each only when it exists. The env is PATH, HOME and the CNB ids, then
# the NAME=VALUE pairs (a pair replaces an earlier entry of the same name). Settings go through CNB_* env as
# locald passes them (docs/lifecycle.md): flags are registered per platform API, the env is read at every one.
creator_bundle() {
  local bundle=$1 root=$2 dirs=$3 uid=$4 gid=$5 image=$6
  shift 6
  mkdir -p "$bundle"
  rm -f "$bundle/config.json"
  (cd "$bundle" && runc spec)
  python3 - "$bundle/config.json" "$root" "$dirs" "$uid" "$gid" "$image" "$@" <<'EOF'
import json, os, sys
path, root, dirs, uid, gid, image, *extra = sys.argv[1:]
c = json.load(open(path))
p = c["process"]
p["terminal"] = False
p["user"] = {"uid": int(uid), "gid": int(gid)}
p["cwd"] = "/layers"
p["args"] = ["/cnb/lifecycle/creator", image]
env = {
    "PATH": "/cnb/process:/cnb/lifecycle:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "HOME": "/home/cnb",
    "CNB_USER_ID": uid,
    "CNB_GROUP_ID": gid,
}
for pair in extra:
    name, _, value = pair.partition("=")
    env[name] = value
p["env"] = [k + "=" + v for k, v in env.items()]
c["root"] = {"path": root, "readonly": False}
c["hostname"] = "creator"
c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "network"]
for name, mode in (("workspace", "rw"), ("layers", "rw"), ("tmp", "rw"), ("cache", "rw"), ("platform", "ro")):
    source = os.path.join(dirs, name)
    if os.path.isdir(source):
        c["mounts"].append({"destination": "/" + name, "type": "bind", "source": source, "options": ["rbind", mode]})
json.dump(c, open(path, "w"), indent=1)
EOF
}
