namespace DataPlatform.Build.Tests.EndToEnd.BadInput;

/// <summary>The table: one line per mistake, grouped by where the user makes it.</summary>
static class BadInputCases
{
    /// <summary>Mistakes on the command line and in .env: most stop with exit 2 before any tool runs.</summary>
    public static readonly IReadOnlyList<BadInputCase> CommandLineAndDotEnv = [.. Options(), .. DotEnv()];

    /// <summary>Mistakes in the platform's files: kind-config.yaml, helmfile.yaml, the values files and the others.</summary>
    public static readonly IReadOnlyList<BadInputCase> PlatformFiles = [.. KindConfig(), .. HelmfileYaml(), .. ValuesFiles(), .. OtherPlatformFiles()];

    /// <summary>What the machine holds: the MetalLB range, the access mode, the kubeconfig, and the tools' faults.</summary>
    public static readonly IReadOnlyList<BadInputCase> MachineAndFaults = [.. MetalLbRange(), .. Access(), .. Kubeconfig(), .. Faults()];

    public static readonly IReadOnlyList<BadInputCase> All = [.. CommandLineAndDotEnv, .. PlatformFiles, .. MachineAndFaults];

    // ------------------------------------------------------------------ the command line: exit 2, no tool runs

    static IEnumerable<BadInputCase> Options() =>
    [
        new("option typo next to a destructive target", "--target=Clean", "--pln") { Culprit = ["--pln", "--plan"] },
        new("target option typo", "--tagret=Clean") { Culprit = ["--tagret", "--target"] },
        new("exclusive typo", "--target=CreateCluster", "--exclusiv") { Culprit = ["--exclusiv", "--exclusive"] },
        new("unknown target", "--target=Cleen") { Culprit = ["Cleen", "Clean"] },
        new("empty target", "--target=") { Culprit = ["--target"] },
        new("zero helmfile attempts", "--helmfile-attempts=0") { Culprit = ["--helmfile-attempts"] },
        new("helmfile attempts not a number", "--helmfile-attempts=three") { Culprit = ["--helmfile-attempts", "three"] },
        new("helmfile attempts too large for an int", "--helmfile-attempts=99999999999") { Culprit = ["--helmfile-attempts"] },
        new("timeout not a number", "--target=Verify", "--timeout=abc") { Culprit = ["--timeout", "abc"] },
        new("timeout absurdly large", "--target=Verify", "--timeout=1e20") { Culprit = ["--timeout"] },
        new("negative timeout", "--target=Verify", "--timeout=-5") { Culprit = ["--timeout"] },
        new("negative retry delay", "--retry-delay=-1") { Culprit = ["--retry-delay"] },
        new("retry delay not a number", "--retry-delay=soon") { Culprit = ["--retry-delay", "soon"] },
        new("hosts file without a value", "--target=PrintHosts", "--hosts-file") { Culprit = ["--hosts-file"] },
        new("hosts file empty", "--target=PrintHosts", "--hosts-file=") { Culprit = ["--hosts-file"] },
        new("report empty", "--target=Verify", "--report=") { Culprit = ["--report"] },
        new("report is a directory", "--target=Verify", "--report={scratch}") { Culprit = ["--report", "directory"] },
        new("report parent is a file", "--target=Verify", "--report={scratch}/plain-file/verify.xml")
        {
            Culprit = ["--report", "plain-file"],
            Arrange = c => File.WriteAllTextAsync(Path.Combine(c.Scratch, "plain-file"), "not a folder"),
        },
        new("unknown verbosity", "--verbosity=loud") { Culprit = ["--verbosity", "loud"] },
        new("flag with a value that is not a boolean", "--target=Clean", "--plan=maybe") { Culprit = ["--plan", "maybe"] },
        new("bare word instead of an option", "Up") { Culprit = ["Up", "--target"] },
        new("option typo in a value-taking option", "--target=Verify", "--timout=30") { Culprit = ["--timout", "--timeout"] },
        // Pasted from a web page: the dash looks right and is another character.
        new("target with an en dash", "\u2013target=Up") { Culprit = ["\u2013target=Up", "en dash", "--target=Up"] },
        new("plan with an em dash", "--target=Clean", "\u2014plan") { Culprit = ["\u2014plan", "em dash", "--plan"] },
        new("option with a minus sign and a hyphen", "\u2212-exclusive", "--target=Verify") { Culprit = ["minus sign", "--exclusive"] },
    ];

