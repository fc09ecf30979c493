"""
Stand-ins for docker, kind, kubectl, helm and helmfile, for the hermetic end-to-end tests.

Each tool is a tiny wrapper (tests/standins/<tool>) that calls main("<tool>"). A call:
  1. appends one JSON line to $STANDIN_LOG when it ends: tool, argv, cwd, environment, the kube context it was
     pinned to, time/end/duration (epoch seconds; bench/overhead.sh subtracts them from the wall time) and exit;
  2. answers like the real tool would for the commands the build issues, from the scenario in $STANDIN_STATE.

Scenario state ($STANDIN_STATE, a directory; every file is optional):
  clusters            kind clusters that exist, one name a line
  docker_down         present: the Docker daemon is not running
  docker_engine       which captured `docker info` JSON answers (tests/standins/docker-info/<name>.json);
                      absent: linux-rootful
  control_plane_ip    what `docker inspect <cluster>-control-plane` answers (default 127.0.0.1: loopback, so a test never dials a private address)
  network_subnets     subnets of the docker network `kind` (space separated); absent: no such network.
                      `kind create cluster` writes the default one when it is absent, as real kind does.
  crd_version         Gateway API bundle version installed in the cluster (e.g. v1.5.1); absent: no CRDs
  crd_channel         its channel (experimental or standard)
  helmfile_seconds    how long each `helmfile apply` or `helmfile sync` takes before it answers (default 0)
  kubelet_log-<node>  what `kind export logs` writes as that node's kubelet.log
  helmfile_failures   a queue, one failure kind a line, consumed by each `helmfile apply` or `helmfile sync`:
                      transient | timeout | permanent | killed, each optionally :<release> (see helmfile_deploy)
  releases            each release's latest revision, as `helm list --output json` prints it (written by helmfile,
                      helm uninstall and helm rollback; a test may add rows of its own)
  history.json        every revision of each release helmfile or helm wrote (what `helm history` answers), with the
                      labels helm keeps on its record (`--labels`; `helm list --selector` matches them)
  helm_upgrades       one JSON line per release helmfile hands to `helm upgrade --install`: its labels' arguments
  kubectl_crd_output  printed by `kubectl get crd` instead of the CRD, exit 0, and served by kube-api with 200 (a
                      wrapper's banner, a proxy's page)
  configmap-<ns>-<name>  ConfigMaps the build applied from a file (`kubectl apply --filename`), as `get -o json` prints them
  nodes-<cluster>     JSON written by `kind create cluster`: the nodes its config asked for (what `kubectl get nodes` shows)
  violations          written by the stand-ins: every call they refused (unpinned, unknown context, unsupported)
  containers.json     docker containers the stand-in runs: name -> {id, image, state, labels, networks, env, volumes}
  volumes.json        docker volumes: name -> labels
  node_files.json     files written into kind nodes with docker exec: node -> {path: content}
  nodes.json          kind clusters' node containers: cluster name -> [node names] (written by kind create cluster)
  access_containers   JSON list written by `docker run` / `docker rm` of the build's access proxy: name, id, image,
                      state (running|exited), labels, ports ("127.0.0.1:80:20000"), env. A test may edit it.
  existing_contexts   contexts (one a line) that reach an existing, non-kind cluster that is up (PLATFORM_CONTEXT):
                      the cluster calls pinned to them are answered from this same state
  namespaces.json     namespaces the build created with `kubectl apply --filename` (name -> labels); `kubectl delete
                      namespace` removes them
  host_ports_taken    host ports another program holds, space separated: `docker run --publish` on one fails as the
                      engine does ("address already in use")

Where real tools fail, these fail the same way (message and exit code 1). Where the build asks for something these do
not know, or talks to a cluster without pinning a context, they exit with 97-99 and a line starting "STANDIN" so the
test failure says exactly what happened.
"""
import contextlib
import fcntl
import functools
import json
import os
import re
import sys
import time


class _OnFirstUse:
    """PyYAML, imported when a call first reads or writes YAML. Every stand-in call is a fresh python3, and many (docker,
    kind get clusters) never touch YAML: the import is a good part of a call's start, and the end-to-end tests make
    thousands of calls."""

    def __getattr__(self, name):
        import yaml as module
        globals()["yaml"] = module
        return getattr(module, name)


yaml = _OnFirstUse()

# The versions the stand-ins report: the project's own pins (tools.yaml at the repository root), so the
# stand-ins always answer like the tools EnsureTools would install. Docker is never pinned, only checked.
# Read on the first version asked, not at every call's start.
@functools.cache
def _pinned_versions():
    pins_file = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools.yaml")
    with open(pins_file) as f:
        pins = yaml.safe_load(f)
    versions = {tool: str(pin["version"]).lstrip("v") for tool, pin in pins.items()}
    versions.update({"docker": "28.2.2", "kustomize": "5.7.1", "go": "1.25.1"})
    return versions


# The variables every reader below sees: the process's own, except in the stand-in API server (kube-api), which answers
# many scenarios from one process, each request on its own thread, and puts that request's scenario here.
environ = os.environ

DEFAULT_SUBNETS = "172.18.0.0/16 fc00:f853:ccd:e793::/64"
UNSUPPORTED, UNPINNED, UNKNOWN_CONTEXT = 99, 98, 97


def version(tool):
    variable = "STANDIN_VERSION_" + tool.upper().replace("-", "_")
    return environ[variable] if variable in environ else _pinned_versions()[tool]


# ---------------------------------------------------------------- plumbing

def state_path(name):
    directory = environ.get("STANDIN_STATE")
    if not directory:
        fail(UNSUPPORTED, "STANDIN: $STANDIN_STATE is not set")
    return os.path.join(directory, name)


def read_state(name, default=None):
    try:
        with open(state_path(name)) as f:
            return f.read()
    except FileNotFoundError:
        return default


def write_state(name, text):
    with open(state_path(name), "w") as f:
        f.write(text)


def remove_state(name):
    try:
        os.remove(state_path(name))
    except FileNotFoundError:
        pass


def clusters():
    if real_docker_mode():
        return real_kind_clusters()
    return [line.strip() for line in (read_state("clusters", "") or "").splitlines() if line.strip()]


def out(text=""):
    sys.stdout.write(text + ("\n" if text and not text.endswith("\n") else ""))


def err(text):
    sys.stderr.write(text + ("\n" if not text.endswith("\n") else ""))


def fail(code, message):
    err(message)
    if code >= UNKNOWN_CONTEXT and environ.get("STANDIN_STATE"):
        # The build may swallow a failed probe (AllowFailure); the test still sees what the stand-in refused.
        with open(state_path("violations"), "a") as f:
            f.write(message.replace("\n", " | ") + "\n")
    sys.stdout.flush()
    sys.exit(code)


def flag_value(argv, *names):
    """The value of --name X or --name=X (last one wins), or None."""
    value = None
    for i, arg in enumerate(argv):
        for name in names:
            if arg == name and i + 1 < len(argv):
                value = argv[i + 1]
            elif arg.startswith(name + "="):
                value = arg[len(name) + 1:]
    return value


def positional(argv, flags_with_values):
    """argv without flags (and the values of the flags that take one)."""
    words, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg.startswith("-"):
            skip = arg in flags_with_values
        else:
            words.append(arg)
    return words


def record(tool, argv, context, start, end, exit_code):
    """One line per call, written when the call ends: start/end (epoch seconds) and duration let bench/overhead.sh
    subtract the tools' own time from a build's wall time."""
    log = environ.get("STANDIN_LOG")
    if not log:
        return
    entry = {"tool": tool, "argv": argv, "cwd": os.getcwd(), "context": context,
             "env": dict(environ), "time": start, "end": end, "duration": end - start, "exit": exit_code}
    with open(log, "a") as f:
        f.write(json.dumps(entry) + "\n")


# ---------------------------------------------------------------- kubeconfig, as kind and kubectl keep it

def kubeconfig_paths():
    """The files kubectl and kind consider: KUBECONFIG's list (empty entries and repeats dropped), else ~/.kube/config."""
    paths = []
    for p in environ.get("KUBECONFIG", "").split(os.pathsep):
        if p and p not in paths:
            paths.append(p)
    return paths or [os.path.join(os.path.expanduser("~"), ".kube", "config")]


def kubeconfig_path():
    """The file kind (and kubectl config) writes into, kind's pathForMerge: the only file listed, else the first one
    that exists, else the last one."""
    paths = kubeconfig_paths()
    if len(paths) == 1:
        return paths[0]
    return next((p for p in paths if os.path.isfile(p)), paths[-1])


def load_kubeconfig(path=None):
    try:
        with open(path or kubeconfig_path()) as f:
            config = yaml.safe_load(f) or {}
    except FileNotFoundError:
        config = {}
    config.setdefault("apiVersion", "v1")
    config.setdefault("kind", "Config")
    for key in ("clusters", "contexts", "users"):
        config[key] = config.get(key) or []
    config.setdefault("current-context", "")
    return config


def merged_kubeconfig():
    """What kubectl reads: every listed file that exists, merged in order; the first file to define a name wins."""
    merged = load_kubeconfig(os.devnull)
    for path in kubeconfig_paths():
        if not os.path.exists(path):
            continue
        config = load_kubeconfig(path)
        merged["current-context"] = merged["current-context"] or config.get("current-context") or ""
        for key in ("clusters", "contexts", "users"):
            names = {e.get("name") for e in merged[key]}
            merged[key] += [e for e in config[key] if e.get("name") not in names]
    return merged


def save_kubeconfig(config, path=None):
    path = path or kubeconfig_path()
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w") as f:
        yaml.safe_dump(config, f, default_flow_style=False, sort_keys=False)


def without(entries, name):
    return [e for e in entries if e.get("name") != name]


def write_kind_context(name):
    """What kind does after creating a cluster: add cluster, user and context kind-<name>, and make it current."""
    context = "kind-" + name
    server = environ.get("STANDIN_API_SERVER") or "https://127.0.0.1:6443"
    config = load_kubeconfig()
    config["clusters"] = without(config["clusters"], context) + [
        {"name": context, "cluster": {"server": server, "insecure-skip-tls-verify": True}}]
    # A token, not kind's client certificate: KubernetesClient (Verify, PrintHosts) loads this kubeconfig for real,
    # and a stand-in cannot mint a certificate the fake API would accept. No CA data either, for the same reason.
    config["users"] = without(config["users"], context) + [
        {"name": context, "user": {"token": "standin-token-" + name}}]
    config["contexts"] = without(config["contexts"], context) + [
        {"name": context, "context": {"cluster": context, "user": context}}]
    # Real kind switches the current context to the new cluster; so does this stand-in.
    config["current-context"] = context
    save_kubeconfig(config)


def remove_kind_context(name):
    """kind delete removes kind-<name> from every kubeconfig file it considers."""
    context = "kind-" + name
    for path in (p for p in kubeconfig_paths() if os.path.isfile(p)):
        config = load_kubeconfig(path)
        for key in ("clusters", "contexts", "users"):
            config[key] = without(config[key], context)
        if config.get("current-context") == context:
            config["current-context"] = ""
        save_kubeconfig(config, path)


