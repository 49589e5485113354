#!/usr/bin/python3
"""A compliant service and the violations a compose user could write, through one docker-compose,
as its users run it.  Prints one line per case: "ok CASE detail", "fail CASE why", "miss CASE why" (a violation the policy let through), or "known CASE
why" for a documented incompatibility of this compose with this engine (not a pass); the first line
is "version COMPOSE_VERSION".  Exits 0 when no case failed.

Usage: compose_suite.py WORKDIR ENGINE_MAJOR COMPOSE_COMMAND...
  for example: compose_suite.py /tmp/x 28 docker compose      or   ... 20 docker-compose
The job's settings come from the seed's environment, as for dockerpy_suite.py.
"""
import json
import os
import subprocess
import sys
import time

from cases import Known, Miss, case, finish

workdir, engine_major = sys.argv[1], int(sys.argv[2])
tag = os.path.basename(workdir.rstrip("/"))   # the project names of one compose, apart from another's
compose = sys.argv[3:]
env = os.environ.get
uid = env("DOCKER_USER_UID", "1000")
repo = os.path.join(env("DOCKER_REPOS_DIR", "/var/lib/arandu/repos"), "demo")
artifacts = os.path.join(env("DOCKER_ARTIFACTS_DIR", "/var/lib/arandu/artifacts"), "demo")
DOCKER = env("E2E_DOCKER_CLI", "docker")
is_v1 = False


def sh(args, timeout=120):
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout,
                       stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout.decode(errors="replace")





def service(volumes, **over):
    s = {"image": "bb", "command": ["sh", "-c", "id -u > /artifacts/compose.txt; echo started; exec sleep 600"],
         "user": uid + ":" + uid, "cpus": float(env("DOCKER_CPU_LIMIT", "2.0")) / 2,
         "mem_limit": env("DOCKER_MEMORY_LIMIT", "4g"), "network_mode": env("DOCKER_NETWORK_MODE", "none"),
         "read_only": True, "security_opt": ["no-new-privileges"], "pids_limit": 512,
         "stop_grace_period": "1s", "volumes": volumes}
    s.update(over)
    return {k: v for k, v in s.items() if v is not None}


SHORT = [repo + ":/workspace:ro", artifacts + ":/artifacts"]
LONG = [{"type": "bind", "source": repo, "target": "/workspace", "read_only": True},
        {"type": "bind", "source": artifacts, "target": "/artifacts"}]


class Project:
    def __init__(self, name, svc):
        self.name = name
        self.dir = os.path.join(workdir, name)
        os.makedirs(self.dir, exist_ok=True)
        # JSON is YAML: the file a user writes, in a form both composes read
        with open(os.path.join(self.dir, "compose.yaml"), "w") as f:
            json.dump({"services": {"job": svc}}, f, indent=2)

    def run(self, *args, timeout=120):
        return sh(compose + ["-f", os.path.join(self.dir, "compose.yaml"), "-p", self.name] + list(args), timeout)

    def ok(self, *args):
        rc, out = self.run(*args)
        if rc != 0:
            if is_v1 and engine_major >= 25 and "ContainerConfig" in out:
                raise Known("%s: docker-compose v1 reads the image's ContainerConfig, which engines 25 "
                            "and later no longer return (KeyError: 'ContainerConfig')" % " ".join(args))
            raise RuntimeError("%s exited %d: %s" % (" ".join(args), rc, out.strip()[-400:]))
        return out

    def ids(self, state=None):
        """The IDs of the project's containers (from dockerd, not from compose)."""
        args = [DOCKER, "ps", "-q", "--no-trunc", "--filter", "label=com.docker.compose.project=" + self.name]
        args += ["--filter", "status=" + state] if state else ["-a"]
        rc, out = sh(args)
        if rc != 0:
            raise RuntimeError("docker ps: " + out)
        return out.split()


def wait_running(p, n=1):
    for _ in range(100):
        if len(p.ids("running")) == n:
            return p.ids("running")
        time.sleep(0.1)
    raise RuntimeError("not %d running: %s" % (n, sh([DOCKER, "ps", "-a"])[1]))