    // ------------------------------------------------------------------ kind-config.yaml: exit 1 before any change

    static BadInputCase KindConfigCase(string name, string yaml, params string[] culprit) =>
        new(name, "--target=Up")
        {
            ExitCode = 1,
            Culprit = ["kind-config.yaml", .. culprit],
            Arrange = c => { c.Root.Write("kind-config.yaml", yaml); return Task.CompletedTask; },
        };

    const string KindHeader = "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\n";

    static IEnumerable<BadInputCase> KindConfig() =>
    [
        KindConfigCase("kind config not YAML", KindHeader + "name: data-platform\nnodes:\n  - role: control-plane\n   - role: worker\n", "line"),
        KindConfigCase("kind config of another kind", "kind: Config\napiVersion: kind.x-k8s.io/v1alpha4\nname: data-platform\n", "Cluster"),
        KindConfigCase("kind config without a name", KindHeader + "nodes:\n  - role: control-plane\n", "name"),
        KindConfigCase("kind config name not valid for kind", KindHeader + "name: Data_Platform\n", "Data_Platform"),
        KindConfigCase("kind config without a control plane", KindHeader + "name: data-platform\nnodes:\n  - role: worker\n", "control-plane"),
        KindConfigCase("kind config unknown node role", KindHeader + "name: data-platform\nnodes:\n  - role: control-plane\n  - role: wroker\n", "wroker"),
        KindConfigCase("kind config nodes not a list", KindHeader + "name: data-platform\nnodes: three\n", "nodes"),
        KindConfigCase("kind config empty", "", "empty"),
        new("kind config is a directory", "--target=Up")
        {
            ExitCode = 1,
            Culprit = ["kind-config.yaml", "directory"],
            Arrange = c => { File.Delete(c.Root.File("kind-config.yaml")); Directory.CreateDirectory(c.Root.File("kind-config.yaml")); return Task.CompletedTask; },
        },
    ];

    // ------------------------------------------------------------------ helmfile.yaml: exit 1 before any change

    static BadInputCase HelmfileCase(string name, Func<string, string> change, params string[] culprit) =>
        new(name, "--target=Up")
        {
            ExitCode = 1,
            Culprit = ["helmfile.yaml", .. culprit],
            Arrange = c => { c.Root.Edit("helmfile.yaml", change); return Task.CompletedTask; },
        };

    static IEnumerable<BadInputCase> HelmfileYaml() =>
    [
        HelmfileCase("kube context and cluster name disagree", t => t.Replace("kubeContext: kind-data-platform", "kubeContext: kind-dataplatform"), "kind-dataplatform", "kind-data-platform"),
        HelmfileCase("kube context missing", t => t.Replace("  kubeContext: kind-data-platform\n", ""), "kubeContext"),
        HelmfileCase("duplicate release", t => t.TrimEnd() + "\n  - name: minio\n    namespace: minio\n    chart: minio/minio\n", "minio/minio"),
        HelmfileCase("needs names an unknown release", t => t.Replace("needs: [minio/minio]", "needs: [minio/mino]"), "minio/mino"),
        HelmfileCase("needs form a cycle", t => t.Replace("    version: 5.4.0\n", "    version: 5.4.0\n    needs: [registry/registry]\n"), "cycle"),
        HelmfileCase("needs is a mapping", t => t.Replace("needs: [minio/minio]", "needs: { minio: minio }"), "registry", "needs", "mapping"),
        HelmfileCase("helmfile not YAML", t => t.Replace("releases:", "releases: [\n"), "line"),
        HelmfileCase("release without a namespace", t => t.Replace("    namespace: registry\n", ""), "registry", "namespace"),
        HelmfileCase("helmfile without releases", _ => "helmDefaults:\n  kubeContext: kind-data-platform\n", "releases"),
        HelmfileCase("helm timeout written in words", t => t.Replace("  wait: true\n", "  wait: true\n  timeout: ten minutes\n"), "ten minutes", "seconds")
            with { Then = AtLine("helmfile.yaml", "timeout: ten minutes") },
        HelmfileCase("release values written as a mapping", t => t.Replace("values: [values/minio.yaml.gotmpl]", "values: { file: values/minio.yaml.gotmpl }"),
            "minio", "values should be a list", "found a mapping") with { Then = AtLine("helmfile.yaml", "values: { file: values/minio.yaml.gotmpl }") },
        // Without the platform's mark nothing could tell its releases and namespaces from anyone else's.
        HelmfileCase("ownership label missing from commonLabels", t => t.Replace("  app.kubernetes.io/managed-by: data-platform-build\n", ""),
            "commonLabels.app.kubernetes.io/managed-by is missing", "commonLabels: { app.kubernetes.io/managed-by: data-platform-build }") with { Then = AtLine("helmfile.yaml", "commonLabels:") },
        HelmfileCase("chart from an undeclared repository", t => t.TrimEnd() + "\n  - name: redis\n    namespace: redis\n    chart: bitnami/redis\n",
            "bitnami/redis", "'bitnami' is not a repository", "repositories:") with { Then = AtLine("helmfile.yaml", "chart: bitnami/redis") },
    ];

