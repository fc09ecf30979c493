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
  control_plane_ip    what `docker inspect <cluster>-control-plane` answers (default 172.18.0.2)
  network_subnets     subnets of the docker network `kind` (space separated); absent: no such network.
                      `kind create cluster` writes the default one when it is absent, as real kind does.
  crd_version         Gateway API bundle version installed in the cluster (e.g. v1.5.1); absent: no CRDs
  crd_channel         its channel (experimental or standard)
  helmfile_failures   a queue, one failure kind a line, consumed by each `helmfile apply`:
                      transient | timeout | permanent[:<release>]
  releases            JSON written by a successful `helmfile apply` (what `helm list` answers)
  nodes-<cluster>     JSON written by `kind create cluster`: the nodes its config asked for (what `kubectl get nodes` shows)
  violations          written by the stand-ins: every call they refused (unpinned, unknown context, unsupported)
  access_containers   JSON list written by `docker run` / `docker rm` of the build's access proxy: name, id, image,
                      state (running|exited), labels, ports ("127.0.0.1:80:20000"), env. A test may edit it.
  host_ports_taken    host ports another program holds, space separated: `docker run --publish` on one fails as the
                      engine does ("address already in use")

Where real tools fail, these fail the same way (message and exit code 1). Where the build asks for something these do
not know, or talks to a cluster without pinning a context, they exit with 97-99 and a line starting "STANDIN" so the
test failure says exactly what happened.
"""
import json
import os
import re
import sys
import time

import yaml

# The versions the stand-ins report: the project's own pins (tools.yaml at the repository root), so the
# stand-ins always answer like the tools EnsureTools would install. Docker is never pinned, only checked.
def _pinned_versions():
    pins_file = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools.yaml")
    with open(pins_file) as f:
        pins = yaml.safe_load(f)
    versions = {tool: str(pin["version"]).lstrip("v") for tool, pin in pins.items()}
    versions.update({"docker": "28.2.2", "kustomize": "5.7.1", "go": "1.25.1"})
    return versions


VERSIONS = _pinned_versions()

DEFAULT_SUBNETS = "172.18.0.0/16 fc00:f853:ccd:e793::/64"
UNSUPPORTED, UNPINNED, UNKNOWN_CONTEXT = 99, 98, 97


def version(tool):
    return os.environ.get("STANDIN_VERSION_" + tool.upper().replace("-", "_"), VERSIONS[tool])


# ---------------------------------------------------------------- plumbing

def state_path(name):
    directory = os.environ.get("STANDIN_STATE")
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
    return [line.strip() for line in (read_state("clusters", "") or "").splitlines() if line.strip()]


def out(text=""):
    sys.stdout.write(text + ("\n" if text and not text.endswith("\n") else ""))


def err(text):
    sys.stderr.write(text + ("\n" if not text.endswith("\n") else ""))


def fail(code, message):
    err(message)
    if code >= UNKNOWN_CONTEXT and os.environ.get("STANDIN_STATE"):
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
    log = os.environ.get("STANDIN_LOG")
    if not log:
        return
    entry = {"tool": tool, "argv": argv, "cwd": os.getcwd(), "context": context,
             "env": dict(os.environ), "time": start, "end": end, "duration": end - start, "exit": exit_code}
    with open(log, "a") as f:
        f.write(json.dumps(entry) + "\n")


# ---------------------------------------------------------------- kubeconfig, as kind and kubectl keep it

def kubeconfig_paths():
    """The files kubectl and kind consider: KUBECONFIG's list (empty entries and repeats dropped), else ~/.kube/config."""
    paths = []
    for p in os.environ.get("KUBECONFIG", "").split(os.pathsep):
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
    server = os.environ.get("STANDIN_API_SERVER") or "https://127.0.0.1:6443"
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
    if not cluster.startswith("kind-") or cluster[len("kind-"):] not in clusters():
        server = next((c.get("cluster", {}).get("server") for c in config["clusters"] if c.get("name") == cluster), "?")
        fail(1, f"Unable to connect to the server: dial tcp {server}: connect: connection refused")


# ---------------------------------------------------------------- docker

