#!/usr/bin/python3
"""The seed's executor and the calls around its jobs, written as its backend writes them with
docker-py, and every violation a backend could make, through whichever docker-py is first on
sys.path.  Prints one line per case, "ok CASE detail", "fail CASE why" or "miss CASE why" (a
violation the policy let through), the first line being
"version DOCKER_PY_VERSION"; exits 0 only when every case passed.

Usage: dockerpy_suite.py PHASE IMAGE
  PHASE jobs        the compliant jobs, the calls around a job, the violations (the default policy)
  PHASE names       a job as the user name, under a policy with accept_user_name
  PHASE loose       create a container without mem_limit, under a policy that only warns on memory
  PHASE strict      start that container under the default policy: denied, saying to remove it
The job's settings come from the seed's environment (DOCKER_HOST, DOCKER_USER, DOCKER_USER_UID,
DOCKER_CPU_LIMIT, DOCKER_MEMORY_LIMIT, DOCKER_NETWORK_MODE, DOCKER_READONLY_ROOTFS,
DOCKER_REPOS_DIR, DOCKER_ARTIFACTS_DIR), each with the seed's default.
"""
import os
import sys
import tarfile
import io
import time

import docker
from docker.types import Mount

from cases import Miss, case, fail_usage, finish

phase, image = sys.argv[1:3]
env = os.environ.get
client = docker.from_env()
print("version", docker.__version__)

uid = env("DOCKER_USER_UID", "1000")
repo = os.path.join(env("DOCKER_REPOS_DIR", "/var/lib/arandu/repos"), "demo")
artifacts = os.path.join(env("DOCKER_ARTIFACTS_DIR", "/var/lib/arandu/artifacts"), "demo")
cpus = float(env("DOCKER_CPU_LIMIT", "2.0"))
settings = dict(nano_cpus=int(cpus * 1e9), mem_limit=env("DOCKER_MEMORY_LIMIT", "4g"),
                network_mode=env("DOCKER_NETWORK_MODE", "none"),
                read_only=env("DOCKER_READONLY_ROOTFS", "true") == "true",
                security_opt=["no-new-privileges"], pids_limit=512)
volumes = {repo: {"bind": "/workspace", "mode": "ro"}, artifacts: {"bind": "/artifacts", "mode": "rw"}}




def job_args(**kw):
    """The executor's settings, with kw in their place (None: left out)."""
    args = dict(settings, user=uid + ":" + uid, volumes=volumes)
    args.update(kw)
    return {k: v for k, v in args.items() if v is not None}


def job(name, **kw):
    """A job as the executor runs it: it must run as the UID, write into /artifacts and exit 0."""
    args = job_args(**kw)
    out_file = os.path.join(artifacts, name + ".txt")
    if os.path.exists(out_file):
        os.unlink(out_file)
    out = client.containers.run(image, ["sh", "-c", "id -u; id -g; ls /workspace >/dev/null; echo done > /artifacts/%s.txt" % name],
                                remove=True, **args).decode().split()
    if out[0] != uid or out[1] == "0":
        raise RuntimeError("ran as uid %s gid %s" % (out[0], out[1]))
    with open(out_file) as f:
        if f.read().strip() != "done":
            raise RuntimeError("nothing written into /artifacts")
    os.unlink(out_file)
    return "uid=%s gid=%s, wrote into /artifacts" % (out[0], out[1])


def denied(rule, hints, **kw):
    """A job that breaks the policy: the create must be refused with a 403 naming the rule and
    each hint (how to fix it, in docker-py's words)."""
    args = job_args(**kw)
    try:
        c = client.containers.create(image, ["true"], **args)
    except docker.errors.APIError as e:
        return check_message(e, rule, hints)
    c.remove(force=True)
    raise Miss("created: the policy did not refuse it")


def check_message(e, rule, hints):
    msg = str(e.explanation)
    if e.status_code != 403 or "authorization denied by plugin" not in msg:
        raise RuntimeError("not the plugin's deny: HTTP %s %s" % (e.status_code, msg))
    text = msg.split("authorization denied by plugin", 1)[1]
    if (rule + ": ") not in text:
        raise RuntimeError("no %r in %r" % (rule + ": ", text))
    if text.count(rule + ": " + rule + ":"):
        raise RuntimeError("the rule id twice: %r" % text)
    for h in hints:
        if not names_argument(text, h):
            raise RuntimeError("the fix does not name docker-py's %r: %r" % (h, text))
    return text.strip()[:300]