    /// <summary>The message names <paramref name="file"/> at the line of the case's file that holds <paramref name="text"/>.</summary>
    static Action<CaseContext, BuildRun> AtLine(string file, string text) => (c, run) =>
    {
        var line = Array.FindIndex(File.ReadAllLines(c.Root.File(file)), l => l.Contains(text, StringComparison.Ordinal)) + 1;
        Assert.True(line > 0, $"{file} has no line with '{text}'");
        Assert.Contains($"{file}:{line}:", run.Squashed);
    };

    // ------------------------------------------------------------------ the values files helmfile.yaml lists: exit 1 before any change

    static IEnumerable<BadInputCase> ValuesFiles() =>
    [
        new("values template broken outside its actions", "--target=Up")
        {
            ExitCode = 1,
            Culprit = ["values/minio.yaml.gotmpl", "not valid YAML"],
            Arrange = c => { c.Root.Edit("values/minio.yaml.gotmpl", t => t.TrimEnd() + "\n stray: {{ requiredEnv \"GLOBAL_DOMAIN\" }}\n"); return Task.CompletedTask; },
            Then = AtLine("values/minio.yaml.gotmpl", " stray: "),
        },
        new("plain values file indented with a tab", "--target=Up")
        {
            ExitCode = 1,
            Culprit = ["values/cert-manager.yaml", "tab"],
            Arrange = c =>
            {
                c.Root.Edit("helmfile.yaml", t => t.Replace("    version: v1.21.1\n", "    version: v1.21.1\n    values: [values/cert-manager.yaml]\n"));
                c.Root.Write("values/cert-manager.yaml", "crds:\n\tenabled: true\n");
                return Task.CompletedTask;
            },
            Then = AtLine("values/cert-manager.yaml", "\tenabled"),
        },
        new("values file deleted", "--target=Up")
        {
            ExitCode = 1,
            Culprit = ["values/registry.yaml.gotmpl", "missing", "git checkout -- values/registry.yaml.gotmpl"],
            Arrange = c => { File.Delete(c.Root.File("values/registry.yaml.gotmpl")); return Task.CompletedTask; },
            Then = AtLine("helmfile.yaml", "values: [values/registry.yaml.gotmpl]"),
        },
        new("values file deleted, seen by Doctor", "--target=Doctor")
        {
            ExitCode = 1,
            Culprit = ["values/minio.yaml.gotmpl", "missing"],
            Arrange = c => { File.Delete(c.Root.File("values/minio.yaml.gotmpl")); return Task.CompletedTask; },
            Then = (c, run) =>
            {
                AtLine("helmfile.yaml", "values: [values/minio.yaml.gotmpl]")(c, run);
                Assert.DoesNotContain("memory", run.Text, StringComparison.OrdinalIgnoreCase);
            },
        },
    ];