def require_cluster_context(tool, context, flag):
    """Every cluster call must name its context, and that context must exist and reach a running kind cluster."""
    if context is None:
        fail(UNPINNED, f"STANDIN {tool}: cluster call without {flag}: it would use the current context "
                       f"'{merged_kubeconfig().get('current-context')}'. The build must pin every call.")
    config = merged_kubeconfig()
    entry = next((c for c in config["contexts"] if c.get("name") == context), None)
    if entry is None:
        fail(UNKNOWN_CONTEXT, f'error: context "{context}" does not exist\n'
                              f"STANDIN {tool}: asked for context {context}, which is not in {os.pathsep.join(kubeconfig_paths())}")
    cluster = (entry.get("context") or {}).get("cluster", "")
    if context in (read_state("existing_contexts") or "").split():
        return
    if not cluster.startswith("kind-") or cluster[len("kind-"):] not in clusters():
        server = next((c.get("cluster", {}).get("server") for c in config["clusters"] if c.get("name") == cluster), "?")
        fail(1, f"Unable to connect to the server: dial tcp {server}: connect: connection refused")
    booting = int((read_state("api_booting_calls") or "0").strip() or "0")
    if cluster[len("kind-"):] + "-control-plane" in stopped_nodes() or booting > 0:
        if booting > 0:
            write_state("api_booting_calls", str(booting - 1))
        server = next((c.get("cluster", {}).get("server") for c in config["clusters"] if c.get("name") == cluster), "https://127.0.0.1:6443")
        # kubectl names the server's host:port only (cmdutil.StandardErrorMessage), also where the server has a path.
        from urllib.parse import urlsplit
        fail(1, f"The connection to the server {urlsplit(server).netloc or server} was refused - did you specify the right host or port?")


# ---------------------------------------------------------------- docker

def docker(argv):
    if real_docker_mode():
        return docker_passthrough(argv)
    if argv[:1] in (["--version"], ["-v"]):
        return out(f"Docker version {version('docker')}, build e6534b4")
    down = read_state("docker_down") is not None
    if argv[:1] in (["info"], ["version"]):
        if down:
            if argv[0] == "version":
                out(f"Client: Docker Engine - Community\n Version: {version('docker')}")
            fail(1, "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?")
        if argv[0] == "info" and flag_value(argv, "--format", "-f") == "{{json .}}":
            return docker_info_json()
        return out(version("docker"))
    if kind_node_call(argv, down):
        return
    # The access proxy and the image cache's mirrors are separate scenario stores; a call is the proxy's when it names
    # the proxy's label or container (real docker keeps one list, but no call of the build mixes the two).
    if argv[:1] in (["run"], ["rm"], ["ps"]) and any("access-proxy" in a for a in argv):
        return access_container_command(argv, down)
    if argv[:1] == ["inspect"]:
        return docker_inspect(argv, down)
    if argv[:2] == ["network", "inspect"] and len(argv) >= 3:
        if down:
            fail(1, "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?")
        subnets = read_state("network_subnets")
        if argv[2] != "kind" or subnets is None:
            fail(1, f"Error response from daemon: network {argv[2]} not found")
        if flag_value(argv, "--format", "-f") is None:
            return out(json.dumps([{"Name": "kind", "IPAM": {"Config": [{"Subnet": s} for s in subnets.split()]}}]))
        return out(" ".join(subnets.split()) + " ")
    if down:
        fail(1, "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?")
    return docker_objects(argv)


def read_json(name, default):
    text = read_state(name)
    return json.loads(text) if text else default


def write_json(name, value):
    write_state(name, json.dumps(value, indent=1, sort_keys=True))


def docker_flags(argv, names):
    """All values of repeated flags (--label a --label b), in order."""
    values = []
    for i, arg in enumerate(argv):
        for name in names:
            if arg == name and i + 1 < len(argv):
                values.append(argv[i + 1])
            elif arg.startswith(name + "="):
                values.append(arg[len(name) + 1:])
    return values


def label_filter(argv):
    """--filter label=KEY or label=KEY=VALUE, as docker applies it; None when there is no filter."""
    for f in docker_flags(argv, ["--filter", "-f"]):
        if f.startswith("label="):
            key, _, value = f[len("label="):].partition("=")
            return key, (value or None)
    return None


def matches(labels, wanted):
    return wanted is None or (wanted[0] in labels and (wanted[1] is None or labels[wanted[0]] == wanted[1]))


def no_such_container(name):
    fail(1, f"Error response from daemon: No such container: {name}")


def docker_objects(argv):
    containers = read_json("containers.json", {})
    volumes = read_json("volumes.json", {})
    value_flags = {"--name", "--restart", "--network", "--volume", "-v", "--label", "-l", "--env", "-e", "--filter", "-f", "--format"}
    words = positional(argv, value_flags)

    if words[:1] == ["ps"]:
        wanted = label_filter(argv)
        show_all = "--all" in argv or "-a" in argv
        rows = []
        for name, c in sorted(containers.items()):
            if not matches(c["labels"], wanted) or not (show_all or c["state"] == "running"):
                continue
            rows.append({"Command": '"registry serve /etc/distribution/config.yml"', "CreatedAt": "2026-11-25 21:00:00 +0000 UTC",
                         "ID": c["id"], "Image": c["image"], "Labels": ",".join(f"{k}={v}" for k, v in sorted(c["labels"].items())),
                         "LocalVolumes": str(len(c["volumes"])), "Mounts": ",".join(v.split(":")[0] for v in c["volumes"]),
                         "Names": name, "Networks": ",".join(c["networks"]), "Ports": "5000/tcp", "RunningFor": "5 minutes ago",
                         "Size": "0B", "State": c["state"],
                         "Status": "Up 5 minutes" if c["state"] == "running" else "Exited (2) 1 minute ago"})
        if flag_value(argv, "--format") == "{{json .}}":
            return out("\n".join(json.dumps(r) for r in rows))
        fail(UNSUPPORTED, f"STANDIN docker: ps only with --format '{{{{json .}}}}', got {argv}")

    if words[:2] == ["container", "inspect"] or words[:1] == ["inspect"]:
        names = words[2:] if words[0] == "container" else words[1:]
        found = [n for n in names if n in containers]
        missing = [n for n in names if n not in containers]
        template = flag_value(argv, "--format", "-f")
        if template == "{{.Name}}":
            out("\n".join("/" + n for n in found))
        elif template is None:
            out(json.dumps([{"Id": containers[n]["id"], "Name": "/" + n, "State": {"Status": containers[n]["state"],
                                                                                  "Running": containers[n]["state"] == "running"},
                             "Config": {"Image": containers[n]["image"], "Labels": containers[n]["labels"],
                                        "Env": [f"{k}={v}" for k, v in containers[n]["env"].items()]}} for n in found], indent=4))
        else:
            fail(UNSUPPORTED, f"STANDIN docker: inspect format {template!r} is not answered")
        if missing:
            fail(1, "\n".join(f"Error: No such container: {n}" for n in missing))
        return

    if words[:1] == ["run"]:
        name = flag_value(argv, "--name")
        if "--detach" not in argv and "-d" not in argv:
            fail(UNSUPPORTED, f"STANDIN docker: run without --detach would block: {argv}")
        if name in containers:
            fail(125, f'docker: Error response from daemon: Conflict. The container name "/{name}" is already in use by container '
                      f'"{containers[name]["id"]}". You have to remove (or rename) that container to be able to reuse that name.\n\n'
                      "Run 'docker run --help' for more information")
        network = flag_value(argv, "--network") or "bridge"
        if network not in ("bridge", "host", "none") and not (network == "kind" and read_state("network_subnets") is not None):
            fail(125, f"docker: Error response from daemon: network {network} not found.\n\nRun 'docker run --help' for more information")
        mounts = docker_flags(argv, ["--volume", "-v"])
        for mount in mounts:
            source = mount.split(":")[0]
            if not source.startswith("/") and source not in volumes:
                volumes[source] = {}  # docker creates a named volume on first use, without labels
        labels = dict(l.split("=", 1) for l in docker_flags(argv, ["--label", "-l"]))
        env = dict(e.split("=", 1) for e in docker_flags(argv, ["--env", "-e"]))
        image = words[1] if len(words) > 1 else fail(UNSUPPORTED, "STANDIN docker: run without an image")
        cid = os.urandom(32).hex()
        containers[name] = {"id": cid, "image": image, "state": "running", "labels": labels, "networks": [network],
                            "env": env, "volumes": mounts, "restart": flag_value(argv, "--restart") or "no"}
        write_json("containers.json", containers)
        write_json("volumes.json", volumes)
        return out(cid)

    if words[:1] == ["start"]:
        for name in words[1:]:
            if name not in containers:
                no_such_container(name)
            containers[name]["state"] = "running"
            out(name)
        return write_json("containers.json", containers)

    if words[:1] == ["rm"]:
        force = "--force" in argv or "-f" in argv
        for name in words[1:]:
            if name not in containers:
                if force:
                    continue  # docker rm --force ignores a missing container
                no_such_container(name)
            if containers[name]["state"] == "running" and not force:
                fail(1, f"Error response from daemon: cannot remove container \"/{name}\": container is running: stop the container before removing or force remove")
            del containers[name]
            out(name)
        return write_json("containers.json", containers)

    if words[:2] == ["volume", "create"]:
        name = words[2]
        labels = dict(l.split("=", 1) for l in docker_flags(argv, ["--label"]))
        if name not in volumes:
            volumes[name] = labels
        write_json("volumes.json", volumes)
        return out(name)

    if words[:2] == ["volume", "ls"]:
        wanted = label_filter(argv)
        names = [n for n, labels in sorted(volumes.items()) if matches(labels, wanted)]
        if flag_value(argv, "--format") == "{{.Name}}":
            return out("\n".join(names))
        return out("DRIVER    VOLUME NAME\n" + "\n".join(f"local     {n}" for n in names))

    if words[:2] == ["volume", "rm"]:
        for name in words[2:]:
            if name not in volumes:
                fail(1, f"Error response from daemon: get {name}: no such volume")
            users = [c["id"] for c in containers.values() if any(v.split(":")[0] == name for v in c["volumes"])]
            if users:
                fail(1, f"Error response from daemon: remove {name}: volume is in use - [{', '.join(users)}]")
            del volumes[name]
            out(name)
        return write_json("volumes.json", volumes)

    if words[:2] == ["network", "connect"] and len(words) >= 4:
        network, name = words[2], words[3]
        if network != "kind" or read_state("network_subnets") is None:
            fail(1, f"Error response from daemon: network {network} not found")
        if name not in containers:
            no_such_container(name)
        if network in containers[name]["networks"]:
            fail(1, f"Error response from daemon: endpoint with name {name} already exists in network {network}")
        containers[name]["networks"].append(network)
        return write_json("containers.json", containers)

    if words[:1] == ["exec"] and len(words) >= 3:
        node, command = words[1], argv[argv.index(words[1]) + 1:]
        nodes = [n for names in read_json("nodes.json", {}).values() for n in names]
        if node not in nodes:
            no_such_container(node)
        files = read_json("node_files.json", {})
        if command[:1] == ["cat"] and len(command) == 2:
            if command[1] not in files.get(node, {}):
                fail(1, f"cat: {command[1]}: No such file or directory")
            return sys.stdout.write(files[node][command[1]])
        if command[:1] == ["sha256sum"] and len(command) >= 2:
            # coreutils: one "<hash>  <path>" line per file it could read; each missing one on stderr, then exit 1.
            missing = [p for p in command[1:] if p not in files.get(node, {})]
            import hashlib
            out("\n".join(f"{hashlib.sha256(files[node][p].encode()).hexdigest()}  {p}" for p in command[1:] if p not in missing))
            if missing:
                fail(1, "\n".join(f"sha256sum: {p}: No such file or directory" for p in missing))
            return
        if command[:2] == ["sh", "-c"] and "printf" in command[2] and len(command) >= 6 and len(command) % 2 == 0:
            # Docker.WriteFilesCommand: sh -c '<script>' sh <path> <content> [<path> <content>]...
            pairs = command[4:]
            for path, content in zip(pairs[0::2], pairs[1::2]):
                files.setdefault(node, {})[path] = content
            return write_json("node_files.json", files)
        fail(UNSUPPORTED, f"STANDIN docker: exec {command} is not answered")

    if words[:2] == ["system", "df"] and ("--verbose" in argv or "-v" in argv):
        sizes = read_json("volume_sizes.json", {})
        lines = ["Images space usage:", "", "REPOSITORY   TAG       IMAGE ID       CREATED       SIZE      SHARED SIZE   UNIQUE SIZE   CONTAINERS", "",
                 "Containers space usage:", "", "CONTAINER ID   IMAGE     COMMAND   LOCAL VOLUMES   SIZE      CREATED   STATUS    NAMES", "",
                 "Local Volumes space usage:", "", "VOLUME NAME                          LINKS     SIZE"]
        for name in sorted(volumes):
            links = sum(1 for c in containers.values() if any(v.split(":")[0] == name for v in c["volumes"]))
            lines.append(f"{name:<36} {links:<9} {sizes.get(name, '0B')}")
        lines += ["", "Build cache usage: 0B", "", "CACHE ID   CACHE TYPE   SIZE      CREATED   LAST USED   USAGE     SHARED"]
        return out("\n".join(lines))

    fail(UNSUPPORTED, f"STANDIN docker: unsupported arguments {argv}")