def lifecycle(syntax, volumes):
    """up (twice), up --force-recreate, run --rm, ps, logs, restart, stop, start, down."""
    p = Project(tag + "-" + syntax, service(volumes))
    out_file = os.path.join(artifacts, "compose.txt")
    done, known = [], []
    try:
        if os.path.exists(out_file):
            os.unlink(out_file)
        p.ok("up", "-d")
        first = wait_running(p)
        for _ in range(50):
            if os.path.exists(out_file) and open(out_file).read().strip():
                break
            time.sleep(0.1)
        if open(out_file).read().strip() != uid:
            raise RuntimeError("the service did not write its uid into /artifacts")
        done.append("up")
        p.ok("up", "-d")
        if wait_running(p) != first:
            raise RuntimeError("a second up replaced an up-to-date container")
        done.append("up again")
        try:
            p.ok("up", "-d", "--force-recreate")
            if wait_running(p) == first:
                raise RuntimeError("up --force-recreate kept the container")
            done.append("up --force-recreate")
        except Known as e:   # the steps after it still run
            known.append(str(e))
        out = p.ok("run", "--rm", "-T", "job", "id", "-u")
        if out.strip().splitlines()[-1] != uid:
            raise RuntimeError("run --rm printed %r" % out)
        done.append("run --rm")
        if "job" not in p.ok("ps"):
            raise RuntimeError("ps does not show the service")
        done.append("ps")
        if "started" not in p.ok("logs"):
            raise RuntimeError("logs do not show the output")
        done.append("logs")
        p.ok("restart")
        wait_running(p)
        done.append("restart")
        p.ok("stop")
        if p.ids("running"):
            raise RuntimeError("stop left it running")
        done.append("stop")
        p.ok("start")
        wait_running(p)
        done.append("start")
        p.ok("down")
        if p.ids():
            raise RuntimeError("down left containers: %s" % p.ids())
        done.append("down")
        if known:
            raise Known("%s (passed: %s)" % ("; ".join(known), ", ".join(done)))
        return ", ".join(done)
    finally:
        p.run("down", "-t", "1")
        if os.path.exists(out_file):
            os.unlink(out_file)


def denied(what, rule, hints, **over):
    p = Project(tag + "-deny-" + what, service(over.pop("volumes", SHORT), **over))
    try:
        rc, out = p.run("up", "-d")
        if rc == 0:
            raise Miss("up succeeded: the policy did not refuse it")
        if "authorization denied by plugin" not in out:
            raise RuntimeError("not the plugin's deny: %s" % out.strip()[-400:])
        text = out.split("authorization denied by plugin", 1)[1]
        if (rule + ": ") not in text:
            raise RuntimeError("no %r in %r" % (rule + ": ", text.strip()))
        for h in hints:
            if "compose " + h not in text and "docker-py and compose: " + h not in text:
                raise RuntimeError("the fix does not name compose's %r: %r" % (h, text.strip()))
        if p.ids("running"):
            raise Miss("a container is running")
        return text.strip().splitlines()[0][:300]
    finally:
        p.run("down", "-t", "1")


rc, out = sh(compose + ["version"])
print("version", out.strip().splitlines()[0] if out.strip() else "unknown (exit %d)" % rc)
is_v1 = "version 1." in out
sys.stdout.flush()
case("lifecycle, short volume syntax", lambda: lifecycle("short", SHORT))
case("lifecycle, long volume syntax", lambda: lifecycle("long", LONG))
case("deny privileged: true", lambda: denied("priv", "privileged", ["privileged"], privileged=True))
case("deny no mem_limit", lambda: denied("mem", "memory", ["mem_limit"], mem_limit=None))
case("deny network_mode: host", lambda: denied("net", "network", ["network_mode"], network_mode="host"))
case("deny read_only: false", lambda: denied("ro", "rootfs", ["read_only"], read_only=False))
case("deny user: root", lambda: denied("user", "user", ["user"], user="root"))
case("deny cap_add", lambda: denied("cap", "privileges", ["cap_add"], cap_add=["SYS_ADMIN"]))
case("deny no pids_limit", lambda: denied("pids", "pids", ["pids_limit"], pids_limit=None))
case("deny no security_opt", lambda: denied("nnp", "privileges", ["security_opt"], security_opt=None))
case("deny pid: host", lambda: denied("pid", "namespaces", ["pid"], pid="host"))
case("deny devices", lambda: denied("dev", "devices", ["devices"], devices=["/dev/null:/dev/xnull"]))
case("deny restart: always", lambda: denied("restart", "restart", ["restart"], restart="always"))
case("deny a host directory in volumes", lambda: denied("etc", "mounts", ["volumes"], volumes=["/etc:/workspace:ro"]))
finish()