    // ------------------------------------------------------------------ gateway-api.yaml and tools.yaml

    static BadInputCase FileCase(string file, string name, string content, params string[] culprit) =>
        new(name, "--target=Up")
        {
            ExitCode = 1,
            Culprit = [file, .. culprit],
            Arrange = c => { c.Root.Write(file, content); return Task.CompletedTask; },
        };

    static IEnumerable<BadInputCase> OtherPlatformFiles() =>
    [
        FileCase("gateway-api.yaml", "gateway api without url", "version: v1.5.1\n", "url"),
        FileCase("gateway-api.yaml", "gateway api not YAML", "version: [v1.5.1\n", "line"),
        new("tool version too large for an int", "--target=Up")
        {
            ExitCode = 1,
            Culprit = ["tools.yaml", "v99999999999.0.0"],
            Arrange = c => { c.Root.Edit("tools.yaml", t => ReplaceFirstVersion(t, "kind", "v99999999999.0.0")); return Task.CompletedTask; },
        },
        new("tool version is a word", "--target=Up")
        {
            ExitCode = 1,
            Culprit = ["tools.yaml", "latest"],
            Arrange = c => { c.Root.Edit("tools.yaml", t => ReplaceFirstVersion(t, "helm", "latest")); return Task.CompletedTask; },
        },
        new("tool pin is a string instead of a mapping", "--target=Up")
        {
            ExitCode = 1,
            Culprit = ["tools.yaml", "kubectl"],
            Arrange = c => { c.Root.Edit("tools.yaml", t => ReplaceEntry(t, "kubectl", "kubectl: v1.36.4\n")); return Task.CompletedTask; },
        },
    ];

    // ------------------------------------------------------------------ .env and .env.local

    static BadInputCase EnvCase(string name, Func<string, string> change, string[] culprit, string[]? secrets = null, string file = ".env") =>
        new(name, "--target=Up")
        {
            ExitCode = 1,
            Culprit = culprit,
            Secrets = secrets ?? [],
            Arrange = c =>
            {
                if (file == ".env") c.Root.Edit(".env", change);
                else c.Root.Write(file, change(""));
                return Task.CompletedTask;
            },
        };

