#!/usr/bin/python3
"""The seed's executor job, written as its backend writes it with docker-py, plus what the policy
now requires (no-new-privileges, a pids limit).  Prints one line per step: "ok STEP detail" or
"fail STEP why"; exits 0 only when every step passed.

Usage: dockerpy_job.py DOCKER_HOST REPO_DIR ARTIFACTS_DIR IMAGE
"""
import sys

import docker

host, repo, artifacts, image = sys.argv[1:5]
client = docker.DockerClient(base_url=host)
failed = False


def step(name, fn):
    global failed
    try:
        print("ok", name, fn())
    except Exception as e:  # every failure is reported, none stops the others
        failed = True
        print("fail", name, str(e).replace("\n", " ")[:400])


common = dict(user="1000:1000", nano_cpus=1_000_000_000, mem_limit="1g", network_mode="none",
              read_only=True, security_opt=["no-new-privileges"], pids_limit=512)


def run_job():
    out = client.containers.run(image, ["sh", "-c", "id; echo done > /artifacts/dockerpy.txt"], remove=True,
                                volumes={repo: {"bind": "/workspace", "mode": "ro"},
                                         artifacts: {"bind": "/artifacts", "mode": "rw"}}, **common)
    return out.decode().strip()


def run_list_form():
    out = client.containers.run(image, ["id"], remove=True,
                                volumes=[repo + ":/workspace:ro", artifacts + ":/artifacts"], **common)
    return out.decode().strip()


def around_a_job():
    c = client.containers.run(image, ["sleep", "60"], detach=True,
                              volumes={repo: {"bind": "/workspace", "mode": "ro"},
                                       artifacts: {"bind": "/artifacts", "mode": "rw"}}, **common)
    try:
        code, out = c.exec_run(["id"], user="1000:1000")
        if code != 0:
            raise RuntimeError("exec_run exited %d: %s" % (code, out))
        c.reload()
        c.top()
        c.logs()
        c.kill()
        c.wait()
        return out.decode().strip()
    finally:
        c.remove(force=True)


step("run", run_job)
step("run-volumes-list", run_list_form)
step("exec_run", around_a_job)
step("ping", lambda: client.ping())
sys.exit(1 if failed else 0)
