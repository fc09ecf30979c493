namespace DataPlatform.Build.Tests.EndToEnd;

/// <summary>
/// Small copies of the platform files, shaped like the real ones: the cluster name, the pinned context, a few releases
/// with needs, the Gateway API pin and the demo .env. Values files use requiredEnv, so the helmfile stand-in
/// fails, as helmfile would, when the build does not pass a variable.
/// </summary>
static class FixturePlatform
{
    public const string ClusterName = "data-platform";
    public const string Context = "kind-data-platform";
    public const string GatewayApiVersion = "v1.5.1";
    public const string ExpectedMetalLbRange = "172.18.255.245-172.18.255.254";
    public static readonly string[] MirrorContainers = ["data-platform-cache-docker-io", "data-platform-cache-quay-io"];
    public static readonly string[] SecretValues = ["adminpassword", "airbytepassword", "registrypassword"];

    public static void WriteTo(string root)
    {
        File.WriteAllText(Path.Combine(root, "kind-config.yaml"), """
            kind: Cluster
            apiVersion: kind.x-k8s.io/v1alpha4
            name: data-platform
            networking:
              ipFamily: ipv4
            nodes:
              - role: control-plane
                image: kindest/node:v1.36.4@sha256:099e049362a1526b2db71494e1947aae99bd16290d7c895f2b7ea312e3cbfaed
              - role: worker
                image: kindest/node:v1.36.4@sha256:099e049362a1526b2db71494e1947aae99bd16290d7c895f2b7ea312e3cbfaed
                labels:
                  net: metallb-gateway
              - role: worker
                image: kindest/node:v1.36.4@sha256:099e049362a1526b2db71494e1947aae99bd16290d7c895f2b7ea312e3cbfaed
            # The image cache's mirrors, read by the build (see the repository's kind-config.yaml).
            containerdConfigPatches:
              - |-
                [plugins."io.containerd.grpc.v1.cri".registry]
                  config_path = "/etc/containerd/certs.d"
                # mirror docker.io = data-platform-cache-docker-io https://registry-1.docker.io
                # mirror quay.io = data-platform-cache-quay-io https://quay.io
            """);
        File.WriteAllText(Path.Combine(root, "helmfile.yaml"), """
            repositories:
              - name: metallb
                url: https://metallb.github.io/metallb
              - name: jetstack
                url: https://charts.jetstack.io
              - name: traefik
                url: https://traefik.github.io/charts
              - name: minio
                url: https://charts.min.io/
              - name: twuni
                url: https://helm.twun.io
            helmDefaults:
              kubeContext: kind-data-platform
              wait: true
              syncReleaseLabels: true
            # The platform's mark on every release (see the repository's helmfile.yaml).
            commonLabels:
              app.kubernetes.io/managed-by: data-platform-build
            releases:
              - name: metallb
                namespace: metallb-system
                chart: metallb/metallb
                version: 0.16.1
                labels: { loadBalancer: metallb }
              - name: kubedeploy-metallb
                namespace: metallb-system
                chart: ./charts/extra-objects
                labels: { loadBalancer: metallb }
                needs: [metallb-system/metallb]
                values: [values/metallb-extra-objects.yaml.gotmpl]
              - name: cert-manager
                namespace: cert-manager
                chart: jetstack/cert-manager
                version: v1.21.1
              - name: traefik
                namespace: traefik
                chart: traefik/traefik
                needs: [cert-manager/cert-manager, metallb-system/kubedeploy-metallb]
              - name: minio
                namespace: minio
                chart: minio/minio
                version: 5.4.0
                values: [values/minio.yaml.gotmpl]
              - name: registry
                namespace: registry
                chart: twuni/docker-registry
                needs: [minio/minio]
                values: [values/registry.yaml.gotmpl]
            """);
        File.WriteAllText(Path.Combine(root, "gateway-api.yaml"), """
            version: v1.5.1
            url: https://github.com/kubernetes-sigs/gateway-api/releases/download/{version}/experimental-install.yaml
            """);
        File.WriteAllText(Path.Combine(root, ".env"), """
            # The demo values.
            GLOBAL_DOMAIN=data-platform.internal
            MINIO_ACCESS_KEY=adminuser
            MINIO_SECRET_KEY=adminpassword
            AIRBYTE_S3_ACCESS_KEY=airbyte
            AIRBYTE_S3_SECRET_KEY=airbytepassword
            REGISTRY_USER=registry
            REGISTRY_PASSWORD=registrypassword
            REGISTRY_S3_ACCESS_KEY=registry
            REGISTRY_S3_SECRET_KEY=registrypassword
            """);
        var values = Directory.CreateDirectory(Path.Combine(root, "values")).FullName;
        File.WriteAllText(Path.Combine(values, "metallb-extra-objects.yaml.gotmpl"), """
            extraObjects:
              - apiVersion: metallb.io/v1beta1
                kind: IPAddressPool
                metadata: { name: kind-pool }
                spec:
                  addresses: [ {{ requiredEnv "METALLB_IP_RANGE" | quote }} ]
            """);
        File.WriteAllText(Path.Combine(values, "minio.yaml.gotmpl"), """
            rootUser: {{ requiredEnv "MINIO_ACCESS_KEY" }}
            rootPassword: {{ requiredEnv "MINIO_SECRET_KEY" }}
            ingress:
              hosts: [ minio.{{ requiredEnv "GLOBAL_DOMAIN" }} ]
            users:
              - accessKey: {{ requiredEnv "AIRBYTE_S3_ACCESS_KEY" }}
                secretKey: {{ requiredEnv "AIRBYTE_S3_SECRET_KEY" }}
            # As in the real values: the chart's default request (16Gi) is more than a laptop has (Doctor counts it).
            resources:
              requests:
                memory: 512Mi
            """);
        File.WriteAllText(Path.Combine(values, "registry.yaml.gotmpl"), """
            secrets:
              htpasswd: {{ requiredEnv "REGISTRY_HTPASSWD" | quote }}
              s3:
                accessKey: {{ requiredEnv "REGISTRY_S3_ACCESS_KEY" }}
                secretKey: {{ requiredEnv "REGISTRY_S3_SECRET_KEY" }}
            """);
    }
}