    static IEnumerable<BadInputCase> DotEnv() =>
    [
        EnvCase("env line with a colon instead of equals", t => t.Replace("MINIO_SECRET_KEY=adminpassword", "MINIO_SECRET_KEY: s3cr3t-colon"),
            [".env:", "MINIO_SECRET_KEY"], ["s3cr3t-colon"]),
        EnvCase("env secret with an unclosed quote", t => t.Replace("REGISTRY_PASSWORD=registrypassword", "REGISTRY_PASSWORD=\"unclosed-s3cr3t"),
            [".env:", "REGISTRY_PASSWORD"], ["unclosed-s3cr3t"]),
        EnvCase("env secret with text after the quote", t => t.Replace("AIRBYTE_S3_SECRET_KEY=airbytepassword", "AIRBYTE_S3_SECRET_KEY='q-s3cr3t' trailing-s3cr3t"),
            [".env", "AIRBYTE_S3_SECRET_KEY"], ["q-s3cr3t", "trailing-s3cr3t"]),
        EnvCase("env required key missing", t => t.Replace("AIRBYTE_S3_SECRET_KEY=airbytepassword\n", ""), ["AIRBYTE_S3_SECRET_KEY"]),
        EnvCase("env required key empty", t => t.Replace("MINIO_SECRET_KEY=adminpassword", "MINIO_SECRET_KEY="), ["MINIO_SECRET_KEY"]),
        EnvCase("domain with a space and capitals", t => t.Replace("GLOBAL_DOMAIN=data-platform.internal", "GLOBAL_DOMAIN=My Platform.Internal."), ["GLOBAL_DOMAIN"]),
        EnvCase("domain starting with a hyphen", t => t.Replace("GLOBAL_DOMAIN=data-platform.internal", "GLOBAL_DOMAIN=-platform.internal"), ["GLOBAL_DOMAIN", "-platform.internal"]),
        EnvCase("domain with an underscore", t => t.Replace("GLOBAL_DOMAIN=data-platform.internal", "GLOBAL_DOMAIN=data_platform.internal"), ["GLOBAL_DOMAIN", "data_platform.internal"]),
        EnvCase("domain with a scheme", t => t.Replace("GLOBAL_DOMAIN=data-platform.internal", "GLOBAL_DOMAIN=https://data-platform.internal"), ["GLOBAL_DOMAIN"]),
        EnvCase("env.local malformed", _ => "MINIO_SECRET_KEY local-s3cr3t\n", [".env.local:1"], ["local-s3cr3t"], ".env.local"),
        EnvCase("env key with a space in its name", t => t.Replace("MINIO_SECRET_KEY=adminpassword", "MINIO SECRET_KEY=sp4ced-s3cr3t"),
            [".env:", "'MINIO SECRET_KEY' has a space", "MINIO_SECRET_KEY=<value>"], ["sp4ced-s3cr3t"]),
        EnvCase("env value larger than a process environment takes", t => t + "\nBIG_CERTIFICATE=" + new string('A', 140 * 1024) + "\n",
            [".env:", "BIG_CERTIFICATE", "128 KiB"]),
        new("env values together larger than a process environment takes", "--target=Up")
        {
            // Each value under 128 KiB and each file under 1 MiB; the shell's own exports fill the rest of Linux's 2 MiB.
            ExitCode = 1,
            Culprit = [".env", "2 MiB", "The largest: BLOB_01 (120 KiB, .env:"],
            Secrets = [new string('C', 64)],
            Arrange = c =>
            {
                string Values(string prefix, int count, int kib) => string.Concat(Enumerable.Range(1, count).Select(i => $"{prefix}_{i:00}={new string('B', kib * 1024)}\n"));
                c.Root.Edit(".env", t => t.TrimEnd('\n') + "\n" + Values("BLOB", 8, 120));
                c.Root.Write(".env.local", Values("LOCAL", 8, 110));
                c.Machine.UserEnvironment["EXPORTED_BY_THE_SHELL"] = new string('C', 100 * 1024);
                c.Machine.UserEnvironment["EXPORTED_TOO"] = new string('C', 100 * 1024);
                c.Machine.UserEnvironment["EXPORTED_AS_WELL"] = new string('C', 100 * 1024);
                return Task.CompletedTask;
            },
        },
        new("env deleted", "--target=Up")
        {
            ExitCode = 1,
            Culprit = [".env is missing", "git checkout .env"],
            Arrange = c => { File.Delete(c.Root.File(".env")); return Task.CompletedTask; },
            Then = (_, run) => Assert.DoesNotContain("is not set", run.Text),
        },
        new("environment variable overrides the domain with a bad value", "--target=Up")
        {
            ExitCode = 1,
            Culprit = ["GLOBAL_DOMAIN", "bad domain!"],
            Arrange = c => { c.Machine.UserEnvironment["GLOBAL_DOMAIN"] = "bad domain!"; return Task.CompletedTask; },
        },
        new("environment variable empties a required secret", "--target=Up")
        {
            ExitCode = 1,
            Culprit = ["MINIO_SECRET_KEY"],
            Arrange = c => { c.Machine.UserEnvironment["MINIO_SECRET_KEY"] = ""; return Task.CompletedTask; },
        },
    ];

    // ------------------------------------------------------------------ METALLB_IP_RANGE, preset by the user

    static BadInputCase RangeCase(string name, string value, params string[] culprit) =>
        new(name, "--target=Up")
        {
            ExitCode = 1,
            Culprit = ["METALLB_IP_RANGE", .. culprit],
            Arrange = c => { c.Machine.UserEnvironment["METALLB_IP_RANGE"] = value; return Task.CompletedTask; },
        };