def names_argument(text, arg):
    """Does the message give docker-py's own word for the fix (not the rule id, not the CLI flag)?"""
    if arg == "remove":
        return "docker-py container.remove()" in text
    if arg == "accept_user_name":   # the admin's policy option, not docker-py's
        return '"accept_user_name": true' in text
    return any(p + arg in text for p in ("docker-py ", "docker-py and compose: ", "docker-py exec_run "))


def around_a_job():
    """The calls a backend makes around a running job."""
    t0 = int(time.time()) - 1
    c = client.containers.run(image, ["sh", "-c", "echo started; sleep 600"], detach=True,
                              **job_args(name="dockerpy-job", labels={"arandu-e2e": "dockerpy"}))
    try:
        done = []
        if [x.id for x in client.containers.list(filters={"name": "dockerpy-job"})] != [c.id]:
            raise RuntimeError("list does not show the job")
        done.append("list")
        if client.containers.get("dockerpy-job").id != c.id:
            raise RuntimeError("get by name found another container")
        done.append("get")
        code, out = c.exec_run(["id", "-u"], user=uid + ":" + uid)
        if code != 0 or out.decode().strip() != uid:
            raise RuntimeError("exec_run exited %d: %s" % (code, out))
        code, out = c.exec_run(["id", "-u"])   # the container's user
        if code != 0 or out.decode().strip() != uid:
            raise RuntimeError("exec_run without user exited %d: %s" % (code, out))
        done.append("exec_run")
        for _ in range(50):
            if b"started" in c.logs():
                break
            time.sleep(0.1)
        else:
            raise RuntimeError("logs: %r" % c.logs())
        done.append("logs")
        c.stats(stream=False)
        done.append("stats")
        if not c.top()["Processes"]:
            raise RuntimeError("top shows no process")
        done.append("top")
        stream, stat = c.get_archive("/workspace")
        tar = tarfile.open(fileobj=io.BytesIO(b"".join(stream)))
        done.append("get_archive (%d entries)" % len(tar.getmembers()))
        c.restart(timeout=1)
        c.reload()
        if c.status != "running":
            raise RuntimeError("restart: %s" % c.status)
        done.append("restart")
        c.kill()
        if c.wait(timeout=30)["StatusCode"] == 0:
            raise RuntimeError("a killed job exited 0")
        done.append("kill, wait")
        c.start()
        c.stop(timeout=1)
        done.append("start, stop")
        c.remove()
        done.append("remove")
        client.containers.prune(filters={"label": "arandu-e2e=dockerpy"})
        done.append("prune")
        events = list(client.events(since=t0, until=int(time.time()) + 1, decode=True))
        if not any(ev.get("Actor", {}).get("ID") == c.id for ev in events):
            raise RuntimeError("events do not show the job")
        done.append("events")
        client.df()
        done.append("df")
        if not client.images.list(name=image):
            raise RuntimeError("images does not show %s" % image)
        done.append("images")
        if not client.ping():
            raise RuntimeError("ping")
        done.append("ping")
        done.append("version " + client.version()["Version"])
        return ", ".join(done)
    finally:
        try:
            c.remove(force=True)
        except docker.errors.NotFound:
            pass


def exec_denied(rule, hints, **kw):
    c = client.containers.run(image, ["sleep", "600"], detach=True, **job_args())
    try:
        c.exec_run(["id"], **kw)
    except docker.errors.APIError as e:
        return check_message(e, rule, hints)
    finally:
        c.remove(force=True)
    raise Miss("exec ran: the policy did not refuse it")


loose_name = "dockerpy-loose-" + docker.__version__.replace(".", "-")


def start_loose():
    """The second look: the start is judged by what dockerd holds, and the message says what to do
    with a container that can never start."""
    c = client.containers.get(loose_name)
    try:
        c.start()
    except docker.errors.APIError as e:
        return check_message(e, "memory", ["mem_limit", "remove"])
    finally:
        c.remove(force=True)
    raise Miss("started: the second look did not refuse it")