# ---------------------------------------------------------------- docker and kind's node containers
# kind labels its node containers io.x-k8s.kind.cluster=<cluster>. The state file stopped_nodes lists the ones that are
# exited, as a reboot or a Docker restart leaves them: `docker stop` / `docker start` of a node move it in and out, and
# while a cluster's control plane is stopped its API refuses connections, as kubectl reports it; so do the first two
# cluster calls after `docker start` of a control plane (state file api_booting_calls), as a booting one does.

def stopped_nodes():
    if real_docker_mode():
        return real_stopped_nodes()
    return (read_state("stopped_nodes") or "").split()


def cluster_node_names():
    return {node: cluster for cluster, names in read_json("nodes.json", {}).items() for node in names}


def kind_node_call(argv, down):
    """Answers `docker ps` filtered on kind's cluster label, and `docker start|stop` of node containers; False otherwise."""
    nodes = cluster_node_names()
    wanted = label_filter(argv) if argv[:1] == ["ps"] else None
    names = positional(argv, {"--time", "-t", "--signal", "-s"})[1:] if argv[:1] in (["start"], ["stop"]) else []
    if not ((wanted and wanted[0] == "io.x-k8s.kind.cluster") or (names and all(n in nodes for n in names))):
        return False
    if down:
        fail(1, DAEMON_DOWN)
    stopped = stopped_nodes()
    if argv[0] == "ps":
        template = flag_value(argv, "--format")
        if template != "{{.Names}}|{{.State}}":
            fail(UNSUPPORTED, f"STANDIN docker: kind node ps with format {template!r} is not answered")
        rows = [f"{n}|{'exited' if n in stopped else 'running'}" for n, c in sorted(nodes.items())
                if (wanted[1] is None or c == wanted[1]) and ("--all" in argv or "-a" in argv or n not in stopped)]
        out("\n".join(rows))
        return True
    if argv[0] == "start" and any(n in stopped and n.endswith("-control-plane") for n in names):
        # A control plane just started boots systemd, then the API server: its first calls are refused, as a real one's are.
        write_state("api_booting_calls", "2")
    stopped = [n for n in stopped if n not in names] if argv[0] == "start" else sorted(set(stopped) | set(names))
    write_state("stopped_nodes", " ".join(stopped))
    out("\n".join(names))
    return True


def docker_info_json():
    """The whole `docker info` object of the engine the scenario names (state file docker_engine, default
    linux-rootful): a real output captured from that engine, in tests/standins/docker-info/<engine>.json."""
    engine = (read_state("docker_engine") or "linux-rootful").strip()
    fixture = os.path.join(os.path.dirname(os.path.abspath(__file__)), "docker-info", engine + ".json")
    if not os.path.exists(fixture):
        fail(UNSUPPORTED, f"STANDIN docker: no captured docker info for engine '{engine}' ({fixture})")
    with open(fixture) as f:
        return out(f.read())


def docker_inspect(argv, down):
    """`docker inspect <cluster>-control-plane`: the node container of an existing kind cluster answers with its
    address on the kind network (state file control_plane_ip, default 127.0.0.1); anything else does not exist."""
    if down:
        fail(1, "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?")
    names = positional(argv, {"--format", "-f", "--type"})[1:]
    for name in names:
        if not any(name == c + "-control-plane" for c in clusters()):
            fail(1, f"Error: No such object: {name}")
    running = (read_state("control_plane_ip") or "127.0.0.1").strip()
    addresses = ["" if n in stopped_nodes() else running for n in names]  # a stopped container keeps its networks, not its address
    if flag_value(argv, "--format", "-f") is None:
        return out(json.dumps([{"Name": "/" + n, "NetworkSettings": {"Networks": {"kind": {"IPAddress": a}}}} for n, a in zip(names, addresses)]))
    return out("\n".join(a + " " for a in addresses))


# ---------------------------------------------------------------- docker containers (the access proxy)
# `docker run`, `docker rm` and `docker ps` of the containers the build runs itself, answered as Docker 28/29 does:
# run prints the new container's 64-hex id; failures print "docker: Error response from daemon: ..." and exit 125;
# rm prints the name; ps filters by label and renders --format Go templates ({{.Names}}, {{.State}}, {{.Label "k"}}).

DAEMON_DOWN = "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"


def access_containers():
    return json.loads(read_state("access_containers", "[]") or "[]")


def access_container_command(argv, down):
    if down:
        fail(1, DAEMON_DOWN)
    {"run": access_container_run, "rm": access_container_rm, "ps": access_container_ps}[argv[0]](argv[1:])


def access_container_run(args):
    import hashlib
    values = {"--name": None, "--network": None, "--restart": None}
    labels, ports, env, detach, i = {}, [], [], False, 0
    while i < len(args) and args[i].startswith("-"):
        flag = args[i]
        if flag in ("-d", "--detach"):
            detach, i = True, i + 1
            continue
        if i + 1 >= len(args):
            fail(125, f"flag needs an argument: {flag}")
        value = args[i + 1]
        if flag in values:
            values[flag] = value
        elif flag in ("--label", "-l"):
            key, _, v = value.partition("=")
            labels[key] = v
        elif flag in ("--publish", "-p"):
            ports.append(value)
        elif flag in ("--env", "-e"):
            env.append(value)
        else:
            fail(UNSUPPORTED, f"STANDIN docker: unsupported run flag {flag}")
        i += 2
    if i >= len(args):
        fail(125, "\"docker run\" requires at least 1 argument.")
    image, command = args[i], args[i + 1:]
    if not detach:
        fail(UNSUPPORTED, "STANDIN docker: run without --detach would block")
    name = values["--name"]
    existing = access_containers()
    for c in existing:
        if c["name"] == name:
            fail(125, f'docker: Error response from daemon: Conflict. The container name "/{name}" is already in use by container '
                      f'"{c["id"]}". You have to remove (or rename) that container to be able to reuse that name.')
    network = values["--network"]
    if network and (network != "kind" or read_state("network_subnets") is None):
        fail(125, f"docker: Error response from daemon: network {network} not found")
    taken = set((read_state("host_ports_taken") or "").split())
    for p in ports:
        parts = p.split(":")
        host_ip, host_port = (parts[0], parts[1]) if len(parts) == 3 else ("0.0.0.0", parts[0])
        if host_port in taken:
            fail(125, f"docker: Error response from daemon: failed to set up container networking: driver failed programming external "
                      f"connectivity on endpoint {name}: failed to bind host port for {host_ip}:{host_port}:172.18.0.9:{parts[-1]}/tcp: "
                      f"address already in use")
        for c in existing:
            if c["state"] == "running" and any(q.split(":")[-2] == host_port for q in c["ports"]):
                fail(125, f"docker: Error response from daemon: driver failed programming external connectivity on endpoint {name}: "
                          f"Bind for {host_ip}:{host_port} failed: port is already allocated")
    cid = hashlib.sha256(f"{name}{time.time()}".encode()).hexdigest()
    existing.append({"name": name, "id": cid, "image": image, "command": command, "state": "running", "labels": labels,
                     "ports": ports, "env": env, "network": network, "restart": values["--restart"]})
    write_state("access_containers", json.dumps(existing, indent=1))
    out(cid)


def access_container_rm(args):
    force = any(a in ("-f", "--force") for a in args)
    names = [a for a in args if not a.startswith("-")]
    containers, code = access_containers(), 0
    for name in names:
        match = [c for c in containers if name in (c["name"], c["id"], c["id"][:12])]
        if not match:
            err(f"Error response from daemon: No such container: {name}")
            code = 1
            continue
        if match[0]["state"] == "running" and not force:
            err(f"Error response from daemon: cannot remove container \"/{match[0]['name']}\": container is running: "
                "stop the container before removing or force remove")
            code = 1
            continue
        containers.remove(match[0])
        out(name)
    write_state("access_containers", json.dumps(containers, indent=1))
    if code:
        sys.exit(code)


def access_container_ps(args):
    show_all = any(a in ("-a", "--all") for a in args)
    filters, fmt, i = [], None, 0
    while i < len(args):
        if args[i] == "--filter" or args[i] == "-f":
            filters.append(args[i + 1]); i += 2
        elif args[i] == "--format":
            fmt = args[i + 1]; i += 2
        elif args[i] in ("-a", "--all", "-q", "--quiet", "--no-trunc"):
            i += 1
        else:
            fail(UNSUPPORTED, f"STANDIN docker: unsupported ps argument {args[i]}")

    def matches(c):
        for f in filters:
            key, _, value = f.partition("=")
            if key == "label":
                k, eq, v = value.partition("=")
                if k not in c["labels"] or (eq and c["labels"][k] != v):
                    return False
            elif key == "name":
                if not re.search(value, c["name"]):
                    return False
            elif key == "status":
                if c["state"] != value:
                    return False
            else:
                fail(UNSUPPORTED, f"STANDIN docker: unsupported ps filter {f}")
        return True

    rows = [c for c in access_containers() if (show_all or c["state"] == "running") and matches(c)]
    if fmt is None:
        out("CONTAINER ID   IMAGE   COMMAND   CREATED   STATUS   PORTS   NAMES")
        for c in rows:
            out(f"{c['id'][:12]}   {c['image']}   \"{' '.join(c['command'])[:20]}\"   1 minute ago   {c['state']}   "
                f"{', '.join(p.split(':')[0] + ':' + p.split(':')[1] + '->' + p.split(':')[2] + '/tcp' for p in c['ports'])}   {c['name']}")
        return

    def render(c):
        text = fmt.replace("\\t", "\t")
        text = re.sub(r'\{\{\s*\.Label\s+"([^"]*)"\s*\}\}', lambda m: c["labels"].get(m.group(1), ""), text)
        fields = {"Names": c["name"], "State": c["state"], "ID": c["id"][:12], "Image": c["image"],
                  "Labels": ",".join(f"{k}={v}" for k, v in c["labels"].items())}
        text = re.sub(r"\{\{\s*\.(\w+)\s*\}\}", lambda m: fields.get(m.group(1), f"<STANDIN: no field {m.group(1)}>"), text)
        return text

    for c in rows:
        out(render(c))