    static IEnumerable<BadInputCase> MetalLbRange() =>
    [
        RangeCase("range with no end", "1.2.3.4-", "1.2.3.4-"),
        RangeCase("range ends before it starts", "172.18.255.254-172.18.255.245", "172.18.255.254-172.18.255.245"),
        RangeCase("range with an invalid address", "300.1.1.1-300.1.1.9", "300.1.1.1"),
        RangeCase("range with an invalid prefix", "172.18.255.240/33", "/33"),
        RangeCase("range of words", "the last ten", "the last ten"),
        RangeCase("range mixing IPv4 and IPv6", "172.18.255.245-fc00::1", "fc00::1"),
        new("range outside the kind network", "--target=Up")
        {
            ExitCode = 1,
            MutationsAllowed = true,   // the kind network exists only once the cluster does
            Culprit = ["METALLB_IP_RANGE", "10.0.0.1-10.0.0.10", "172.18.0.0/16"],
            Arrange = c => { c.Machine.UserEnvironment["METALLB_IP_RANGE"] = "10.0.0.1-10.0.0.10"; return Task.CompletedTask; },
            Then = (_, run) => Assert.DoesNotContain(run.Calls, call => call.Signature == "helmfile apply"),
        },
    ];

    // ------------------------------------------------------------------ PLATFORM_ACCESS and the published ports: exit 1 before any change

    /// <summary>.env.local holds <paramref name="lines"/>; the message must name the line and the variable.</summary>
    static BadInputCase AccessCase(string name, string lines, string[] culprit, params string[] arguments) =>
        new(name, arguments.Length > 0 ? arguments : ["--target=Up"])
        {
            ExitCode = 1,
            Culprit = culprit,
            Arrange = c => { c.Root.Write(".env.local", lines); return Task.CompletedTask; },
        };

    static BadInputCase ExportedAccessCase(string name, string variable, string value, params string[] culprit) =>
        new(name, "--target=Up")
        {
            ExitCode = 1,
            Culprit = ["environment", variable, .. culprit],
            Arrange = c => { c.Machine.UserEnvironment[variable] = value; return Task.CompletedTask; },
        };

    static IEnumerable<BadInputCase> Access() =>
    [
        AccessCase("published port not a number", "PLATFORM_HTTP_PORT=eighty\n", [".env.local:1", "PLATFORM_HTTP_PORT", "eighty", "1 to 65535"]),
        AccessCase("published port zero", "# moved for my laptop\nPLATFORM_HTTPS_PORT=0\n", [".env.local:2", "PLATFORM_HTTPS_PORT", "port 0"]),
        AccessCase("published port 65536", "PLATFORM_POSTGRES_PORT=65536\n", [".env.local:1", "PLATFORM_POSTGRES_PORT", "65535"]),
        AccessCase("published port negative", "PLATFORM_HTTP_PORT=-8080\n", [".env.local:1", "PLATFORM_HTTP_PORT", "negative"]),
        AccessCase("published port with a space inside", "PLATFORM_HTTPS_PORT=84 43\n", [".env.local:1", "PLATFORM_HTTPS_PORT", "84 43"]),
        AccessCase("published port empty", "PLATFORM_HTTP_PORT=\n", [".env.local:1", "PLATFORM_HTTP_PORT", "empty"]),
        AccessCase("two published ports on one number", "PLATFORM_HTTP_PORT=8080\nPLATFORM_HTTPS_PORT=8080\n",
            [".env.local:2", "PLATFORM_HTTP_PORT", "PLATFORM_HTTPS_PORT", "both 8080"]),
        AccessCase("published port on another port's default", "PLATFORM_POSTGRES_PORT=80\n",
            [".env.local:1", "PLATFORM_HTTP_PORT (by default)", "PLATFORM_POSTGRES_PORT", "both 80"]),
        AccessCase("access mode misspelt value", "PLATFORM_ACCESS=auto\n", [".env.local:1", "PLATFORM_ACCESS", "'auto'", "PLATFORM_ACCESS=direct", "PLATFORM_ACCESS=published"]),
        AccessCase("access mode empty", "PLATFORM_ACCESS=\n", [".env.local:1", "PLATFORM_ACCESS", "empty", "PLATFORM_ACCESS=published"]),
        AccessCase("bad published port under --plan", "PLATFORM_HTTPS_PORT=443443\n", [".env.local:1", "PLATFORM_HTTPS_PORT"], "--target=Up", "--plan"),
        AccessCase("bad published port before Verify", "PLATFORM_HTTPS_PORT=https\n", [".env.local:1", "PLATFORM_HTTPS_PORT"], "--target=Verify", "--timeout=1"),
        AccessCase("bad access mode before PrintHosts", "PLATFORM_ACCESS=wsl\n", [".env.local:1", "PLATFORM_ACCESS"], "--target=PrintHosts"),
        ExportedAccessCase("exported published port with only spaces", "PLATFORM_HTTPS_PORT", "  ", "empty", "export PLATFORM_HTTPS_PORT"),
        ExportedAccessCase("exported access mode with a typo", "PLATFORM_ACCESS", "publised", "'publised'", "PLATFORM_ACCESS=published"),
        new("published port variable misspelt in .env", "--target=Up")
        {
            ExitCode = 1,
            Culprit = ["PLATFORM_HTTPS_PROT", "typo for PLATFORM_HTTPS_PORT"],
            Arrange = c => { c.Root.Edit(".env", t => t.TrimEnd('\n') + "\nPLATFORM_HTTPS_PROT=8443\n"); return Task.CompletedTask; },
            Then = (c, run) =>
            {
                var line = Array.IndexOf(File.ReadAllLines(c.Root.File(".env")), "PLATFORM_HTTPS_PROT=8443") + 1;
                Assert.Contains($".env:{line}: PLATFORM_HTTPS_PROT", run.Text);
            },
        },
    ];