if phase == "jobs":
    case("job user=UID:GID, volumes as a dict", lambda: job("uidgid"))
    case("job user=UID (the image maps it to its group)", lambda: job("uid", user=uid))
    case("job cpu_quota/cpu_period instead of nano_cpus",
         lambda: job("quota", nano_cpus=None, cpu_period=100000, cpu_quota=int(cpus * 100000)))
    case("job network=\"none\" (docker-py's network=, which adds NetworkingConfig {\"none\": null})",
         lambda: job("network", network_mode=None, network="none"))
    case("job volumes as a list", lambda: job("list", volumes=[repo + ":/workspace:ro", artifacts + ":/artifacts:rw"]))
    case("job mounts=", lambda: job("mounts", volumes=None,
                                    mounts=[Mount("/workspace", repo, type="bind", read_only=True),
                                            Mount("/artifacts", artifacts, type="bind")]))
    case("the calls around a job", around_a_job)

    case("deny privileged=True", lambda: denied("privileged", ["privileged"], privileged=True))
    case("deny no mem_limit", lambda: denied("memory", ["mem_limit"], mem_limit=None))
    case("deny mem_limit over the limit", lambda: denied("memory", ["mem_limit"], mem_limit="64g"))
    case("deny memswap_limit=-1", lambda: denied("memory", ["memswap_limit"], memswap_limit=-1))
    case("deny no nano_cpus", lambda: denied("cpu", ["nano_cpus"], nano_cpus=None))
    case("deny nano_cpus over the limit", lambda: denied("cpu", ["nano_cpus"], nano_cpus=int(cpus * 2e9)))
    case("deny network_mode=host", lambda: denied("network", ["network_mode"], network_mode="host"))
    case("deny ports=", lambda: denied("network", ["ports"], network_mode="bridge", ports={"80/tcp": 8080}))
    case("deny read_only=False", lambda: denied("rootfs", ["read_only"], read_only=False))
    case("deny user=root", lambda: denied("user", ["user"], user="root"))
    case("deny user=0:0", lambda: denied("user", ["user"], user="0:0"))
    case("deny no user", lambda: denied("user", ["user"], user=None))
    case("deny a user name without accept_user_name",
         lambda: denied("user", ["accept_user_name"], user=env("DOCKER_USER", "arandu-user")))
    case("deny cap_add", lambda: denied("privileges", ["cap_add"], cap_add=["SYS_ADMIN"]))
    case("deny no security_opt", lambda: denied("privileges", ["security_opt"], security_opt=None))
    case("deny security_opt seccomp=unconfined",
         lambda: denied("privileges", ["security_opt"], security_opt=["no-new-privileges", "seccomp=unconfined"]))
    case("deny no pids_limit", lambda: denied("pids", ["pids_limit"], pids_limit=None))
    case("deny pid_mode=host", lambda: denied("namespaces", ["pid_mode"], pid_mode="host"))
    case("deny ipc_mode=host", lambda: denied("namespaces", ["ipc_mode"], ipc_mode="host"))
    case("deny devices=", lambda: denied("devices", ["devices"], devices=["/dev/null:/dev/xnull"]))
    case("deny sysctls=", lambda: denied("kernel", ["sysctls"], sysctls={"net.ipv4.ip_forward": "1"}))
    case("deny a host directory in volumes",
         lambda: denied("mounts", ["volumes"], volumes={"/etc": {"bind": "/workspace", "mode": "ro"}}))
    case("deny /workspace writable", lambda: denied("mounts", ["volumes"],
                                                  volumes={repo: {"bind": "/workspace", "mode": "rw"}}))
    case("deny a named volume in mounts=", lambda: denied("mounts", ["mounts"], volumes=None,
                                                         mounts=[Mount("/data", "somevolume", type="volume")]))
    case("deny restart_policy always", lambda: denied("restart", ["restart_policy"], restart_policy={"Name": "always"}))
    case("deny log_config syslog", lambda: denied("logs", ["log_config"],
                                                 log_config={"Type": "syslog", "Config": {}}))
    case("deny ulimits", lambda: denied("limits", ["ulimits"],
                                       ulimits=[docker.types.Ulimit(name="rtprio", soft=99, hard=99)]))
    case("deny exec_run privileged=True", lambda: exec_denied("privileged", ["privileged"], privileged=True))
    case("deny exec_run user=root", lambda: exec_denied("user", ["user"], user="root"))
elif phase == "names":
    case("job user=NAME with accept_user_name", lambda: job("name", user=env("DOCKER_USER", "arandu-user")))
elif phase == "loose":
    case("create without mem_limit while memory only warns",
         lambda: client.containers.create(image, ["sleep", "600"], **job_args(name=loose_name, mem_limit=None)).id[:12])
elif phase == "strict":
    case("deny the start of a container created under a looser policy", start_loose)
else:
    fail_usage("unknown phase %r" % phase)
finish()
