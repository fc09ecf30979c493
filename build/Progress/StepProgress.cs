namespace DataPlatform.Build.Progress;

/// <summary>The progress of a step over the platform's releases, as the tasks start it: one line of theirs.</summary>
internal static class StepProgress
{
    /// <param name="tableAllowed">false where the step draws a live display of its own (Verify's checks): lines only, outside a terminal.</param>
    public static LiveProgress Start(BuildContext context, string step, bool tableAllowed = true)
    {
        var mode = LiveProgress.ModeFor(context.Console, context.Options.Verbosity, context.EnvironmentVariable, tableAllowed);
        if (mode == ProgressMode.Off) return LiveProgress.Start(step, mode, _ => Task.FromResult(new ProgressSnapshot([])), context.Console);
        var reader = new ReleaseProgressReader(context.Cluster, context.HelmfileSpec.Releases, context.EnvironmentVariable("HELM_DRIVER"));
        return LiveProgress.Start(step, mode, reader.ReadAsync, context.Console, cancellation: context.Cancellation);
    }
}