def docker(argv):
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
    if argv[:1] in (["run"], ["rm"], ["ps"]):
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
    fail(UNSUPPORTED, f"STANDIN docker: unsupported arguments {argv}")


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
    address on the kind network (state file control_plane_ip, default 172.18.0.2); anything else does not exist."""
    if down:
        fail(1, "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?")
    names = positional(argv, {"--format", "-f", "--type"})[1:]
    for name in names:
        if not any(name == c + "-control-plane" for c in clusters()):
            fail(1, f"Error: No such object: {name}")
    address = (read_state("control_plane_ip") or "172.18.0.2").strip()
    if flag_value(argv, "--format", "-f") is None:
        return out(json.dumps([{"Name": "/" + n, "NetworkSettings": {"Networks": {"kind": {"IPAddress": address}}}} for n in names]))
    return out("\n".join(address + " " for _ in names))


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
    if read_state("docker_down") is not None and argv[:1] in (["create"], ["delete"], ["get"], ["export"]):
        fail(1, "ERROR: failed to list clusters: command \"docker ps -a --filter label=io.x-k8s.kind.cluster --format "
                "'{{.Label \"io.x-k8s.kind.cluster\"}}'\" failed with error: exit status 1\n"
                "Command Output: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?")
    words = positional(argv, {"--config", "--name", "--wait", "--image", "--kubeconfig", "-n"})
    name = flag_value(argv, "--name", "-n")

    if words[:2] == ["get", "clusters"]:
        existing = clusters()
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
        remove_state("nodes-" + name)
        remove_kind_context(name)
        return

    if words[:2] == ["export", "kubeconfig"]:
        name = name or "kind"
        if name not in clusters():
            fail(1, f'ERROR: could not locate any control plane nodes for cluster named \'{name}\'. '
                    "Use the --name option to select a different cluster")
        write_kind_context(name)
        return err(f'Set kubectl context to "kind-{name}"')

    fail(UNSUPPORTED, f"STANDIN kind: unsupported arguments {argv}")


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
        installed = read_state("crd_version")
        if installed is None or not crd.endswith(".gateway.networking.k8s.io"):
            fail(1, f'Error from server (NotFound): customresourcedefinitions.apiextensions.k8s.io "{crd}" not found')
        return out(json.dumps({
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": crd, "annotations": {
                "gateway.networking.k8s.io/bundle-version": installed.strip(),
                "gateway.networking.k8s.io/channel": (read_state("crd_channel") or "experimental").strip()}}}, indent=2))

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
    words = positional(argv, {"--kube-context", "-o", "--output", "-n", "--namespace"})
    if words[:1] == ["version"]:
        return out(f"v{version('helm')}+g5b6c3a1" if "--short" in argv else
                   f'version.BuildInfo{{Version:"v{version("helm")}", GitCommit:"5b6c3a1", GitTreeState:"clean", GoVersion:"go{version("go")}"}}')
    if words[:2] == ["plugin", "list"] or words[:2] == ["plugin", "ls"]:
        return out(f"NAME\tVERSION\tDESCRIPTION\ndiff\t{version('helm-diff')}\tPreview helm upgrade changes as a diff")
    require_cluster_context("helm", flag_value(argv, "--kube-context"), "--kube-context")
    if words[:1] in (["list"], ["ls"]):
        return out(read_state("releases", "[]"))
    fail(UNSUPPORTED, f"STANDIN helm: unsupported arguments {argv}")


# ---------------------------------------------------------------- helmfile

REQUIRED_ENV = re.compile(r'requiredEnv\s+"(?P<name>[A-Za-z_][A-Za-z0-9_]*)"')


def helmfile(argv):
    if argv[:1] == ["--version"]:
        return out(f"helmfile version {version('helmfile')}")
    words = positional(argv, {"--file", "-f", "--kube-context", "--environment", "-e", "--selector", "-l"})
    if words[:1] == ["version"]:
        return out(f"\n▓▓▓ helmfile\n\n  Version            {version('helmfile')}\n  Git Commit         3f1c2e9\n"
                   f"  Go version         {version('go')}\n  Compiler           gc\n  Platform           linux/amd64\n")
    if words[:1] == ["init"]:
        return out("helmfile initialization completed!")

    context = flag_value(argv, "--kube-context")
    require_cluster_context("helmfile", context, "--kube-context")
    path = flag_value(argv, "--file", "-f") or "helmfile.yaml"
    with open(path) as f:
        spec = yaml.safe_load(f) or {}
    if (spec.get("helmDefaults") or {}).get("kubeContext") not in (None, context):
        fail(1, f"STANDIN helmfile: --kube-context {context} disagrees with helmDefaults.kubeContext in {path}")
    releases = spec.get("releases") or []

    if words[:1] not in (["apply"], ["sync"]):
        fail(UNSUPPORTED, f"STANDIN helmfile: unsupported arguments {argv}")

    # The releases' .gotmpl values files fail on a variable the environment lacks, as helmfile's requiredEnv does.
    base = os.path.dirname(os.path.abspath(path))
    templates = sorted({v for r in releases for v in (r.get("values") or []) if isinstance(v, str) and v.endswith(".gotmpl")})
    for file in templates:
        with open(os.path.join(base, file)) as f:
            for match in REQUIRED_ENV.finditer(f.read()):
                if not os.environ.get(match["name"]):
                    fail(1, f'in ./{os.path.basename(path)}: failed to render values files "{file}": '
                            f'template: stringTemplate:1:3: executing "stringTemplate" at <requiredEnv "{match["name"]}">: '
                            f"error calling requiredEnv: required env var `{match['name']}` is not set")

    queue = (read_state("helmfile_failures", "") or "").splitlines()
    failure = queue[0].strip() if queue else ""
    if queue:
        write_state("helmfile_failures", "".join(line + "\n" for line in queue[1:]))

    def row(r):
        return f"{r['name']}\t{r['namespace']}\t{r.get('chart', '')}\t{r.get('version', '')}\t1s"

    if failure.startswith("permanent"):
        name = failure.partition(":")[2] or releases[-1]["name"]
        failed = next(r for r in releases if r["name"] == name)
        out("UPDATED RELEASES:\nNAME\tNAMESPACE\tCHART\tVERSION\tDURATION\n" + "\n".join(row(r) for r in releases if r is not failed))
        out("\nFAILED RELEASES:\nNAME\tNAMESPACE\tCHART\tVERSION\tDURATION\n" + row(failed) + "\n")
        fail(1, f'in ./{os.path.basename(path)}: failed processing release {name}: command "/usr/local/bin/helm" exited with status 1:\n'
                f'  Error: UPGRADE FAILED: cannot patch "{name}" with kind Deployment: Deployment.apps "{name}" is invalid: '
                'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"' + name + '"}}: field is immutable')
    if failure in ("transient", "timeout"):
        failed = next((r for r in releases if "cert-manager" in (r.get("needs") or [""])[0]), releases[-1])
        out("\nFAILED RELEASES:\nNAME\tNAMESPACE\tCHART\tVERSION\tDURATION\n" + row(failed) + "\n")
        why = ('Internal error occurred: failed calling webhook "webhook.cert-manager.io": failed to call webhook: '
               'Post "https://cert-manager-webhook.cert-manager.svc:443/validate?timeout=30s": '
               "dial tcp 10.96.117.42:443: connect: connection refused") if failure == "transient" else \
            "context deadline exceeded"
        fail(1, f'in ./{os.path.basename(path)}: failed processing release {failed["name"]}: command "/usr/local/bin/helm" exited with status 1:\n'
                f"  Error: UPGRADE FAILED: {why}")
    if failure:
        fail(UNSUPPORTED, f"STANDIN helmfile: unknown failure kind '{failure}' in helmfile_failures")

    write_state("releases", json.dumps(helm_list_rows(releases)))
    out("UPDATED RELEASES:\nNAME\tNAMESPACE\tCHART\tVERSION\tDURATION\n" + "\n".join(row(r) for r in releases))


def hang_if_asked(tool, argv):
    """STANDIN_HANG="<tool> <word>..." (several separated by ';'), or the same one a line in the scenario file `hang`:
    a call whose argv holds those words in that order never answers, like a frozen Docker Desktop or an API server that
    stopped responding. The build must stop it at its bound. STANDIN_HANG_DEAF=1 also ignores SIGINT and SIGTERM, so
    only a forced stop (SIGKILL) ends it."""
    specs = (os.environ.get("STANDIN_HANG") or "").split(";")
    if os.environ.get("STANDIN_STATE"):
        specs += (read_state("hang", "") or "").splitlines()
    for spec in specs:
        words = spec.split()
        if not words or words[0] != tool:
            continue
        rest = iter(argv)
        if all(any(arg == word for arg in rest) for word in words[1:]):
            if os.environ.get("STANDIN_HANG_DEAF") == "1":
                import signal
                signal.signal(signal.SIGINT, signal.SIG_IGN)
                signal.signal(signal.SIGTERM, signal.SIG_IGN)
            sys.stdout.flush()
            while True:
                time.sleep(3600)


def helm_list_rows(releases):
    """The releases as `helm list --output json` prints them (helm's field names; revision is a string). A release
    already there keeps its revision: helmfile apply upgrades only what changed."""
    before = {(r.get("namespace"), r.get("name")): r.get("revision", "1") for r in json.loads(read_state("releases", "[]") or "[]")}
    return [{"name": r["name"], "namespace": r["namespace"], "revision": before.get((r["namespace"], r["name"]), "1"),
             "updated": time.strftime("%Y-%m-%d %H:%M:%S.000000000 +0000 UTC", time.gmtime()), "status": "deployed",
             "chart": f"{os.path.basename(r.get('chart', ''))}-{r.get('version', '0.1.0')}", "app_version": ""}
            for r in releases]


def main(tool):
    argv = sys.argv[1:]
    context = flag_value(argv, {"kubectl": "--context", "helm": "--kube-context", "helmfile": "--kube-context"}.get(tool, "--no-such-flag"))
    start, code = time.time(), None
    hang_if_asked(tool, argv)
    try:
        {"docker": docker, "kind": kind, "kubectl": kubectl, "helm": helm, "helmfile": helmfile}[tool](argv)
        code = 0
    except SystemExit as e:
        code = e.code
    finally:
        # Also on failure, so every call the build made is in the log (a crash logs exit null).
        record(tool, argv, context, start, time.time(), code)
    sys.exit(code)