    // ------------------------------------------------------------------ KUBECONFIG

    static IEnumerable<BadInputCase> Kubeconfig() =>
    [
        new("kubeconfig is a directory", "--target=Verify", "--timeout=1")
        {
            ExitCode = 1,
            Culprit = ["{scratch}/kube"],
            Arrange = c => { Directory.CreateDirectory(Path.Combine(c.Scratch, "kube")); c.Machine.UserEnvironment["KUBECONFIG"] = Path.Combine(c.Scratch, "kube"); return Task.CompletedTask; },
        },
        new("kubeconfig is not YAML", "--target=Verify", "--timeout=1")
        {
            ExitCode = 1,
            Culprit = ["{scratch}/broken-kubeconfig"],
            Arrange = async c =>
            {
                var file = Path.Combine(c.Scratch, "broken-kubeconfig");
                await File.WriteAllTextAsync(file, "apiVersion: v1\nclusters: [\n");
                c.Machine.UserEnvironment["KUBECONFIG"] = file;
            },
        },
        new("platform context missing from the kubeconfig list", "--target=Verify", "--timeout=1")
        {
            ExitCode = 1,
            Culprit = ["kind-data-platform", "CreateCluster"],
        },
    ];

    // ------------------------------------------------------------------ faults of the machine and the tools

