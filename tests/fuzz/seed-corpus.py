#!/usr/bin/env python3
"""Regenerate the hand-made and fixture-derived seeds of tests/fuzz/corpus/<target>/.

Not run by make: the corpus is committed.  Run it from the repository root after adding seeds here
(FIXTURES=dir overrides tests/fixtures/dockerd-20.10.24).  Files libFuzzer adds (named by their
SHA-1) and regression files (crash-*, named for the bug) are left alone."""
import base64, glob, json, os, sys, urllib.parse

root = os.path.dirname(os.path.abspath(__file__))
fixtures = os.environ.get("FIXTURES") or os.path.join(root, "../fixtures/dockerd-20.10.24")
corpus = os.path.join(root, "corpus")


def put(target, name, data):
    d = os.path.join(corpus, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


def env(method, uri, body=None, headers=None, **extra):
    e = {"RequestMethod": method, "RequestUri": uri}
    if body is not None:
        e["RequestBody"] = base64.b64encode(body.encode() if isinstance(body, str) else body).decode()
    e["RequestHeaders"] = headers or {"Content-Type": "application/json"}
    e.update(extra)
    return json.dumps(e)


COMPLIANT = {"User": "1000", "Image": "bb", "Cmd": ["id"],
             "HostConfig": {"Binds": ["/srv/arandu/repos/demo:/workspace:ro", "/srv/arandu/artifacts/demo:/artifacts"],
                            "NetworkMode": "none", "ReadonlyRootfs": True, "Memory": 1073741824,
                            "NanoCpus": 1000000000},
             "NetworkingConfig": {"EndpointsConfig": {}}}


def compliant(**hc):
    b = json.loads(json.dumps(COMPLIANT))
    b["HostConfig"].update(hc)
    return json.dumps(b)


# --- fixtures ---------------------------------------------------------------------------------
for path in sorted(glob.glob(os.path.join(fixtures, "*.json"))):
    name = os.path.basename(path)[:-5]
    raw = open(path, "rb").read()
    e = json.loads(raw)
    put("decide", name, raw)
    if "RequestUri" in e:
        put("route", name, "%s\n%s" % (e.get("RequestMethod", "GET"), e["RequestUri"]))
        if "?" in e["RequestUri"]:
            put("query", name, e["RequestUri"].split("?", 1)[1])
    if not name.endswith(".req") or not e.get("RequestBody"):
        continue
    body = base64.b64decode(e["RequestBody"])
    uri = e["RequestUri"].split("?")[0]
    if uri.endswith("/containers/create"):
        put("create", name, body)
    elif uri.endswith("/exec"):
        put("exec", name, body)
    elif uri.endswith("/update"):
        put("update", name, body)

# --- create bodies: what dockerd's decoder reads differently from a naive one ------------------
creates = {
    "compliant": compliant(),
    "fold-long-s": '{"U\u017fer":"1000","Ho\u017ftConfig":{"Privileged":false,"PRIVILEGED":true,"ReadonlyRootf\u017f":true}}',
    "fold-kelvin": '{"User":"1000","Image":"bb","HostConfig":{"\u212aernelMemory":1,"NetworkMode":"none"}}',
    "collide-case": '{"User":"1000","HostConfig":{"Privileged":false,"privileged":true}}',
    "collide-hostconfig": '{"User":"1000","HostConfig":{"Memory":1},"hostconfig":{"Privileged":true}}',
    "duplicate": '{"User":"1000","User":"0"}',
    "toplevel-hostconfig-fields": '{"User":"1000","Image":"bb","Privileged":true,"Binds":["/:/host"]}',
    "mounts": compliant(Binds=None, Mounts=[
        {"Type": "bind", "Source": "/srv/arandu/repos/demo", "Target": "/workspace", "ReadOnly": True},
        {"Type": "bind", "Source": "/srv/arandu/artifacts/demo", "Target": "/artifacts",
         "BindOptions": {"Propagation": "rshared", "CreateMountpoint": True}},
        {"Type": "tmpfs", "Target": "/tmp", "TmpfsOptions": {"SizeBytes": 1024}},
        {"Type": "volume", "Source": "v", "Target": "/v", "VolumeOptions": {"NoCopy": True}}]),
    "binds-tricky": compliant(Binds=["/srv/arandu/repos/../../../etc:/workspace:ro",
                                     "/srv/arandu/repos/demo:/workspace/:ro,z", "/srv/arandu/artifacts:/artifacts",
                                     "/srv/arandu/artifacts/demo:/artifacts:rw:extra", "vol:/artifacts", "/anon"]),
    "numbers": compliant(Memory=1.0, NanoCpus=2000000001, CpuQuota=-1, CpuPeriod=0, OomScoreAdj=-1000,
                         MemorySwap=-1, PidsLimit=9223372036854775807),
    "bigint": '{"HostConfig":{"Memory":18446744073709551616,"NanoCpus":-9223372036854775808}}',
    "types": '{"User":1000,"HostConfig":{"Privileged":"true","ReadonlyRootfs":1,"Binds":"x","CapAdd":{}}}',
    "caps-secopt": compliant(CapAdd=["cap_sys_admin", "NET_BIND_SERVICE", "Cap_Net_Raw"],
                             SecurityOpt=["no-new-privileges", "no-new-privileges:true", "seccomp=unconfined",
                                          "label=disable", "apparmor:unconfined"], MaskedPaths=[], ReadonlyPaths=None),
    "namespaces": compliant(PidMode="host", IpcMode="shareable", UTSMode="host", UsernsMode="host",
                            CgroupnsMode="host", Cgroup="x", NetworkMode="container:abc"),
    "network": compliant(NetworkMode="bridge", PortBindings={"80/tcp": [{"HostPort": "80"}]}, PublishAllPorts=True),
    "endpoints": json.dumps({"User": "1000", "NetworkingConfig": {"EndpointsConfig": {"host": {}, "bridge": {"DriverOpts": {"a": "b"}}}}}),
    "devices": compliant(Devices=[{"PathOnHost": "/dev/kmsg"}], DeviceRequests=[{"Count": -1}],
                         DeviceCgroupRules=["a *:* rwm"], Sysctls={"kernel.x": "1"}, CgroupParent="/",
                         Runtime="nvidia", Annotations={"a": "b"}),
    "user-forms": json.dumps({"User": "1000:0", "HostConfig": {"GroupAdd": ["0", "root", "10", "wheel"]}}),
    "user-name": json.dumps({"User": "arandu-user:1000"}),
    "volumes": json.dumps({"User": "1000", "Volumes": {"/data": {}}, "HostConfig": {"VolumesFrom": ["c"], "VolumeDriver": "local",
                                                                                      "Tmpfs": {"/tmp": "", "/run": "exec"}}}),
    "unknown-hc": json.dumps({"HostConfig": {"FutureIsolationOff": True}, "Unknown": 1}),
    "nested-deep": '{"Labels":' + '{"a":' * 200 + '1' + '}' * 200 + '}',
    "empty-object": "{}",
    "null": "null",
    "array": "[]",
    "nul-in-key": '{"Us\\u0000er":"0","HostConfig\\u0000":{"Privileged":true}}',
    "escaped-key": '{"\\u0055ser":"0","Host\\u0043onfig":{"Privileged":true}}',
}
for k, v in creates.items():
    put("create", k, v)

execs = {
    "ok": '{"User":"","Privileged":false,"Cmd":["id"],"AttachStdout":true}',
    "root": '{"User":"root","Privileged":true,"Cmd":["id"]}',
    "uid-gid": '{"User":"1000:1000","Cmd":["sh"]}',
    "fold": '{"uſer":"0","PRIVILEGED":true,"privileged":false}',
    "types": '{"User":0,"Privileged":"yes","Env":"x"}',
    "leading-zero": '{"User":"01000"}',
    "plus": '{"User":"+1000:1"}',
}
for k, v in execs.items():
    put("exec", k, v)

updates = {
    "ok": '{"Memory":0,"NanoCpus":2000000000,"PidsLimit":0}',
    "swap": '{"Memory":1073741824,"MemorySwap":-1}',
    "quota-only": '{"CpuQuota":300000}',
    "quota-period": '{"CpuQuota":300000,"CpuPeriod":100000}',
    "devices": '{"Devices":[{"PathOnHost":"/dev/sda"}],"CgroupParent":"/x","DeviceCgroupRules":["a"]}',
    "restart": '{"RestartPolicy":{"Name":"always"},"KernelMemory":1}',
    "collide": '{"memory":1,"Memory":2}',
    "float": '{"Memory":1e3,"NanoCpus":1.5}',
}
for k, v in updates.items():
    put("update", k, v)

# --- envelopes ------------------------------------------------------------------------------------
envs = {
    "no-body-create": env("POST", "/v1.41/containers/create"),
    "empty-body-create": env("POST", "/v1.41/containers/create", ""),
    "compliant-create": env("POST", "/v1.43/containers/create?name=x", compliant()),
    "form-create": env("POST", "/containers/create", compliant(), {"Content-Type": "application/x-www-form-urlencoded"}),
    "multipart": env("POST", "/build?networkmode=host", None, {"Content-Type": "multipart/form-data; boundary=x"}),
    "absolute-uri": env("POST", "http://docker/v1.41/containers/c/start?checkpoint=x"),
    "percent-path": env("POST", "/v1.41/%63ontainers/create", compliant(Privileged=True)),
    "bad-escape": env("GET", "/v1.41/containers/%zz/json"),
    "dot-segments": env("POST", "/v1.41/containers/../plugins/x/disable"),
    "double-slash": env("POST", "//v1.41/containers//create"),
    "old-version": env("POST", "/v1.12/containers/c/start", '{"Privileged":true}'),
    "query-semicolon": env("POST", "/build?networkmode=none;networkmode=host"),
    "query-repeat": env("POST", "/build?networkmode=none&networkmode=host"),
    "build-remote": env("POST", "/v1.41/build?remote=https://x&cgroupparent=/&outputs=x"),
    "session": env("POST", "/session"),
    "grpc": env("POST", "/grpc"),
    "plugin-disable": env("POST", "/v1.41/plugins/authz/disable"),
    "swarm": env("POST", "/v1.41/services/create", "{}"),
    "volume-opts": env("POST", "/volumes/create", '{"Driver":"local","DriverOpts":{"device":"/etc","o":"bind"}}'),
    "connect-bridge": env("POST", "/networks/bridge/connect", '{"Container":"c"}'),
    "exec-root": env("POST", "/v1.41/containers/c/exec", '{"User":"0","Privileged":true}'),
    "update-swap": env("POST", "/v1.41/containers/c/update", '{"MemorySwap":-1}'),
    "unknown-route": env("PATCH", "/v9.99/future/thing"),
    "bad-base64": env("POST", "/containers/create").replace('"RequestHeaders"', '"RequestBody":"eyJ=eyJ","RequestHeaders"'),
    "wrong-types": '{"RequestMethod":1,"RequestUri":["/"],"RequestBody":{}}',
    "duplicate-keys": '{"RequestMethod":"GET","RequestUri":"/_ping","RequestUri":"/v1.41/plugins/x/disable"}',
    "not-object": '"GET /_ping"',
    "empty": "",
    "response": json.dumps({"RequestMethod": "GET", "RequestUri": "/_ping", "ResponseStatusCode": 200,
                            "ResponseBody": "T0s=", "ResponseHeaders": {"A": "b"}}),
    "tls-user": json.dumps({"RequestMethod": "GET", "RequestUri": "/info", "User": "alice", "UserAuthNMethod": "TLS"}),
}
for k, v in envs.items():
    put("decide", k, v)

routes = ["GET\n/_ping", "HEAD\n/v1.41/_ping", "POST\n/v1.41/containers/create?name=a", "POST\n/containers/a%2Fb/start",
          "POST\nhttp://host:2375/v1.41/containers/c/exec", "GET\nunix:///v1.41/info", "POST\n/v1.41/containers/c/../x",
          "POST\n/v1.41/./containers/create", "post\n/v1.41/containers/create", "DELETE\n/v1.41/plugins/x",
          "POST\n/v1.41/plugins/pull?remote=x", "POST\n/v1.41/swarm/init", "POST\n/v1.41/nodes/x/update",
          "POST\n/v1.41/secrets/create", "POST\n/v1.41/configs/create", "POST\n/v1.41/images/create?fromImage=x",
          "POST\n/v1.41/commit?container=c", "PUT\n/v1.41/containers/c/archive?path=/", "POST\n/exec/x/start",
          "POST\n/exec/x/resize?h=1&w=1", "POST\n/v1..41/containers/create", "POST\n/v/containers/create",
          "POST\n/v1.41", "POST\n/v1.41/", "GET\n/containers/json?filters=%7B%22a%22%3A1%7D",
          "POST\n/containers/%00/start", "POST\n/containers/%2e%2e/start", "GET\n/distribution/x/json",
          "POST\n/session", "POST\n/grpc", "POST\n/build?networkmode=host", "GET\n" + "/a" * 3000, "GET\n?", "\n/", "GET\n"]
for i, r in enumerate(routes):
    put("route", "hand-%02d" % i, r)

queries = ["name=c", "a=1&b=2&a=3", "a;b", "a=%zz", "a=%4", "+%20+=+", "=", "&&&", "key", "checkpoint=&checkpoint-dir=/x",
           "networkmode=host&remote=", "%2B=%2b", "a=%C3%A9", "%00=%00", "&".join("k%d=v" % i for i in range(70))]
for i, q in enumerate(queries):
    put("query", "hand-%02d" % i, q)

binds = {
    "ok": "$R/demo:/workspace:ro\n$A/demo:/artifacts",
    "rw-workspace": "$R/demo:/workspace",
    "twice": "$R/demo:/workspace:ro\n$R/demo:/workspace/:ro",
    "root-itself": "$R:/workspace:ro\n$A:/artifacts",
    "dotdot": "$R/demo/../../outside:/workspace:ro",
    "symlink-out": "$R/esc:/workspace:ro\n$R/esc/passwd:/artifacts",
    "symlink-loop": "$R/loop/x:/workspace:ro",
    "dangling": "$R/dangling/x:/workspace:ro",
    "up": "$R/up/outside:/workspace:ro",
    "not-yet": "$R/new/deeper:/workspace:ro\n$A/new:/artifacts:rw",
    "modes": "$R/demo:/workspace:ro,z\n$A/demo:/artifacts:Z\n$A/demo:/artifacts:rshared\n$R/demo:/workspace:nocopy,ro",
    "clean-target": "$R/demo:/workspace/.:ro\n$A/demo://artifacts",
    "relative": "repos/demo:/workspace:ro\nnamedvol:/artifacts\n/anonymous",
    "four-parts": "$R/demo:/workspace:ro:x\n:/workspace\n$R/demo::ro",
    "double-slash": "$R//demo:/workspace:ro\n$A/./demo:/artifacts",
    "prefix-sibling": "$R-evil/demo:/workspace:ro\n$Tx/artifacts/demo:/artifacts",
    "empty-mode": "$R/demo:/workspace:",
}
for k, v in binds.items():
    put("binds", k, v)

policies = {
    "empty": "{}",
    "all": json.dumps({"user": "arandu-user", "uid": 1000, "accept_user_name": True, "cpu_limit": "1.5",
                       "memory_limit": "2g", "pids_limit": 256, "network_mode": "bridge", "readonly_rootfs": False,
                       "allowlist_domains": ["example.org", "pypi.org"], "repos_dir": "/srv/repos",
                       "artifacts_dir": "/srv/artifacts", "tmpfs_targets": ["/tmp"],
                       "allowed_cap_add": ["cap_net_bind_service"], "docker_host": "unix:///run/docker.sock",
                       "deny_on_audit_failure": True}),
    "unsafe": json.dumps({"user": "root", "uid": 0, "cpu_limit": "0", "memory_limit": "", "network_mode": "host",
                          "repos_dir": "relative", "artifacts_dir": "/srv/repos/a", "docker_host": "tcp://x:2375"}),
    "numbers": '{"cpu_limit": 2, "memory_limit": 4294967296, "uid": 1e3, "pids_limit": -1}',
    "nested-dirs": '{"repos_dir": "/srv/a", "artifacts_dir": "/srv/a/b"}',
    "unknown-key": '{"usr": "x", "uid": 1000}',
    "types": '{"user": 1, "uid": "1000", "allowlist_domains": "x", "tmpfs_targets": [1], "readonly_rootfs": "yes"}',
    "domains": json.dumps({"allowlist_domains": ["-bad.org", "a..b", "x" * 300, "ok.example", "*.wild.com", "UPPER.COM"]}),
    "caps": json.dumps({"allowed_cap_add": ["SYS_ADMIN", "CAP_NET_RAW", "bogus", ""]}),
    "tmpfs": json.dumps({"tmpfs_targets": ["/tmp", "relative", "/a/../b", "/", "/tmp"]}),
    "duplicate": '{"uid": 1000, "uid": 0}',
    "not-object": "[1,2]",
    "env-only": "\n--env--\nDOCKER_USER=bob\nDOCKER_USER_UID=1001\nDOCKER_CPU_LIMIT=0.5\nDOCKER_MEMORY_LIMIT=512M\n"
                "DOCKER_NETWORK_MODE=bridge\nDOCKER_READONLY_ROOTFS=false\nDOCKER_ALLOWLIST_DOMAINS=[\"a.org\"]\n"
                "DOCKER_REPOS_DIR=/r\nDOCKER_ARTIFACTS_DIR=/a\nDOCKER_HOST=unix:///x.sock",
    "env-bad": '{"uid": 1000}\n--env--\nDOCKER_USER=\nDOCKER_USER_UID=00\nDOCKER_CPU_LIMIT=nan\nDOCKER_MEMORY_LIMIT=1e9g\n'
               'DOCKER_NETWORK_MODE=none \nDOCKER_READONLY_ROOTFS=maybe\nDOCKER_ALLOWLIST_DOMAINS=[1]\nDOCKER_REPOS_DIR=/r/../x\n'
               'DOCKER_HOST=unix://',
    "env-overflow": "\n--env--\nDOCKER_CPU_LIMIT=99999999999.999999999\nDOCKER_MEMORY_LIMIT=9223372036854775807g\nDOCKER_USER_UID=4294967296",
}
for k, v in policies.items():
    put("policy", k, v)
print("seeds written under", corpus)