# ---------------------------------------------------------------- kind

def kind(argv):
    if argv[:1] == ["version"]:
        return out(f"kind v{version('kind')} go{version('go')} linux/amd64")
    if argv[:1] == ["--version"]:
        return out(f"kind version {version('kind')}")
    if real_docker_mode():
        return kind_on_real_docker(argv)
    if read_state("docker_down") is not None and argv[:1] in (["create"], ["delete"], ["get"], ["export"]):
        fail(1, "ERROR: failed to list clusters: command \"docker ps -a --filter label=io.x-k8s.kind.cluster --format "
                "'{{.Label \"io.x-k8s.kind.cluster\"}}'\" failed with error: exit status 1\n"
                "Command Output: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?")
    words = positional(argv, {"--config", "--name", "--wait", "--image", "--kubeconfig", "-n"})
    # kind's internal/cli/override.go (OverrideDefaultName, called by every command that takes --name): when --name is
    # not given, a non-empty KIND_CLUSTER_NAME stands in for it, and for `create cluster` it then wins over the config's
    # `name:` (cmd/kind/create/cluster/createcluster.go passes the flag to CreateWithConfigFile's override).
    name = flag_value(argv, "--name", "-n") or environ.get("KIND_CLUSTER_NAME") or None

    if words[:2] == ["get", "clusters"]:
        existing = clusters()
        # kind's cmd/kind/get/clusters/clusters.go: with no cluster it logs "No kind clusters found." through its logger,
        # which writes to stderr, and exits 0; the names themselves go to stdout, one a line.
        if not existing:
            return err("No kind clusters found.")
        return out("\n".join(existing))

    if words[:2] == ["create", "cluster"]:
        config_file = flag_value(argv, "--config")
        if name is None and config_file:
            with open(config_file) as f:
                name = (yaml.safe_load(f) or {}).get("name")
        name = name or "kind"
        if name in clusters():
            fail(1, f'ERROR: failed to create cluster: node(s) already exist for a cluster with the name "{name}"')
        err(f'Creating cluster "{name}" ...\n ✓ Ensuring node image\n ✓ Preparing nodes\n ✓ Writing configuration\n'
            f' ✓ Starting control-plane\n ✓ Installing CNI\n ✓ Installing StorageClass\n ✓ Joining worker nodes\n'
            f'Set kubectl context to "kind-{name}"')
        write_state("clusters", "\n".join(clusters() + [name]) + "\n")
        roles = [n.get("role", "control-plane") for n in ((yaml.safe_load(open(config_file)) or {}).get("nodes") or [{}])] if config_file else ["control-plane"]
        node_names, counts = [], {}
        for role in roles:
            counts[role] = counts.get(role, 0) + 1
            node_names.append(f"{name}-{role}" + ("" if counts[role] == 1 else str(counts[role])))
        nodes = read_json("nodes.json", {})
        nodes[name] = node_names
        write_json("nodes.json", nodes)
        if read_state("network_subnets") is None:
            write_state("network_subnets", DEFAULT_SUBNETS)
        write_kind_context(name)
        write_cluster_nodes(name, config_file)
        return out(f"You can now use your cluster with:\n\nkubectl cluster-info --context kind-{name}")

    if words[:2] == ["delete", "cluster"]:
        name = name or "kind"
        err(f'Deleting cluster "{name}" ...')
        # Like kind: deleting a cluster that does not exist is not an error. The docker network stays.
        write_state("clusters", "".join(c + "\n" for c in clusters() if c != name))
        nodes = read_json("nodes.json", {})
        files = read_json("node_files.json", {})
        removed = nodes.pop(name, [])
        for node in removed:
            files.pop(node, None)  # the node containers, and what was written into them, go with the cluster
        write_state("stopped_nodes", " ".join(n for n in stopped_nodes() if n not in removed))
        write_json("nodes.json", nodes)
        write_json("node_files.json", files)
        remove_state("nodes-" + name)
        remove_kind_context(name)
        return

    if words[:2] == ["get", "nodes"]:
        name = name or "kind"
        found = read_json("nodes.json", {}).get(name) if name in clusters() else None
        if not found:
            return err(f'No kind nodes found for cluster "{name}".')
        return out("\n".join(found))

    if words[:2] == ["export", "logs"]:
        return kind_export_logs(words, name)

    if words[:2] == ["export", "kubeconfig"]:
        name = name or "kind"
        return kind_export_kubeconfig(name, name in clusters(), name + "-control-plane" in stopped_nodes(), os.urandom(32).hex())

    fail(UNSUPPORTED, f"STANDIN kind: unsupported arguments {argv}")


def kind_export_logs(words, name):
    # kind's pkg/cmd/kind/export/logs/logs.go: the folder (default: a new temporary one) gets docker-info.txt,
    # kind-version.txt and one folder per node (pkg/cluster/internal/providers/docker/provider.go CollectLogs:
    # journal.log, kubelet.log, containerd.log, inspect.json, ...); it says where on stdout. No cluster, no nodes: an error.
    name = name or "kind"
    nodes = read_json("nodes.json", {}).get(name) if name in clusters() else None
    if not nodes:
        fail(1, f'ERROR: unknown cluster "{name}"')
    folder = words[2] if len(words) > 2 else os.path.join("/tmp", f"kind-logs-{os.getpid()}")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "kind-version.txt"), "w") as f:
        f.write(f"kind v{version('kind')} go{version('go')} linux/amd64\n")
    with open(os.path.join(folder, "docker-info.txt"), "w") as f:
        f.write("Server Version: 27.0.0\n")
    for node in nodes:
        os.makedirs(os.path.join(folder, node), exist_ok=True)
        with open(os.path.join(folder, node, "kubelet.log"), "w") as f:
            f.write(read_state(f"kubelet_log-{node}", f"-- Logs begin --\n{node} kubelet[1]: Started kubelet.\n"))
        with open(os.path.join(folder, node, "journal.log"), "w") as f:
            f.write(f"{node} systemd[1]: Started containerd.\n")
    return out(f'Exporting logs for cluster "{name}" to:\n{folder}')


def kind_export_kubeconfig(name, exists, stopped, container):
    """`kind export kubeconfig`: kind reads admin.conf out of the control plane with docker exec, so a missing cluster and a
    stopped control plane fail as kind reports them; otherwise the context is written and made current."""
    if not exists:
        fail(1, f'ERROR: could not locate any control plane nodes for cluster named \'{name}\'. '
                "Use the --name option to select a different cluster")
    if stopped:
        fail(1, f'ERROR: failed to get cluster internal kubeconfig: command "docker exec --privileged {name}-control-plane '
                f'cat /etc/kubernetes/admin.conf" failed with error: exit status 1\n'
                f'Command Output: Error response from daemon: container {container} is not running')
    write_kind_context(name)
    return err(f'Set kubectl context to "kind-{name}"')


def write_cluster_nodes(name, config_file):
    """What kind creates from its config, kept as state `nodes-<name>` (JSON) for `kubectl get nodes`: each node's
    role (kind's default: control-plane), image (kind's default: the pinned kubectl's version, as this stand-in has
    no image list), labels, and the cluster's ipFamily."""
    config = {}
    if config_file:
        with open(config_file) as f:
            config = yaml.safe_load(f) or {}
    nodes = [{"role": n.get("role") or "control-plane",
              "image": n.get("image") or f"kindest/node:v{version('kubectl')}",
              "labels": {str(k): str(v) for k, v in (n.get("labels") or {}).items()}}
             for n in (config.get("nodes") or [{}])]
    family = (config.get("networking") or {}).get("ipFamily") or "ipv4"
    write_state("nodes-" + name, json.dumps({"ipFamily": family, "nodes": nodes}))