    static IEnumerable<BadInputCase> Faults() =>
    [
        new("docker is not running", "--target=Up")
        {
            ExitCode = 1,
            Culprit = ["Docker is not running", "start"],
            Arrange = c => { c.Machine.SetState("docker_down", ""); return Task.CompletedTask; },
        },
        // kind lists a cluster while any node container carrying its label is left (kind's ListClusters reads docker ps).
        new("node containers removed by hand while kind still lists the cluster", "--target=Up")
        {
            ExitCode = 1,
            MutationsAllowed = true,   // the image cache's mirrors start before the cluster is looked at
            Culprit = ["node containers of cluster data-platform are gone", "--target=Clean", "--target=Up"],
            Arrange = async c =>
            {
                await c.Machine.GivenPlatformClusterAsync();
                c.Machine.SetState("nodes.json", """{"data-platform": ["data-platform-worker", "data-platform-worker2"]}""");
            },
            Then = (_, run) => Assert.DoesNotContain(run.Calls, call => call.Signature is "kind create cluster" or "kind delete cluster" or "helmfile apply" or "docker start"),
        },
        new("docker network inspect prints nothing", "--target=Up")
        {
            ExitCode = 1,
            MutationsAllowed = true,   // the network is read once the cluster exists
            Culprit = ["Docker answered with nothing", "docker network inspect kind", "IPAM.Config", "METALLB_IP_RANGE"],
            Arrange = async c =>
            {
                await c.Machine.GivenPlatformClusterAsync();
                c.Machine.SetState("network_subnets", "");
            },
            Then = (_, run) => Assert.DoesNotContain(run.Calls, call => call.Signature == "helmfile apply"),
        },
        // The tests run as root, whom permissions do not stop: the lock is a link into /sys, which refuses even root a new
        // file (EACCES), as a clone left to root by an earlier `sudo ./build.sh` refuses its user.
        new("clone the user cannot write", "--target=Up")
        {
            ExitCode = 1,
            Culprit = [$"You ({Environment.UserName}) cannot write", ".artifacts/run.lock", "the user who runs ./build.sh must be able to write there"],
            Arrange = c =>
            {
                File.Delete(c.Root.File(".artifacts/run.lock"));
                File.CreateSymbolicLink(c.Root.File(".artifacts/run.lock"), "/sys/data-platform-run.lock");
                return Task.CompletedTask;
            },
            Then = (_, run) => Assert.DoesNotContain("earlier run started with sudo", run.Text),
        },
        new("the API answers the Gateway API CRD read with a proxy's page", "--target=Up")
        {
            ExitCode = 1,
            MutationsAllowed = true,   // the CRDs are read once the cluster exists
            Culprit = ["Gateway API CRDs", "gateways.gateway.networking.k8s.io", "could not be read", "HTTPS_PROXY"],
            Arrange = async c =>
            {
                await c.Machine.GivenPlatformClusterAsync();
                c.Machine.SetState("kubectl_crd_output", "<html><head><title>Proxy login</title></head></html>\n");
            },
            Then = (_, run) => Assert.DoesNotContain(run.Calls, call => call.Signature is "kubectl apply" or "helmfile apply"),
        },
        new("helmfile fails for good on a release", "--target=HelmfileApply")
        {
            ExitCode = 1,
            MutationsAllowed = true,
            Culprit = ["minio", "HelmfileApply"],
            Arrange = c => { c.Machine.SetState("helmfile_failures", "permanent:minio\n"); return Task.CompletedTask; },
        },
        new("helmfile killed by the kernel", "--target=HelmfileApply")
        {
            ExitCode = 1,
            MutationsAllowed = true,
            Culprit = ["helmfile was killed (SIGKILL, exit code 137): out of memory?", "dmesg"],
            Arrange = c => { c.Machine.SetState("helmfile_failures", "killed:minio\n"); return Task.CompletedTask; },
            Then = (_, run) => Assert.DoesNotContain("helmfile apply failed", run.Text),
        },
        new("helmfile times out on every attempt", "--target=HelmfileApply", "--helmfile-attempts=2")
        {
            ExitCode = 1,
            MutationsAllowed = true,
            Culprit = ["2 attempts"],
            Arrange = c => { c.Machine.SetState("helmfile_failures", "timeout\ntimeout\n"); return Task.CompletedTask; },
        },
    ];

    /// <summary>tools.yaml: replaces the `version:` of one tool's entry.</summary>
    static string ReplaceFirstVersion(string toolsYaml, string tool, string version)
    {
        var lines = toolsYaml.Split('\n').ToList();
        var start = lines.FindIndex(l => l.StartsWith(tool + ":"));
        var at = lines.FindIndex(start, l => l.TrimStart().StartsWith("version:"));
        lines[at] = lines[at][..lines[at].IndexOf("version:")] + "version: " + version;
        return string.Join('\n', lines);
    }

    /// <summary>tools.yaml: replaces one tool's whole entry (its line and the indented lines under it).</summary>
    static string ReplaceEntry(string toolsYaml, string tool, string replacement)
    {
        var lines = toolsYaml.Split('\n').ToList();
        var start = lines.FindIndex(l => l.StartsWith(tool + ":"));
        var end = start + 1;
        while (end < lines.Count && (lines[end].StartsWith(' ') || lines[end].Length == 0)) end++;
        lines.RemoveRange(start, end - start);
        lines.Insert(start, replacement.TrimEnd('\n'));
        return string.Join('\n', lines);
    }
}
