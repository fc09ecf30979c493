using System.Globalization;
using System.Text;
using k8s.Models;

namespace DataPlatform.Build.Diagnostics;

/// <summary>
/// What `kubectl describe pod` shows, rendered in-process from the pod and its events (the layout of kubectl's
/// staging/src/k8s.io/kubectl/pkg/describe/describe.go describePod, abridged): where it runs, its conditions, each
/// container's state, last state, restarts and environment, and the pod's events. An environment value taken from a
/// Secret is named, never read, as kubectl does; a literal value goes through the bundle's mask like everything else.
/// </summary>
internal static class PodDescription
{
    /// <summary>Not finished (Succeeded) and not Ready: what the bundle describes in full.</summary>
    public static bool IsUnready(V1Pod pod) =>
        pod.Status?.Phase != "Succeeded" &&
        pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready")?.Status != "True";

    /// <summary>The one reason a person would give for this pod: a waiting container's reason, else its phase.</summary>
    public static string Reason(V1Pod pod)
    {
        var statuses = (pod.Status?.InitContainerStatuses ?? []).Concat(pod.Status?.ContainerStatuses ?? []);
        foreach (var status in statuses)
        {
            if (status.State?.Waiting?.Reason is { } waiting) return $"{status.Name}: {waiting}" + (status.RestartCount > 0 ? $" ({status.RestartCount} restarts)" : "");
            if (status.State?.Terminated is { ExitCode: not 0 } terminated) return $"{status.Name}: terminated, {terminated.Reason} exit code {terminated.ExitCode}";
        }
        if (pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "PodScheduled" && c.Status == "False") is { } unscheduled)
            return $"not scheduled: {unscheduled.Reason} {unscheduled.Message}".Trim();
        return pod.Status?.Phase ?? "unknown";
    }

    public static string Describe(V1Pod pod, IEnumerable<Corev1Event> events)
    {
        var text = new StringBuilder();
        void Line(int indent, string label, string? value) =>
            text.Append(new string(' ', indent)).Append((label + ":").PadRight(Math.Max(18 - indent, label.Length + 2))).AppendLine(value ?? "<none>");

        Line(0, "Name", pod.Name());
        Line(0, "Namespace", pod.Namespace());
        Line(0, "Node", pod.Spec?.NodeName is { } node ? $"{node}/{pod.Status?.HostIP}" : "<none>");
        Line(0, "Start Time", Time(pod.Status?.StartTime));
        Line(0, "Labels", Pairs(pod.Labels()));
        Line(0, "Status", pod.Status?.Phase);
        if (pod.Status?.Reason is { } reason) Line(0, "Reason", reason);
        if (pod.Status?.Message is { } message) Line(0, "Message", message);
        Line(0, "IP", pod.Status?.PodIP);
        Line(0, "Controlled By", pod.OwnerReferences()?.FirstOrDefault(o => o.Controller == true) is { } owner ? $"{owner.Kind}/{owner.Name}" : null);
        Containers(text, "Init Containers", pod.Spec?.InitContainers, pod.Status?.InitContainerStatuses);
        Containers(text, "Containers", pod.Spec?.Containers, pod.Status?.ContainerStatuses);
        text.AppendLine("Conditions:");
        text.AppendLine("  Type              Status  Reason / Message");
        foreach (var condition in pod.Status?.Conditions ?? [])
            text.AppendLine($"  {condition.Type,-17} {condition.Status,-7} {string.Join(": ", new[] { condition.Reason, condition.Message }.Where(s => !string.IsNullOrEmpty(s)))}".TrimEnd());
        Line(0, "Node-Selectors", Pairs(pod.Spec?.NodeSelector));
        Events(text, events);
        return text.ToString();
    }

    static void Containers(StringBuilder text, string title, IList<V1Container>? containers, IList<V1ContainerStatus>? statuses)
    {
        // A status without its spec (a partial object) is still described, from what the status says.
        var all = (containers ?? []).Concat((statuses ?? []).Where(s => containers?.Any(c => c.Name == s.Name) != true)
            .Select(s => new V1Container { Name = s.Name, Image = s.Image })).ToList();
        if (all.Count == 0) return;
        text.AppendLine($"{title}:");
        foreach (var container in all)
        {
            var status = statuses?.FirstOrDefault(s => s.Name == container.Name);
            text.AppendLine($"  {container.Name}:");
            text.AppendLine($"    Image:          {container.Image}");
            if (status?.ImageID is { Length: > 0 } id) text.AppendLine($"    Image ID:       {id}");
            if (container.Command is { Count: > 0 }) text.AppendLine($"    Command:        {string.Join(' ', container.Command)}");
            if (container.Args is { Count: > 0 }) text.AppendLine($"    Args:           {string.Join(' ', container.Args)}");
            State(text, "State", status?.State);
            if (status?.LastState is { Waiting: not null } or { Running: not null } or { Terminated: not null }) State(text, "Last State", status.LastState);
            text.AppendLine($"    Ready:          {(status?.Ready == true ? "True" : "False")}");
            text.AppendLine($"    Restart Count:  {status?.RestartCount ?? 0}");
            if (container.Resources?.Limits is { Count: > 0 } limits) text.AppendLine($"    Limits:         {Pairs(limits.ToDictionary(l => l.Key, l => l.Value.ToString()))}");
            if (container.Resources?.Requests is { Count: > 0 } requests) text.AppendLine($"    Requests:       {Pairs(requests.ToDictionary(l => l.Key, l => l.Value.ToString()))}");
            if (container.ReadinessProbe is { } readiness) text.AppendLine($"    Readiness:      {Probe(readiness)}");
            if (container.LivenessProbe is { } liveness) text.AppendLine($"    Liveness:       {Probe(liveness)}");
            text.AppendLine("    Environment:");
            if (container.Env is not { Count: > 0 }) text.AppendLine("      <none>");
            foreach (var variable in container.Env ?? [])
                text.AppendLine($"      {variable.Name}:  {EnvValue(variable)}");
        }
    }

    /// <summary>kubectl's wording: a value from a Secret or ConfigMap is named, not resolved.</summary>
    static string EnvValue(V1EnvVar variable) => variable switch
    {
        { ValueFrom.SecretKeyRef: { } secret } => $"<set to the key '{secret.Key}' in secret '{secret.Name}'>",
        { ValueFrom.ConfigMapKeyRef: { } map } => $"<set to the key '{map.Key}' of config map '{map.Name}'>",
        { ValueFrom.FieldRef: { } field } => $"({field.ApiVersion}:{field.FieldPath})",
        { ValueFrom.ResourceFieldRef: { } resource } => $"{resource.Resource} ({resource.ContainerName})",
        _ => variable.Value ?? "",
    };

    static string Probe(V1Probe probe)
    {
        var how = probe.HttpGet is { } http ? $"http-get {http.Scheme?.ToLowerInvariant() ?? "http"}://:{http.Port}{http.Path}"
            : probe.TcpSocket is { } tcp ? $"tcp-socket :{tcp.Port}"
            : probe.Exec is { } exec ? $"exec [{string.Join(' ', exec.Command ?? [])}]"
            : "other";
        return $"{how} delay={probe.InitialDelaySeconds ?? 0}s timeout={probe.TimeoutSeconds ?? 1}s period={probe.PeriodSeconds ?? 10}s #failure={probe.FailureThreshold ?? 3}";
    }

    static void State(StringBuilder text, string label, V1ContainerState? state)
    {
        var pad = (label + ":").PadRight(14);
        switch (state)
        {
            case { Waiting: { } waiting }:
                text.AppendLine($"    {pad}  Waiting");
                text.AppendLine($"      Reason:       {waiting.Reason}");
                if (waiting.Message is { } message) text.AppendLine($"      Message:      {message}");
                break;
            case { Running: { } running }:
                text.AppendLine($"    {pad}  Running");
                text.AppendLine($"      Started:      {Time(running.StartedAt)}");
                break;
            case { Terminated: { } terminated }:
                text.AppendLine($"    {pad}  Terminated");
                text.AppendLine($"      Reason:       {terminated.Reason}");
                if (terminated.Message is { } said) text.AppendLine($"      Message:      {said}");
                text.AppendLine($"      Exit Code:    {terminated.ExitCode}");
                text.AppendLine($"      Started:      {Time(terminated.StartedAt)}");
                text.AppendLine($"      Finished:     {Time(terminated.FinishedAt)}");
                break;
            default:
                text.AppendLine($"    {pad}  <unknown>");
                break;
        }
    }

    static void Events(StringBuilder text, IEnumerable<Corev1Event> events)
    {
        var list = events.OrderBy(EventTime).ToList();
        if (list.Count == 0) { text.AppendLine("Events:            <none>"); return; }
        text.AppendLine("Events:");
        text.AppendLine("  Type     Reason             Last seen             Count  From                Message");
        foreach (var e in list)
            text.AppendLine($"  {e.Type,-8} {e.Reason,-18} {Time(EventTime(e)),-21} {e.Count ?? 1,5}  {e.Source?.Component ?? e.ReportingComponent,-18}  {e.Message?.Trim()}");
    }

    /// <summary>When an event last happened: its series or last timestamp, else when it was first seen or created.</summary>
    public static DateTime EventTime(Corev1Event e) =>
        e.Series?.LastObservedTime ?? e.LastTimestamp ?? e.EventTime ?? e.FirstTimestamp ?? e.Metadata?.CreationTimestamp ?? DateTime.MinValue;

    public static string Time(DateTime? time) =>
        time is { } t && t != DateTime.MinValue ? t.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "<unknown>";

    static string Pairs(IDictionary<string, string>? pairs) =>
        pairs is { Count: > 0 } ? string.Join(",", pairs.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}")) : "<none>";
}