def kind_node_list(name):
    """`kubectl get nodes -o json` for a kind cluster: kind's node names (<cluster>-<role>, then 2, 3, ...), the
    labels kubelet and kubeadm set plus the config's, the kubelet version from the node image's tag."""
    recorded = json.loads(read_state("nodes-" + name) or '{"nodes": [{"role": "control-plane"}]}')
    counts, items = {}, []
    for i, node in enumerate(recorded["nodes"]):
        role = node.get("role", "control-plane")
        counts[role] = counts.get(role, 0) + 1
        node_name = f"{name}-{role}" + (str(counts[role]) if counts[role] > 1 else "")
        labels = {"beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
                  "kubernetes.io/hostname": node_name, "kubernetes.io/os": "linux"}
        if role == "control-plane":
            labels.update({"node-role.kubernetes.io/control-plane": "", "node.kubernetes.io/exclude-from-external-load-balancers": ""})
        labels.update(node.get("labels") or {})
        tag = re.search(r":(v\d+\.\d+\.\d+)(@|$)", node.get("image") or "")
        cidrs = {"ipv4": [f"10.244.{i}.0/24"], "ipv6": [f"fd00:10:244:{i}::/64"],
                 "dual": [f"10.244.{i}.0/24", f"fd00:10:244:{i}::/64"]}[recorded.get("ipFamily", "ipv4")]
        items.append({
            "apiVersion": "v1", "kind": "Node",
            "metadata": {"name": node_name, "labels": labels},
            "spec": {"podCIDR": cidrs[0], "podCIDRs": cidrs, "providerID": f"kind://docker/{name}/{node_name}"},
            "status": {"conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady"}],
                       "nodeInfo": {"architecture": "amd64", "containerRuntimeVersion": "containerd://2.1.1",
                                    "kubeletVersion": tag.group(1) if tag else "v" + version("kubectl"),
                                    "operatingSystem": "linux", "osImage": "Debian GNU/Linux 12 (bookworm)"}},
        })
    return {"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}}


# ---------------------------------------------------------------- RealDockerd: docker and kind on a real daemon
# With STANDIN_REAL_DOCKER=<path of a docker CLI> (tests/Build.Tests/RealDockerd; DOCKER_HOST names the tests' private
# daemon), `docker` is that real CLI, each call still recorded in $STANDIN_LOG, and `kind` makes real node containers
# there instead of scenario state. kubectl, helm and helmfile stay stand-ins; the kind clusters they see are the
# node containers the daemon has. Copied from kind (kubernetes-sigs/kind, pkg/cluster/internal/providers/docker):
#   provider.go   ListClusters: docker ps -a --filter label=io.x-k8s.kind.cluster --format '{{.Label "io.x-k8s.kind.cluster"}}'
#                 ListNodes: docker ps -a --filter label=io.x-k8s.kind.cluster=<name> --format '{{.Names}}'
#                 DeleteNodes: docker rm -f -v <nodes>
#   constants.go  clusterLabelKey io.x-k8s.kind.cluster, nodeRoleLabelKey io.x-k8s.kind.role
#   provision.go  docker run --name <node> --hostname <node> --label io.x-k8s.kind.role=<role> --detach --tty
#                 --label io.x-k8s.kind.cluster=<name> --net kind --restart=on-failure:1 --init=false ... <image>
#                 (kind also passes --privileged, --tmpfs, --volume /var, /lib/modules and the security options a real
#                 systemd/containerd node needs; the busybox node image needs none of them, so they are left out)
#   network.go    createNetwork: docker network create -d=bridge -o com.docker.network.bridge.enable_ip_masquerade=true
#                 [-o com.docker.network.driver.mtu=<bridge's MTU>] [--ipv6 --subnet <ULA from the name>] kind.
#                 The MTU comes from the `bridge` network, which a daemon run with --bridge=none lacks (kind then
#                 passes none), and the network is made IPv4 only, kind's path where IPv6 is unavailable: kind's ULA
#                 subnet is the same on every machine, so a second `kind` network from the user's own Docker would
#                 clash with it on this host. The network is kept when a cluster is deleted, as kind keeps it.
#   common/namer.go  node names: <cluster>-<role>, then <cluster>-<role>2, 3, ...

KIND_CLUSTER_LABEL = "io.x-k8s.kind.cluster"
KIND_ROLE_LABEL = "io.x-k8s.kind.role"


def real_docker_mode():
    return bool(environ.get("STANDIN_REAL_DOCKER"))


def real_docker(*args):
    import subprocess
    return subprocess.run([environ["STANDIN_REAL_DOCKER"], *args], capture_output=True, text=True, env=environ)


def real_lines(*args):
    result = real_docker(*args)
    if result.returncode != 0:
        fail(1, f"ERROR: command \"docker {' '.join(args)}\" failed with error: exit status {result.returncode}\n"
                f"Command Output: {result.stderr.strip()}")
    return [line.strip() for line in result.stdout.splitlines() if line.strip()]


def docker_passthrough(argv):
    """The real CLI, its output and exit code unchanged (main records the call)."""
    import subprocess
    code = subprocess.call([environ["STANDIN_REAL_DOCKER"], *argv])
    if code:
        sys.exit(code)


def real_kind_clusters():
    return sorted(set(real_lines("ps", "-a", "--filter", "label=" + KIND_CLUSTER_LABEL,
                                 "--format", '{{.Label "' + KIND_CLUSTER_LABEL + '"}}')))


def real_kind_nodes(name):
    return real_lines("ps", "-a", "--filter", f"label={KIND_CLUSTER_LABEL}={name}", "--format", "{{.Names}}")


def real_stopped_nodes():
    return real_lines("ps", "-a", "--filter", "label=" + KIND_CLUSTER_LABEL, "--filter", "status=exited", "--format", "{{.Names}}")


def kind_on_real_docker(argv):
    words = positional(argv, {"--config", "--name", "--wait", "--image", "--kubeconfig", "-n"})
    config_file = flag_value(argv, "--config")
    config = {}
    if config_file and words[:2] == ["create", "cluster"]:
        with open(config_file) as f:
            config = yaml.safe_load(f) or {}
    name = flag_value(argv, "--name", "-n") or environ.get("KIND_CLUSTER_NAME") or config.get("name") or "kind"

    if words[:2] == ["get", "clusters"]:
        existing = real_kind_clusters()
        return out("\n".join(existing)) if existing else err("No kind clusters found.")

    if words[:2] == ["get", "nodes"]:
        found = real_kind_nodes(name)
        return out("\n".join(found)) if found else err(f'No kind nodes found for cluster "{name}".')

    if words[:2] == ["create", "cluster"]:
        if real_kind_nodes(name):
            fail(1, f'ERROR: failed to create cluster: node(s) already exist for a cluster with the name "{name}"')
        err(f'Creating cluster "{name}" ...\n ✓ Ensuring node image\n ✓ Preparing nodes')
        if real_docker("network", "inspect", "kind").returncode != 0:
            made = real_docker("network", "create", "-d=bridge", "-o", "com.docker.network.bridge.enable_ip_masquerade=true", "kind")
            if made.returncode != 0 and "already exists" not in made.stderr:
                fail(1, f"ERROR: failed to create cluster: failed to ensure docker network: command \"docker network create "
                        f"-d=bridge -o com.docker.network.bridge.enable_ip_masquerade=true kind\" failed with error: "
                        f"exit status {made.returncode}\nCommand Output: {made.stderr.strip()}")
        counts = {}
        for node in config.get("nodes") or [{"role": "control-plane"}]:
            role = node.get("role") or "control-plane"
            counts[role] = counts.get(role, 0) + 1
            node_name = f"{name}-{role}" + ("" if counts[role] == 1 else str(counts[role]))
            image = node.get("image") or f"kindest/node:v{version('kubectl')}"
            run = real_docker("run", "--name", node_name, "--hostname", node_name,
                              "--label", f"{KIND_CLUSTER_LABEL}={name}", "--label", f"{KIND_ROLE_LABEL}={role}",
                              "--detach", "--tty", "--net", "kind", "--restart=on-failure:1", "--init=false", image)
            if run.returncode != 0:
                # kind removes what it made of a cluster that failed to come up (create.go: delete unless --retain).
                nodes = real_kind_nodes(name)
                if nodes:
                    real_docker("rm", "-f", "-v", *nodes)
                fail(1, f"ERROR: failed to create cluster: command \"docker run --name {node_name} ... {image}\" failed with error: "
                        f"exit status {run.returncode}\nCommand Output: {run.stderr.strip()}")
        err(f' ✓ Writing configuration\n ✓ Starting control-plane\n ✓ Installing CNI\n ✓ Installing StorageClass\n'
            f' ✓ Joining worker nodes\nSet kubectl context to "kind-{name}"')
        write_kind_context(name)
        write_cluster_nodes(name, config_file)
        return out(f"You can now use your cluster with:\n\nkubectl cluster-info --context kind-{name}")

    if words[:2] == ["delete", "cluster"]:
        err(f'Deleting cluster "{name}" ...')
        nodes = real_kind_nodes(name)
        if nodes:
            real_lines("rm", "-f", "-v", *nodes)
        remove_state("nodes-" + name)
        remove_kind_context(name)
        return

    if words[:2] == ["export", "logs"]:
        return kind_export_logs(words, name)

    if words[:2] == ["export", "kubeconfig"]:
        return kind_export_kubeconfig(name, name + "-control-plane" in real_kind_nodes(name),
                                      name + "-control-plane" in real_stopped_nodes(), f"{name}-control-plane")

    fail(UNSUPPORTED, f"STANDIN kind (real docker): unsupported arguments {argv}")
# ---------------------------------------------------------------- end RealDockerd


# ---------------------------------------------------------------- kubectl

GATEWAY_URL = re.compile(r"/releases/download/(?P<version>v[^/]+)/(?P<channel>experimental|standard)-install\.yaml$")


def kubectl(argv):
    context = flag_value(argv, "--context")
    words = positional(argv, {"--context", "-o", "--output", "-f", "--filename", "-n", "--namespace", "--for", "--timeout"})
    if words[:1] == ["version"]:
        v = version("kubectl")
        major, minor, _ = v.split(".")
        output = flag_value(argv, "-o", "--output")
        info = {"clientVersion": {"major": major, "minor": minor, "gitVersion": "v" + v, "goVersion": "go" + version("go"),
                                  "compiler": "gc", "platform": "linux/amd64"},
                "kustomizeVersion": "v" + version("kustomize")}
        if "--client" not in argv:
            fail(UNSUPPORTED, "STANDIN kubectl: `kubectl version` without --client talks to the current context")
        if output == "json":
            return out(json.dumps(info, indent=2))
        if output == "yaml":
            return out(yaml.safe_dump(info))
        return out(f"Client Version: v{v}\nKustomize Version: v{version('kustomize')}")

    if words[:1] == ["config"]:
        return kubectl_config(words[1:])

    require_cluster_context("kubectl", context, "--context")
    name = context[len("kind-"):]

    if words[:2] == ["get", "nodes"] and len(words) == 2:
        if flag_value(argv, "-o", "--output") != "json":
            fail(UNSUPPORTED, f"STANDIN kubectl: get nodes without -o json {argv}")
        return out(json.dumps(kind_node_list(name), indent=4))

    if words[:1] == ["wait"] and "nodes" in words:
        nodes = [item["metadata"]["name"] for item in kind_node_list(name)["items"]]
        return out("\n".join(f"node/{n} condition met" for n in nodes))

    if words[:3] == ["get", "crd", words[2] if len(words) > 2 else ""] and len(words) == 3:
        crd = words[2]
        # Not kubectl's own behaviour: what a wrapper or an intercepting proxy in front of it hands back, with exit 0.
        if read_state("kubectl_crd_output") is not None:
            return out(read_state("kubectl_crd_output"))
        installed = read_state("crd_version")
        if installed is None or not crd.endswith(".gateway.networking.k8s.io"):
            fail(1, f'Error from server (NotFound): customresourcedefinitions.apiextensions.k8s.io "{crd}" not found')
        return out(json.dumps({
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": crd, "annotations": {
                "gateway.networking.k8s.io/bundle-version": installed.strip(),
                "gateway.networking.k8s.io/channel": (read_state("crd_channel") or "experimental").strip()}}}, indent=2))

    if words[:2] == ["get", "configmap"] and len(words) == 3:
        namespace = flag_value(argv, "-n", "--namespace") or "default"
        stored = read_state(f"configmap-{namespace}-{words[2]}")
        if stored is None:
            fail(1, f'Error from server (NotFound): configmaps "{words[2]}" not found')
        if flag_value(argv, "-o", "--output") != "json":
            fail(UNSUPPORTED, f"STANDIN kubectl: get configmap without -o json {argv}")
        return out(stored)

    if words[:1] == ["apply"] and os.path.isfile(flag_value(argv, "-f", "--filename") or ""):
        return kubectl_apply_file(flag_value(argv, "-f", "--filename"))

    if words[:2] == ["delete", "namespace"] and len(words) > 2:
        namespaces = read_json("namespaces.json", {})
        for name in words[2:]:
            namespaces.pop(name, None)
        write_json("namespaces.json", namespaces)
        return out("\n".join(f'namespace "{n}" deleted' for n in words[2:]))

    if words[:2] in (["delete", "crd"], ["delete", "customresourcedefinition"]) and len(words) > 2:
        return out("\n".join(f'customresourcedefinition.apiextensions.k8s.io "{n}" deleted' for n in words[2:]))

    # kubectl takes a resource's short name and its full name alike (pkg/cmd/label/label.go resolves both through the RESTMapper).
    if words[:2] in (["label", "crd"], ["label", "customresourcedefinition"]) and len(words) > 3:
        return out("\n".join(f"customresourcedefinition.apiextensions.k8s.io/{n} labeled" for n in words[2:] if "=" not in n))

    if words[:1] == ["apply"]:
        source = flag_value(argv, "-f", "--filename") or ""
        match = GATEWAY_URL.search(source)
        if "--server-side" not in argv or not match:
            fail(UNSUPPORTED, f"STANDIN kubectl: unsupported apply {argv} (expected --server-side -f <gateway-api release asset>)")
        write_state("crd_version", match["version"])
        write_state("crd_channel", match["channel"])
        kinds = ["gatewayclasses", "gateways", "httproutes", "grpcroutes", "referencegrants", "backendtlspolicies",
                 "tcproutes", "tlsroutes", "udproutes"]
        return out("\n".join(f"customresourcedefinition.apiextensions.k8s.io/{k}.gateway.networking.k8s.io serverside-applied"
                             for k in kinds))

    fail(UNSUPPORTED, f"STANDIN kubectl: unsupported arguments {argv}")


