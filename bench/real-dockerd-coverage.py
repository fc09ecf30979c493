#!/usr/bin/env python3
"""How many of the build's distinct docker command lines the RealDockerd tests run against a real daemon.

    rm -rf /tmp/calls && REALDOCKERD_KEEP_CALL_LOGS=/tmp/calls ./test.sh --filter Category=RealDockerd
    bench/real-dockerd-coverage.py /tmp/calls

The command lines are the ToolCommands the build constructs for docker: the command methods of build/Tools/Docker.cs
and the one inline command of build/ImageCache/ImageCacheService.cs (name conflicts). Each is listed below by the literal
words that tell it apart (its argv with names, labels and paths left out); a logged call counts for the first one it
matches. Keep the table in step with those files: the script fails when build/ constructs a docker command it does not
list (it counts `new("docker"` and `ToolCommand("docker"` in build/).
"""
import glob, json, os, re, sys

# (command method, the argv's leading words, words it must also contain)
COMMANDS = [
    ("Docker.InfoCommand", ["info", "--format", "{{json .}}"], []),
    ("Docker.ContainerAddressesCommand", ["inspect", "--format"], ["{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}"]),
    ("Docker.NetworkSubnetsCommand", ["network", "inspect"], ["{{range .IPAM.Config}}{{.Subnet}} {{end}}"]),
    ("Docker.ListContainersCommand", ["ps", "--all", "--no-trunc", "--filter"], ["{{json .}}"]),
    ("Docker.ListVolumesCommand", ["volume", "ls", "--filter"], ["{{.Name}}"]),
    ("Docker.CreateVolumeCommand", ["volume", "create"], []),
    ("Docker.RunDetachedCommand", ["run", "--detach", "--name"], ["--restart", "unless-stopped", "--volume"]),
    ("Docker.StartCommand", ["start"], []),
    ("Docker.KindNodeStatesCommand", ["ps", "--all", "--filter"], ["{{.Names}}|{{.State}}"]),
    ("Docker.RemoveContainersCommand / ProxyRemoveCommand (rm --force <names>)", ["rm", "--force"], []),
    ("Docker.RemoveVolumesCommand", ["volume", "rm"], []),
    ("Docker.ConnectNetworkCommand", ["network", "connect"], []),
    ("Docker.ReadFileCommand", ["exec"], ["cat"]),
    ("Docker.WriteFileCommand", ["exec"], ["sh", "-c"]),
    ("Docker.DiskUsageCommand", ["system", "df", "--verbose"], []),
    ("Docker.ProxyListCommand", ["ps", "--all", "--filter"], []),
    ("Docker.ProxyRunCommand", ["run", "--detach", "--name"], ["--publish"]),
    ("ImageCacheService name conflicts (container inspect --format {{.Name}})", ["container", "inspect", "--format", "{{.Name}}"], []),
]
# RemoveContainersCommand and ProxyRemoveCommand build the same command line (rm --force <names>): one row, two constructions.
CONSTRUCTIONS = len(COMMANDS) + 1


def matching(argv):
    for name, head, contains in COMMANDS:
        if argv[:len(head)] == head and all(word in argv for word in contains):
            return name
    return None


def main(directory):
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "build")
    found = 0
    for path in glob.glob(os.path.join(root, "**", "*.cs"), recursive=True):
        if "/obj/" in path or "/bin/" in path:
            continue
        with open(path) as f:
            found += len(re.findall(r'(?:new|ToolCommand)\("docker",', f.read()))
    if found != CONSTRUCTIONS:
        sys.exit(f"build/ constructs {found} docker commands, this table knows {CONSTRUCTIONS}: update bench/real-dockerd-coverage.py")
    ran, unknown = {}, set()
    for log in glob.glob(os.path.join(directory, "*.jsonl")):
        with open(log) as f:
            for line in f:
                call = json.loads(line)
                if call["tool"] != "docker":
                    continue
                name = matching(call["argv"])
                if name is None:
                    unknown.add(" ".join(call["argv"])[:120])
                else:
                    ran[name] = ran.get(name, 0) + 1
    for name, _, _ in COMMANDS:
        print(f"{ran.get(name, 0):5}  {name}")
    for line in sorted(unknown):
        print(f"    ?  {line}")
    print(f"{len(ran)} of {len(COMMANDS)} distinct docker command lines run against a real daemon")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