def kubectl_apply_file(path):
    """A file the build wrote: the platform's namespaces (a v1 List of Namespaces, kept in namespaces.json with their
    labels) or one ConfigMap (the applied record)."""
    with open(path) as f:
        manifest = yaml.safe_load(f) or {}
    if manifest.get("kind") == "List" and all(i.get("kind") == "Namespace" for i in manifest.get("items") or []):
        namespaces = read_json("namespaces.json", {})
        lines = []
        for item in manifest["items"]:
            name = item["metadata"]["name"]
            lines.append(f"namespace/{name} {'unchanged' if name in namespaces else 'created'}")
            namespaces[name] = item["metadata"].get("labels") or {}
        write_json("namespaces.json", namespaces)
        return out("\n".join(lines))
    return kubectl_apply_configmap(path)


def kubectl_apply_configmap(path):
    """Client-side apply of a ConfigMap manifest file (JSON or YAML): kept in the state as configmap-<namespace>-<name>,
    as `kubectl get configmap -o json` will print it; anything else in a file is not something the build applies."""
    with open(path) as f:
        manifest = yaml.safe_load(f) or {}
    if manifest.get("kind") != "ConfigMap" or manifest.get("apiVersion") != "v1":
        fail(UNSUPPORTED, f"STANDIN kubectl: apply of {path}, which is not a v1 ConfigMap")
    metadata = manifest.get("metadata") or {}
    name, namespace = metadata.get("name"), metadata.get("namespace") or "default"
    key = f"configmap-{namespace}-{name}"
    before = read_state(key)
    manifest["metadata"] = dict(metadata, namespace=namespace, uid="standin-" + name)
    text = json.dumps(manifest, indent=4)
    write_state(key, text)
    verb = "created" if before is None else ("unchanged" if json.loads(before) == manifest else "configured")
    return out(f"configmap/{name} {verb}")


def kubectl_config(words):
    """The few `kubectl config` commands a test's scenario uses to shape the kubeconfig (never the build)."""
    config = load_kubeconfig()
    if words[:1] == ["current-context"]:
        return out(merged_kubeconfig().get("current-context", ""))
    if words[:1] == ["get-contexts"]:
        return out("\n".join(c["name"] for c in merged_kubeconfig()["contexts"]))
    if words[:1] == ["use-context"] and len(words) == 2:
        if not any(c.get("name") == words[1] for c in merged_kubeconfig()["contexts"]):
            fail(1, f'error: no context exists with the name: "{words[1]}"')
        config["current-context"] = words[1]
        save_kubeconfig(config)
        return out(f'Switched to context "{words[1]}".')
    if words[:1] == ["delete-context"] and len(words) == 2:
        # From the file that defines it, as kubectl does.
        path = next((p for p in kubeconfig_paths() if os.path.isfile(p)
                     and any(c.get("name") == words[1] for c in load_kubeconfig(p)["contexts"])), kubeconfig_path())
        config = load_kubeconfig(path)
        config["contexts"] = without(config["contexts"], words[1])
        save_kubeconfig(config, path)
        return out(f"deleted context {words[1]} from {path}")
    fail(UNSUPPORTED, f"STANDIN kubectl: unsupported config command {words}")


# ---------------------------------------------------------------- helm

def helm(argv):
    words = positional(argv, {"--kube-context", "-o", "--output", "-n", "--namespace", "--timeout", "--max", "-l", "--selector"})
    if words[:1] == ["version"]:
        return out(f"v{version('helm')}+g5b6c3a1" if "--short" in argv else
                   f'version.BuildInfo{{Version:"v{version("helm")}", GitCommit:"5b6c3a1", GitTreeState:"clean", GoVersion:"go{version("go")}"}}')
    if words[:2] == ["plugin", "list"] or words[:2] == ["plugin", "ls"]:
        return out(f"NAME\tVERSION\tDESCRIPTION\ndiff\t{version('helm-diff')}\tPreview helm upgrade changes as a diff")
    require_cluster_context("helm", flag_value(argv, "--kube-context"), "--kube-context")
    if words[:1] in (["list"], ["ls"]):
        return out(json.dumps(helm_list(argv)))
    namespace = flag_value(argv, "--namespace", "-n") or "default"
    if words[:1] == ["history"] and len(words) == 2:
        return helm_history(words[1], namespace)
    if words[:1] in (["uninstall"], ["delete"]) and len(words) == 2:
        return helm_uninstall(words[1], namespace)
    if words[:1] == ["rollback"] and len(words) in (2, 3):
        return helm_rollback(words[1], namespace, int(words[2]) if len(words) == 3 else 0)
    fail(UNSUPPORTED, f"STANDIN helm: unsupported arguments {argv}")


# Release storage, as helm keeps it (one record per revision; pkg/storage): state file `history.json` maps
# "namespace/name" to its revisions, oldest first, each with status, chart, description and the manifest (here a hash
# of what the release was given). `releases` holds each release's latest revision as `helm list --output json` prints
# it; a test may write rows there (someone else's releases) that have no history.json entry: their history is that row.

def release_rows():
    return json.loads(read_state("releases", "[]") or "[]")


def release_history(namespace, name):
    history = read_json("history.json", {}).get(f"{namespace}/{name}")
    if history is not None:
        return history
    row = next((r for r in release_rows() if r.get("namespace") == namespace and r.get("name") == name), None)
    return [] if row is None else [{"revision": int(row.get("revision") or 1), "status": row.get("status"), "chart": row.get("chart", ""),
                                     "app_version": row.get("app_version", ""), "description": "", "manifest": row.get("manifest", "")}]


def save_history(namespace, name, revisions, chart_row=None):
    """Writes a release's revisions and its row in `releases` (its latest revision), or removes both when none is left."""
    histories = read_json("history.json", {})
    rows = [r for r in release_rows() if not (r.get("namespace") == namespace and r.get("name") == name)]
    if revisions:
        histories[f"{namespace}/{name}"] = revisions
        latest = revisions[-1]
        rows.append({"name": name, "namespace": namespace, "revision": str(latest["revision"]),
                     "updated": time.strftime("%Y-%m-%d %H:%M:%S.000000000 +0000 UTC", time.gmtime()),
                     "status": latest["status"], "chart": latest.get("chart", ""), "app_version": latest.get("app_version", "")})
    else:
        histories.pop(f"{namespace}/{name}", None)
    write_json("history.json", histories)
    write_state("releases", json.dumps(rows))


def add_revision(namespace, name, status, chart, manifest, description, labels=None):
    """A new revision, as install/upgrade/rollback store it. On success every deployed revision before it is superseded
    (pkg/action/upgrade.go releasingUpgrade, rollback.go performRollback); a failed or pending one leaves them alone.
    Its labels (those --labels set; helm keeps them on the record's Secret beside its own name/owner/status/version):
    the given ones as they are (install; rollback passes the target revision's), or, with merge_labels, the last
    revision's merged with them (upgrade)."""
    revisions = release_history(namespace, name)
    if status == "deployed":
        for r in revisions:
            if r["status"] == "deployed":
                r["status"] = "superseded"
    revisions.append({"revision": (revisions[-1]["revision"] if revisions else 0) + 1, "status": status, "chart": chart,
                      "app_version": "", "description": description, "manifest": manifest, "labels": labels or {}})
    save_history(namespace, name, revisions)


# Release labels, as helmfile hands them to helm and helm keeps them:
#   helmfile pkg/state/state_exec_tmpl.go ExecuteTemplates: commonLabels are merged into every release's labels (a
#            commonLabels key wins over the release's own).
#   helmfile pkg/state/helmx.go appendLabelsFlags and formatLabels: when syncReleaseLabels is true (on the release,
#            `--sync-release-labels`, or helmDefaults.syncReleaseLabels), `helm upgrade --install` gets
#            `--labels k=v,...`, keys sorted, empty keys and helm's system labels left out.
#   helm     pkg/cmd/upgrade.go: --labels is a StringToString flag (k=v pairs, comma-separated).
#   helm     pkg/action/upgrade.go mergeCustomLabels: the last revision's labels, then the given ones; a value "null"
#            removes its key. pkg/action/install.go: the given ones. pkg/action/rollback.go: the target revision's.
#   helm     pkg/storage/driver/util.go systemLabels; ContainsSystemLabels refuses --labels naming one of them.
HELM_SYSTEM_LABELS = ("name", "owner", "status", "version", "createdAt", "modifiedAt")


def yaml_text(value):
    """A YAML scalar as Go's map[string]string decodes it: true, not Python's True."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def helmfile_release_labels(spec, r):
    """A release's labels once helmfile has loaded it: its own, commonLabels over them."""
    return {yaml_text(k): yaml_text(v) for k, v in {**(r.get("labels") or {}), **(spec.get("commonLabels") or {})}.items()}


def helm_labels_flag(spec, r, argv):
    """The value of the `--labels` helmfile passes to `helm upgrade --install` for this release, or None."""
    sync = r.get("syncReleaseLabels") is True or flag_bool(argv, "--sync-release-labels", False) or \
        (spec.get("helmDefaults") or {}).get("syncReleaseLabels") is True
    if not sync:
        return None
    labels = helmfile_release_labels(spec, r)
    return ",".join(f"{k}={labels[k]}" for k in sorted(k for k in labels if k and k not in HELM_SYSTEM_LABELS)) or None


def helm_upgrade_labels(namespace, name, flag):
    """What `helm upgrade --install [--labels <flag>]` stores on the new revision."""
    given = dict(pair.split("=", 1) for pair in flag.split(",")) if flag else {}
    if any(k in HELM_SYSTEM_LABELS for k in given):
        fail(1, f"Error: UPGRADE FAILED: user supplied labels contains system reserved label name. System labels: [{' '.join(HELM_SYSTEM_LABELS)}]")
    history = release_history(namespace, name)
    merged = {**((history[-1].get("labels") or {}) if history else {}), **given}
    return {k: v for k, v in merged.items() if v != "null"}


def helm_history(name, namespace):
    """pkg/cmd/history.go: releaseInfo rows (revision a number, no manifest), oldest first."""
    revisions = release_history(namespace, name)
    if not revisions:
        fail(1, "Error: release: not found")
    out(json.dumps([{k: r.get(k, "") for k in ("revision", "status", "chart", "app_version", "description")} for r in revisions]))


def helm_uninstall(name, namespace):
    """pkg/action/uninstall.go: removes the release's objects and, without --keep-history, every revision."""
    if not release_history(namespace, name):
        fail(1, f"Error: uninstall: Release not loaded: {name}: release: not found")
    save_history(namespace, name, [])
    out(f'release "{name}" uninstalled')


def helm_rollback(name, namespace, target):
    """pkg/action/rollback.go: a new revision with the target's manifest (0: the one before the latest), deployed; a
    pending release may be rolled back (no errPending check there), which is how one gets unstuck."""
    revisions = release_history(namespace, name)
    if not revisions:
        fail(1, "Error: release: not found")
    target = target or revisions[-1]["revision"] - 1
    source = next((r for r in revisions if r["revision"] == target), None)
    if source is None:
        fail(1, f"Error: release has no {target} version")
    add_revision(namespace, name, "deployed", source.get("chart", ""), source.get("manifest", ""), f"Rollback to {target}", source.get("labels"))
    out("Rollback was a success! Happy Helming!")


# Helm 4 removed `list --all` (helm/helm#31295: cmd/helm/list.go lists every status when no status flag is given) and
# answers it as cobra answers any unknown flag. Helm 3 (pkg/action/list.go) shows only deployed and failed releases unless
# --all or a status flag asks for more: pending-install, pending-upgrade, pending-rollback and uninstalling are hidden.
HELM3_DEFAULT_STATUSES = {"deployed", "failed"}
HELM_STATUS_FLAGS = {"--deployed": {"deployed"}, "--failed": {"failed"}, "--superseded": {"superseded"},
                     "--uninstalled": {"uninstalled"}, "--uninstalling": {"uninstalling"},
                     "--pending": {"pending-install", "pending-upgrade", "pending-rollback"}}


def helm_list(argv):
    rows = release_rows()
    major = int(version("helm").split(".")[0])
    if major >= 4 and ("--all" in argv or "-a" in argv):
        fail(1, 'Error: unknown flag: --all')
    asked = set().union(*(statuses for flag, statuses in HELM_STATUS_FLAGS.items() if flag in argv))
    if major >= 4:
        shown = asked or None                       # no status flag: every status
    elif "--all" in argv or "-a" in argv:
        shown = None
    else:
        shown = asked or HELM3_DEFAULT_STATUSES
    namespace = flag_value(argv, "-n", "--namespace")
    selector = flag_value(argv, "-l", "--selector")
    return [r for r in rows if (shown is None or r.get("status") in shown)
            and ("--all-namespaces" in argv or "-A" in argv or r.get("namespace") == (namespace or "default"))
            and (selector is None or release_matches(r, selector))]


def release_matches(row, selector):
    """`helm list --selector`: pkg/action/list.go filterSelector matches the latest revision's labels (those --labels
    set) with a label selector; k=v, k==v and k!=v, comma-separated, all must hold."""
    history = release_history(row.get("namespace"), row.get("name"))
    labels = (history[-1].get("labels") or {}) if history else {}
    for term in selector.split(","):
        if "!=" in term:
            key, value = term.split("!=", 1)
            if labels.get(key.strip()) == value.strip():
                return False
        else:
            key, value = term.replace("==", "=").split("=", 1)
            if labels.get(key.strip()) != value.strip():
                return False
    return True


# ---------------------------------------------------------------- helmfile

REQUIRED_ENV = re.compile(r'requiredEnv\s+"(?P<name>[A-Za-z_][A-Za-z0-9_]*)"')
ENV_CALL = re.compile(r'(?:requiredEnv|env)\s+"(?P<name>[A-Za-z_][A-Za-z0-9_]*)"')
PENDING = ("pending-install", "pending-upgrade", "pending-rollback")


def helmfile(argv):
    if argv[:1] == ["--version"]:
        return out(f"helmfile version {version('helmfile')}")
    words = positional(argv, {"--file", "-f", "--kube-context", "--environment", "-e", "--selector", "-l"})
    if words[:1] == ["version"]:
        if flag_value(argv, "-o", "--output") == "short":
            out(version("helmfile"))
        else:
            out(f"\n▓▓▓ helmfile\n\n  Version            {version('helmfile')}\n  Git Commit         3f1c2e9\n"
                f"  Go version         {version('go')}\n  Compiler           gc\n  Platform           linux/amd64\n")
        # helmfile's cmd/root.go gives `version` go.szostok.io/version's upgrade notice unless HELMFILE_UPGRADE_NOTICE_DISABLED
        # is set: after printing, it asks GitHub's API for the latest release and fails the command when that request
        # fails. These machines have no internet (nor does a firewalled CI), so it always fails here. The wording of the
        # error is this stand-in's; the build never parses it.
        if not environ.get("HELMFILE_UPGRADE_NOTICE_DISABLED"):
            fail(1, 'Error: while checking for a newer release: Get "https://api.github.com/repos/helmfile/helmfile/releases/latest": '
                    "dial tcp: lookup api.github.com: no such host")
        return
    if words[:1] == ["init"]:
        return out("helmfile initialization completed!")

    context = flag_value(argv, "--kube-context")
    if words[:1] == ["template"]:
        # helmfile passes no connection flags to `helm template`, which renders client-side ("values that would be looked
        # up in-cluster are faked locally"): it needs the charts (helm repo add, so the internet) but no cluster, so it
        # works before `kind create cluster`. The build still names the context, as on every helmfile call.
        if context is None:
            fail(UNPINNED, "STANDIN helmfile: template without --kube-context: the build must pin every call.")
    else:
        require_cluster_context("helmfile", context, "--kube-context")
    path = flag_value(argv, "--file", "-f") or "helmfile.yaml"
    with open(path) as f:
        spec = yaml.safe_load(f) or {}
    # Real helmfile lets --kube-context override helmDefaults.kubeContext (pkg/app/desired_state_file_loader.go: "HelmDefaults.
    # KubeContext is also overridden in here"); only a top-level kubeContext clashes with the flag. For a kind context this
    # stand-in is stricter on purpose: the build must hand helmfile the context helmfile.yaml pins.
    if spec.get("kubeContext") and context:
        fail(1, "err: Cannot use option --kube-context and set attribute kubeContext.")
    if context and context.startswith("kind-") and (spec.get("helmDefaults") or {}).get("kubeContext") not in (None, context):
        fail(1, f"STANDIN helmfile: --kube-context {context} disagrees with helmDefaults.kubeContext in {path}")
    releases = spec.get("releases") or []

    if words[:1] not in (["apply"], ["sync"], ["template"], ["destroy"]):
        fail(UNSUPPORTED, f"STANDIN helmfile: unsupported arguments {argv}")
    selected = plan_selection(releases, selectors(argv), argv, spec.get("commonLabels"))

    # The selected releases' .gotmpl values files fail on a variable the environment lacks, as helmfile's requiredEnv
    # does; a release the selector leaves out is never rendered.
    base = os.path.dirname(os.path.abspath(path))
    templates = sorted({v for r in selected for v in (r.get("values") or []) if isinstance(v, str) and v.endswith(".gotmpl")})
    for file in templates:
        with open(os.path.join(base, file)) as f:
            for match in REQUIRED_ENV.finditer(f.read()):
                if not environ.get(match["name"]):
                    fail(1, f'in ./{os.path.basename(path)}: failed to render values files "{file}": '
                            f'template: stringTemplate:1:3: executing "stringTemplate" at <requiredEnv "{match["name"]}">: '
                            f"error calling requiredEnv: required env var `{match['name']}` is not set")

    if words[:1] == ["template"]:
        return helmfile_template(selected, base)
    if not selected:
        fail(1, "err: no releases found that matches specified selector() and environment(default), in any helmfile")
    if words[:1] == ["destroy"]:
        return helmfile_destroy(releases, selected)
    return helmfile_deploy(words[0], releases, selected, base, os.path.basename(path), lambda r: helm_labels_flag(spec, r, argv))


def flag_bool(argv, name, default):
    """A cobra bool flag: --name, --name=true|false."""
    for a in argv:
        if a == name:
            return True
        if a.startswith(name + "="):
            return a.split("=", 1)[1].lower() in ("true", "1")
    return default


def plan_selection(releases, wanted, argv, common_labels=None):
    """The releases a selector leaves in, and what happens to their needs, as helmfile plans them.

    cmd/apply.go: --skip-needs defaults to true ("do not automatically include releases from the target release's needs
    when --selector/-l flag is provided"), --include-needs adds the selected releases' direct needs and
    --include-transitive-needs their needs' needs. pkg/state/state_run.go GroupReleasesByDependency hands the DAG
    WithoutDependencies: SkipNeeds, so a need left out is dropped from the plan; with neither skipping nor including it
    fails with UnhandledDependencyError's message, below.
    """
    selected = select_releases(releases, wanted, common_labels)
    if not wanted:
        return selected
    by_id = {f"{r.get('namespace')}/{r['name']}": r for r in releases}
    transitive = flag_bool(argv, "--include-transitive-needs", False)
    include = flag_bool(argv, "--include-needs", False) or transitive
    skip = flag_bool(argv, "--skip-needs", True) and not include
    chosen = {f"{r.get('namespace')}/{r['name']}" for r in selected}
    if include:
        frontier = list(selected)
        while frontier:
            r = frontier.pop()
            for need in r.get("needs") or []:
                if need in by_id and need not in chosen:
                    chosen.add(need)
                    if transitive:
                        frontier.append(by_id[need])
    elif not skip:
        for r in selected:
            for need in r.get("needs") or []:
                if need not in chosen:
                    name = need.split("/")[-1]
                    fail(1, f'err: release "{r.get("namespace")}/{r["name"]}" depends on "{need}" which does not match the selectors. '
                            f'Please add a selector like "--selector name={name}", or indicate whether to skip (--skip-needs) or include '
                            f'(--include-needs) these dependencies')
    return [r for r in releases if f"{r.get('namespace')}/{r['name']}" in chosen]


def helmfile_destroy(releases, selected):
    """`helmfile destroy`: helm uninstall of each selected release that exists, in reverse needs order (pkg/app/app.go
    destroy plans with Reverse: true), then DELETED RELEASES on stderr."""
    levels = needs_levels(releases)
    order = sorted(selected, key=lambda r: -levels[f"{r['namespace']}/{r['name']}"])
    deleted = []
    for r in order:
        if release_history(r["namespace"], r["name"]):
            save_history(r["namespace"], r["name"], [])
            deleted.append(r)
    with open(state_path("destroy_order"), "a") as f:
        f.write("".join(f"{r['namespace']}/{r['name']}\n" for r in deleted))
    return err("DELETED RELEASES:\nNAME\tNAMESPACE\n" + "\n".join(f"{r['name']}\t{r['namespace']}" for r in deleted))


def selectors(argv):
    """Every --selector/-l value: helmfile's StringArrayVarP in cmd/root.go, OR'ed with each other."""
    return [argv[i + 1] for i, a in enumerate(argv[:-1]) if a in ("--selector", "-l")] + \
           [a.split("=", 1)[1] for a in argv if a.startswith("--selector=")]


def select_releases(releases, wanted, common_labels=None):
    """pkg/state/state.go GetReleasesWithLabels (commonLabels, then the release's own labels over them; name, namespace
    and chart's last part are labels of every release) and pkg/state/release_filters.go ParseLabels (k=v and k!=v,
    comma-separated, all must hold)."""
    if not wanted:
        return list(releases)
    def labels(r):
        return {**{yaml_text(k): yaml_text(v) for k, v in (common_labels or {}).items()},
                **{yaml_text(k): yaml_text(v) for k, v in (r.get("labels") or {}).items()}, "name": r["name"], "namespace": r.get("namespace", ""),
                "chart": r.get("chart", "").split("/")[-1]}
    def matches(r, selector):
        for term in selector.split(","):
            if "!=" in term:
                key, value = term.split("!=", 1)
                if labels(r).get(key) == value:
                    return False
            else:
                key, value = term.split("=", 1)
                if labels(r).get(key) != value:
                    return False
        return True
    return [r for r in releases if any(matches(r, s) for s in wanted)]


def needs_levels(releases):
    """helmfile's DAG plan (pkg/state/state_run.go): each release runs in the group after its deepest need."""
    by_id = {f"{r.get('namespace')}/{r['name']}": r for r in releases}
    levels = {}
    def level(r):
        key = f"{r.get('namespace')}/{r['name']}"
        if key not in levels:
            levels[key] = 0
            levels[key] = 1 + max([level(by_id[n]) for n in (r.get("needs") or []) if n in by_id] or [0])
        return levels[key]
    return {f"{r.get('namespace')}/{r['name']}": level(r) for r in releases}


def desired_manifest(r, base):
    """What helm would render for a release, as a hash: its helmfile.yaml entry, its values files and the variables they
    read. helm-diff compares this with the manifest of the release's latest revision (`helm get manifest`)."""
    import hashlib
    text = json.dumps(r, sort_keys=True)
    for file in (v for v in (r.get("values") or []) if isinstance(v, str)):
        with open(os.path.join(base, file)) as f:
            content = f.read()
        text += content + "".join(f"{m['name']}={environ.get(m['name'], '')}" for m in ENV_CALL.finditer(content))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def helmfile_deploy(verb, releases, selected, base, file, labels_flag=lambda r: None):
    """`helmfile apply` and `helmfile sync`, group by group in needs order (pkg/app/app.go).

    apply upgrades only the releases whose helm-diff shows a change, and returns success when none does
    (app.go `func (a *App) apply`: `if len(releasesToUpdate) == 0 && len(releasesToDelete) == 0 { return true, ... }`).
    helm-diff diffs `helm template` against the latest revision's manifest (databus23/helm-diff cmd/helm3.go getRelease:
    `helm get manifest <release>`), failed or pending alike: so an unchanged release whose last upgrade failed stays
    failed under apply (helm-diff #1045, #306), and an interrupted install stays pending-install. sync upgrades every
    selected release whatever its diff. A release whose latest revision is pending refuses every upgrade or install of it
    (helm pkg/action/upgrade.go: `if lastRelease.Info.Status.IsPending() { return errPending }`).

    Scenario `helmfile_failures`, one line consumed by each apply or sync: <kind>[:<release>]. The release (default: the
    first one this call changes that needs cert-manager, else the last it changes) fails, its group finishes, later groups
    never run. transient (a webhook refusing connections) and timeout leave its new revision failed; permanent too, with
    an error no retry fixes; killed leaves it pending-install (or pending-upgrade), as helm killed mid-operation does.

    Each release helmfile hands to helm is one line of the state file `helm_upgrades`, the helm arguments that carry
    labels (`--labels k=v,...`, see helm_labels_flag); its new revision keeps the labels helm would store.
    """
    # Scenario `helmfile_seconds`: how long helm waits for the releases before helmfile answers (a cold Up pulls images
    # for minutes); the build's live progress reads the cluster meanwhile.
    time.sleep(float(read_state("helmfile_seconds", "0") or 0))
    queue = (read_state("helmfile_failures", "") or "").splitlines()
    failure = queue[0].strip() if queue else ""
    if queue:
        write_state("helmfile_failures", "".join(line + "\n" for line in queue[1:]))
    kind, _, target = failure.partition(":")
    if kind not in ("", "transient", "timeout", "permanent", "killed"):
        fail(UNSUPPORTED, f"STANDIN helmfile: unknown failure kind '{failure}' in helmfile_failures")

    def latest(r):
        history = release_history(r["namespace"], r["name"])
        return history[-1] if history else None

    changing = [r for r in selected if verb == "sync" or latest(r) is None or latest(r).get("manifest") != desired_manifest(r, base)]
    levels = needs_levels(releases)
    order = sorted(changing, key=lambda r: levels[f"{r['namespace']}/{r['name']}"])
    blocked = next((r for r in order if (latest(r) or {}).get("status") in PENDING), None)
    failed = None
    if blocked is not None:
        failed, kind = blocked, "pending"
    elif kind and order:
        failed = next((r for r in order if r["name"] == target), None) or \
                 next((r for r in order if any("cert-manager" in n for n in (r.get("needs") or []))), order[-1])
    cutoff = levels[f"{failed['namespace']}/{failed['name']}"] if failed else None

    def row(r):
        return f"{r['name']}\t{r['namespace']}\t{r.get('chart', '')}\t{r.get('version', '')}\t1s"

    def chart(r):
        return f"{os.path.basename(r.get('chart', ''))}-{r.get('version', '0.1.0')}"

    def upgrade_labels(r):
        flag = labels_flag(r)
        with open(state_path("helm_upgrades"), "a") as f:
            f.write(json.dumps({"release": f"{r['namespace']}/{r['name']}", "args": ["--labels", flag] if flag else []}) + "\n")
        return helm_upgrade_labels(r["namespace"], r["name"], flag)

    done = []
    for r in order:
        if r is failed or (cutoff is not None and levels[f"{r['namespace']}/{r['name']}"] > cutoff):
            continue
        add_revision(r["namespace"], r["name"], "deployed", chart(r), desired_manifest(r, base),
                     "Install complete" if latest(r) is None else "Upgrade complete", upgrade_labels(r))
        done.append(r)
    # helmfile prints its UPDATED / FAILED RELEASES tables through its logger (pkg/state/state.go,
    # DisplayAffectedReleases), and cmd/root.go points the logger at os.Stderr: stdout stays empty.
    if failed is None:
        return err("UPDATED RELEASES:\nNAME\tNAMESPACE\tCHART\tVERSION\tDURATION\n" + "\n".join(row(r) for r in done))

    name = failed["name"]
    if kind == "pending":
        why = "another operation (install/upgrade/rollback) is in progress"
    else:
        installing = latest(failed) is None
        status = ("pending-install" if installing else "pending-upgrade") if kind == "killed" else "failed"
        add_revision(failed["namespace"], name, status, chart(failed), desired_manifest(failed, base),
                     "Initial install underway" if status == "pending-install" else "Preparing upgrade" if status == "pending-upgrade"
                     else f"Release \"{name}\" failed", upgrade_labels(failed))
        if kind == "killed":
            sys.stdout.flush()
            sys.exit(137)   # SIGKILL: helm and helmfile end without a word
        why = {"transient": 'Internal error occurred: failed calling webhook "webhook.cert-manager.io": failed to call webhook: '
                            'Post "https://cert-manager-webhook.cert-manager.svc:443/validate?timeout=30s": '
                            "dial tcp 10.96.117.42:443: connect: connection refused",
               "timeout": "context deadline exceeded",
               "permanent": f'cannot patch "{name}" with kind Deployment: Deployment.apps "{name}" is invalid: '
                            'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"' + name + '"}}: field is immutable'}[kind]
    if done:
        err("UPDATED RELEASES:\nNAME\tNAMESPACE\tCHART\tVERSION\tDURATION\n" + "\n".join(row(r) for r in done))
    err("\nFAILED RELEASES:\nNAME\tNAMESPACE\tCHART\tVERSION\tDURATION\n" + row(failed) + "\n")
    fail(1, f'in ./{file}: failed processing release {name}: command "/usr/local/bin/helm" exited with status 1:\n'
            f"  Error: UPGRADE FAILED: {why}")


def values_images(path):
    """The images a values file sets, read line by line as the charts' values do it: `image: <ref>`, or an `image:`
    block of registry / repository / tag. A stand-in has no charts to render, so these stand for what they would run."""
    images, block, indent = [], None, 0
    with open(path) as f:
        lines = f.read().splitlines()
    for line in lines + [""]:
        content = line.strip()
        depth = len(line) - len(line.lstrip())
        if block is not None and (not content or depth <= indent):
            if block.get("repository"):
                ref = (block["registry"] + "/" if block.get("registry") else "") + block["repository"]
                images.append(ref + (":" + block["tag"] if block.get("tag") else ""))
            block = None
        match = re.match(r"^(?P<key>[A-Za-z]+):\s*(?P<value>.*)$", content)
        if not match:
            continue
        key, value = match["key"], match["value"].strip().strip('"').strip("'")
        if block is not None and key in ("registry", "repository", "tag"):
            block[key] = value
        elif key == "image" and value:
            images.append(value)
        elif key == "image":
            block, indent = {}, depth
    return images


def helmfile_template(releases, base):
    """`helmfile template`: one rendered Deployment per release, labelled with its release as Helm charts do
    (app.kubernetes.io/instance), running the images its values files set; progress goes to stderr, as helmfile's."""
    for r in releases:
        err(f"Templating release={r['name']}, chart={r.get('chart', '')}")
        images = []
        for file in (v for v in (r.get("values") or []) if isinstance(v, str)):
            images += values_images(os.path.join(base, file))
        chart = os.path.basename(r.get("chart", "chart"))
        containers = "".join(f"            - name: c{i}\n              image: {image}\n" for i, image in enumerate(images))
        out(f"---\n# Source: {chart}/templates/deployment.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n"
            f"  name: {r['name']}\n  namespace: {r['namespace']}\n  labels:\n    app.kubernetes.io/instance: {r['name']}\n"
            f"spec:\n  template:\n    spec:\n      containers:\n{containers or '            []' + chr(10)}")


def hang_if_asked(tool, argv):
    """STANDIN_HANG="<tool> <word>..." (several separated by ';'), or the same one a line in the scenario file `hang`:
    a call whose argv holds those words in that order never answers, like a frozen Docker Desktop or an API server that
    stopped responding. The build must stop it at its bound. STANDIN_HANG_DEAF=1 also ignores SIGINT and SIGTERM, so
    only a forced stop (SIGKILL) ends it."""
    specs = (environ.get("STANDIN_HANG") or "").split(";")
    if environ.get("STANDIN_STATE"):
        specs += (read_state("hang", "") or "").splitlines()
    for spec in specs:
        words = spec.split()
        if not words or words[0] != tool:
            continue
        rest = iter(argv)
        if all(any(arg == word for arg in rest) for word in words[1:]):
            if environ.get("STANDIN_HANG_DEAF") == "1":
                import signal
                signal.signal(signal.SIGINT, signal.SIG_IGN)
                signal.signal(signal.SIGTERM, signal.SIG_IGN)
            sys.stdout.flush()
            while True:
                time.sleep(3600)


def main(tool):
    argv = sys.argv[1:]
    context = flag_value(argv, {"kubectl": "--context", "helm": "--kube-context", "helmfile": "--kube-context"}.get(tool, "--no-such-flag"))
    start, code = time.time(), None
    hang_if_asked(tool, argv)
    with one_call_at_a_time(tool):
        try:
            {"docker": docker, "kind": kind, "kubectl": kubectl, "helm": helm, "helmfile": helmfile}[tool](argv)
            code = 0
        except SystemExit as e:
            code = e.code
        finally:
            # Also on failure, so every call the build made is in the log (a crash logs exit null).
            record(tool, argv, context, start, time.time(), code)
    sys.exit(code)


@contextlib.contextmanager
def one_call_at_a_time(tool):
    """The build runs independent docker calls side by side (the mirrors, the nodes' hosts.toml, Doctor's facts), as the
    real daemon serves them. The state files are read, changed and written back whole, so docker calls take turns on
    them under an exclusive lock, as the daemon serialises its own store. Only docker: it never sleeps while holding
    it, where a `helmfile apply` that takes helmfile_seconds would block every read made while it runs."""
    directory = environ.get("STANDIN_STATE")
    if tool != "docker" or not directory or not os.path.isdir(directory):
        yield
        return
    with open(os.path.join(directory, ".docker.lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield
